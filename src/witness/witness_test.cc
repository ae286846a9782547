// The witness: what it countersigns, what it refuses (truncated, forked,
// foreign-key, malformed), what survives a restart. (Its HTTP API:
// witness_routes_test.cc; Vigie's publisher talking to it:
// checkpoint_publisher_test.cc.)

#include "witness/witness.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <fstream>

#include "witness/witness_test_fixture.h"

namespace vigie::witness {
namespace {

using ::vigie::testing::ErrorCodeIs;

TEST_F(WitnessTest, InitKeepsTheKeyPrivateAndRefusesASecondInit) {
  struct stat info {};
  ASSERT_EQ(::stat((dir_.path() / "witness" / "witness.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(witness_->public_key(), witness_public_key_);
  EXPECT_THAT(Witness::Init(dir_.path() / "witness", std::vector<LogKey>{log_.Key()}),
              ErrorCodeIs(ErrorCode::kConflict));
}

TEST_F(WitnessTest, InitRestrictsADirectoryItMakesButNotOneThatWasThere) {
  struct stat info {};
  ASSERT_EQ(::stat((dir_.path() / "witness").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  const auto shared = dir_.path() / "shared";
  std::filesystem::create_directory(shared);
  ::chmod(shared.c_str(), 0755);
  ASSERT_OK(Witness::Init(shared, std::vector<LogKey>{log_.Key()}));
  ASSERT_EQ(::stat(shared.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0755u) << "the operator's directory kept its mode";
  ASSERT_EQ(::stat((shared / "witness.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

// Whoever can write in the directory can swap the log's keys or empty the
// store: one that was there must be closed to others, as one made is.
TEST_F(WitnessTest, InitRefusesADirectoryOthersCanWriteTo) {
  const auto open_to_all = dir_.path() / "open";
  std::filesystem::create_directory(open_to_all);
  ::chmod(open_to_all.c_str(), 0777);
  EXPECT_THAT(Witness::Init(open_to_all, std::vector<LogKey>{log_.Key()}),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_FALSE(std::filesystem::exists(open_to_all / "witness.key"));
}

// Links are never followed nor removed: a dangling key link, or a store
// that is a link, is a witness's, not leftovers to clear.
TEST_F(WitnessTest, InitLeavesLinksWhereTheKeyOrTheStoreShouldBe) {
  const auto dir = dir_.path() / "linked";
  std::filesystem::create_directory(dir);
  ::chmod(dir.c_str(), 0700);
  std::ofstream(dir / "log-keys.txt") << "# kept\n";
  std::filesystem::create_symlink(dir_.path() / "elsewhere.key", dir / "witness.key");
  EXPECT_THAT(Witness::Init(dir, std::vector<LogKey>{log_.Key()}),
              ErrorCodeIs(ErrorCode::kConflict));
  std::filesystem::remove(dir / "witness.key");
  std::filesystem::create_symlink(dir_.path() / "elsewhere.jsonl", dir / "cosignatures.jsonl");
  EXPECT_THAT(Witness::Init(dir, std::vector<LogKey>{log_.Key()}),
              ErrorCodeIs(ErrorCode::kConflict));
  EXPECT_TRUE(std::filesystem::is_symlink(dir / "cosignatures.jsonl"));
  EXPECT_TRUE(std::filesystem::exists(dir / "log-keys.txt"));
}

// A store moved elsewhere and linked to (another volume) would be read, and
// answer, but never appended to (no write follows a link): refused at
// start, as a FIFO in its place is, rather than serve and never countersign.
TEST_F(WitnessTest, AStoreThatIsALinkOrAFifoIsRefusedAtStart) {
  witness_.reset();
  const auto store = dir_.path() / "witness" / "cosignatures.jsonl";
  const auto moved = dir_.path() / "moved.jsonl";
  std::filesystem::rename(store, moved);
  std::filesystem::create_symlink(moved, store);
  EXPECT_THAT(Witness::Open(dir_.path() / "witness", clock_),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  std::filesystem::remove(store);
  ASSERT_EQ(::mkfifo(store.c_str(), 0600), 0);
  EXPECT_THAT(Witness::Open(dir_.path() / "witness", clock_),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  std::filesystem::remove(store);
  std::filesystem::rename(moved, store);
  ASSERT_NO_FATAL_FAILURE(Reopen());
}

// An init cut short (a crash before the key, written last) left the log's
// keys and an empty store: the next init makes the witness.
TEST_F(WitnessTest, AnInitCutShortIsMadeAgain) {
  const auto half = dir_.path() / "half";
  std::filesystem::create_directory(half);
  std::ofstream(half / "log-keys.txt") << "# from the attempt cut short\n";
  std::ofstream(half / "cosignatures.jsonl").flush();
  ASSERT_OK(Witness::Init(half, std::vector<LogKey>{log_.Key()}));
  auto opened = Witness::Open(half, clock_);
  ASSERT_OK(opened);
  log_.Append(3);
  EXPECT_OK((*opened)->Submit(Signed(log_.Checkpoint(), 0, {})));
}

// A key lost beside a store of countersignatures is a witness's loss, not
// an init cut short: its store is not wiped to make a new one.
TEST_F(WitnessTest, AStoreWithoutItsKeyIsNotMadeAgain) {
  log_.Append(5);
  ASSERT_OK(Submit(log_.Checkpoint(), 0, {}));
  witness_.reset();
  const auto dir = dir_.path() / "witness";
  const auto stored = std::filesystem::file_size(dir / "cosignatures.jsonl");
  ASSERT_GT(stored, 0u);
  std::filesystem::remove(dir / "witness.key");
  EXPECT_THAT(Witness::Init(dir, std::vector<LogKey>{log_.Key()}),
              ErrorCodeIs(ErrorCode::kConflict));
  EXPECT_EQ(std::filesystem::file_size(dir / "cosignatures.jsonl"), stored);
  EXPECT_TRUE(std::filesystem::exists(dir / "log-keys.txt"));
  EXPECT_FALSE(std::filesystem::exists(dir / "witness.key"));
}

TEST_F(WitnessTest, RefusesToStartWithAKeyOthersCanRead) {
  ::chmod((dir_.path() / "witness" / "witness.key").c_str(), 0644);
  EXPECT_THAT(Witness::Open(dir_.path() / "witness", clock_),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
}

// A key file that is not exactly a 32-byte seed in hex (cut short, longer,
// with junk after it, oversized) is a damaged key: refused, never read as
// some other key. Written back whole, it is the witness's key again.
TEST_F(WitnessTest, RefusesAKeyFileThatIsNotExactlyASeed) {
  const auto key_file = dir_.path() / "witness" / "witness.key";
  std::string hex;
  std::ifstream(key_file) >> hex;
  ASSERT_EQ(hex.size(), 64u);
  for (const std::string& damaged : {hex.substr(0, 63) + "\n", hex + "00\n", hex + "x\n",
                                     std::string(300, 'a'), std::string()}) {
    std::ofstream(key_file, std::ios::trunc) << damaged;
    EXPECT_THAT(Witness::Open(dir_.path() / "witness", clock_), ErrorCodeIs(ErrorCode::kDataLoss))
        << damaged;
  }
  std::ofstream(key_file, std::ios::trunc) << hex << " \n";
  ASSERT_NO_FATAL_FAILURE(Reopen());
  EXPECT_EQ(witness_->public_key(), witness_public_key_);
  // Kept elsewhere (an encrypted mount) and linked to, it is read there,
  // its mode checked on the file reached.
  const auto elsewhere = dir_.path() / "elsewhere.key";
  std::filesystem::rename(key_file, elsewhere);
  std::filesystem::create_symlink(elsewhere, key_file);
  ASSERT_NO_FATAL_FAILURE(Reopen());
  EXPECT_EQ(witness_->public_key(), witness_public_key_);
  ::chmod(elsewhere.c_str(), 0644);
  witness_.reset();
  EXPECT_THAT(Witness::Open(dir_.path() / "witness", clock_),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
}

TEST_F(WitnessTest, CountersignsTheFirstCheckpointAndKeepsItAcrossARestart) {
  log_.Append(5);
  auto cosigned = Submit(log_.Checkpoint(), 0, {});
  ASSERT_OK(cosigned);
  EXPECT_EQ(cosigned->checkpoint, log_.Checkpoint());
  EXPECT_EQ(cosigned->witnessed_unix_micros, 1'764'000'100'000'000);
  EXPECT_TRUE(CosignatureValid(*cosigned, witness_public_key_));
  EXPECT_FALSE(CosignatureValid(*cosigned, FakeLog().Key().public_key));
  Cosignature altered = *cosigned;
  altered.checkpoint.tree_size = 6;
  EXPECT_FALSE(CosignatureValid(altered, witness_public_key_));

  Reopen();
  ASSERT_TRUE(witness_->Latest().has_value());
  EXPECT_EQ(*witness_->Latest(), *cosigned);
}

TEST_F(WitnessTest, CountersignsAnExtensionProvedConsistent) {
  log_.Append(7);
  ASSERT_OK(Submit(log_.Checkpoint(), 0, {}));
  log_.Append(13);
  auto cosigned = Submit(log_.Checkpoint(), 7, log_.ProofFrom(7));
  ASSERT_OK(cosigned);
  EXPECT_EQ(cosigned->checkpoint.tree_size, 20u);
  EXPECT_EQ(StoredLines(), 2u);
  // The same checkpoint again changes nothing.
  auto again = Submit(log_.Checkpoint(), 20, {});
  ASSERT_OK(again);
  EXPECT_EQ(*again, *cosigned);
  EXPECT_EQ(StoredLines(), 2u);
}

// A store rotated away while serving: no new, unlocked store is begun at
// its path (where a second witness could start), and nothing is
// countersigned until the store the witness holds is back.
TEST_F(WitnessTest, AStoreMovedWhileServingIsNotBegunAgain) {
  log_.Append(3);
  ASSERT_OK(Submit(log_.Checkpoint(), 0, {}));
  const auto store = dir_.path() / "witness" / "cosignatures.jsonl";
  const auto rotated = dir_.path() / "witness" / "cosignatures.jsonl.1";
  std::filesystem::rename(store, rotated);
  log_.Append(4);
  EXPECT_THAT(Submit(log_.Checkpoint(), 3, log_.ProofFrom(3)), ErrorCodeIs(ErrorCode::kInternal));
  EXPECT_FALSE(std::filesystem::exists(store));
  // Another file put in its place is not ours either.
  std::filesystem::copy_file(rotated, store);
  EXPECT_THAT(Submit(log_.Checkpoint(), 3, log_.ProofFrom(3)), ErrorCodeIs(ErrorCode::kInternal));
  std::filesystem::remove(store);
  std::filesystem::rename(rotated, store);
  EXPECT_OK(Submit(log_.Checkpoint(), 3, log_.ProofFrom(3)));
  EXPECT_EQ(StoredLines(), 2u);
}

// Bytes the witness did not write at the store's end (an append that failed
// and could not be cut off, another writer): nothing is appended after them
// - its positions would no longer be the lines' - until a restart reads the
// store again.
TEST_F(WitnessTest, AStoreGrownBehindItsBackTakesNothingMoreUntilARestart) {
  log_.Append(3);
  ASSERT_OK(Submit(log_.Checkpoint(), 0, {}));
  const auto store = dir_.path() / "witness" / "cosignatures.jsonl";
  std::ofstream(store, std::ios::app | std::ios::binary) << "{\"checkpoint\":";
  const auto grown = std::filesystem::file_size(store);
  log_.Append(4);
  EXPECT_THAT(Submit(log_.Checkpoint(), 3, log_.ProofFrom(3)), ErrorCodeIs(ErrorCode::kInternal));
  EXPECT_EQ(std::filesystem::file_size(store), grown) << "nothing glued onto the fragment";
  ASSERT_NO_FATAL_FAILURE(Reopen());
  ASSERT_OK(Submit(log_.Checkpoint(), 3, log_.ProofFrom(3)));
  EXPECT_EQ(StoredLines(), 2u) << "the fragment was cut off at the restart";
}

// A store that cannot grow (here the process's file size limit, as a full
// disk) is the witness's failure, to retry: never the fork alarm, and the
// checkpoint is taken once the store can grow again.
TEST_F(WitnessTest, AStoreThatCannotGrowIsUnavailableNotAFork) {
  log_.Append(3);
  ASSERT_OK(Submit(log_.Checkpoint(), 0, {}));
  const auto store = dir_.path() / "witness" / "cosignatures.jsonl";
  const auto size = std::filesystem::file_size(store);
  rlimit before{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &before), 0);
  auto* const handler = std::signal(SIGXFSZ, SIG_IGN);  // EFBIG rather than the signal
  rlimit capped = before;
  capped.rlim_cur = size + 10;  // a few bytes of the line, not all of it
  log_.Append(4);
  const bool limited = ::setrlimit(RLIMIT_FSIZE, &capped) == 0;
  auto refused = Submit(log_.Checkpoint(), 3, log_.ProofFrom(3));
  const bool restored = ::setrlimit(RLIMIT_FSIZE, &before) == 0;
  std::signal(SIGXFSZ, handler);
  ASSERT_TRUE(limited && restored);
  EXPECT_THAT(refused, ErrorCodeIs(ErrorCode::kUnavailable));
  EXPECT_EQ(std::filesystem::file_size(store), size) << "the partial line was cut off";
  EXPECT_EQ(witness_->Latest()->checkpoint.tree_size, 3u);
  ASSERT_OK(Submit(log_.Checkpoint(), 3, log_.ProofFrom(3)));
  EXPECT_EQ(StoredLines(), 2u);
}

TEST_F(WitnessTest, AStaleBaseIsAConflictToRetryNotAnAlarm) {
  log_.Append(4);
  ASSERT_OK(Submit(log_.Checkpoint(), 0, {}));
  log_.Append(4);
  EXPECT_THAT(Submit(log_.Checkpoint(), 2, log_.ProofFrom(2)), ErrorCodeIs(ErrorCode::kConflict));
}

// A smaller checkpoint cannot be told from an older one, which anyone can
// replay (they are public): refused as stale, without the alarm. The
// truncated log is caught once it grows past the held tree again.
TEST_F(WitnessTest, RefusesATruncatedLog) {
  log_.Append(10);
  ASSERT_OK(Submit(log_.Checkpoint(), 0, {}));
  // The first six events, then other ones, signed with the log's own key.
  audit::MerkleTree truncated;
  for (int i = 0; i < 12; ++i) {
    std::string leaf = i < 6 ? "event " + std::to_string(i) : "forged " + std::to_string(i);
    truncated.AppendLeaf(crypto::AsBytes(leaf));
    if (truncated.Size() == 6) {
      audit::Checkpoint smaller{
          .tree_size = 6, .time_unix_micros = 1, .root = truncated.Root(), .key_id = 1};
      audit::SignCheckpoint(log_.signing_key(), smaller);
      EXPECT_THAT(Submit(smaller, 10, {}), ErrorCodeIs(ErrorCode::kConflict));
    }
  }
  audit::Checkpoint regrown{
      .tree_size = 12, .time_unix_micros = 2, .root = truncated.Root(), .key_id = 1};
  audit::SignCheckpoint(log_.signing_key(), regrown);
  auto proof = audit::ConsistencyProof(truncated, 10, 12);
  ASSERT_OK(proof);
  EXPECT_THAT(Submit(regrown, 10, *proof), ErrorCodeIs(ErrorCode::kDataLoss));
  EXPECT_EQ(StoredLines(), 1u);
  EXPECT_EQ(witness_->Latest()->checkpoint.tree_size, 10u);
}

TEST_F(WitnessTest, RefusesAForkAtTheSameSizeAndBeyond) {
  log_.Append(8);
  ASSERT_OK(Submit(log_.Checkpoint(), 0, {}));
  // Another history signed with the same key: one event rewritten.
  audit::MerkleTree forked;
  for (int i = 0; i < 12; ++i) {
    std::string leaf = i == 3 ? "event 3 rewritten" : "event " + std::to_string(i);
    forked.AppendLeaf(crypto::AsBytes(leaf));
    if (forked.Size() == 8) {
      audit::Checkpoint same_size{
          .tree_size = 8, .time_unix_micros = 2, .root = forked.Root(), .key_id = 1};
      audit::SignCheckpoint(log_.signing_key(), same_size);
      EXPECT_THAT(Submit(same_size, 8, {}), ErrorCodeIs(ErrorCode::kDataLoss));
    }
  }
  audit::Checkpoint beyond{
      .tree_size = 12, .time_unix_micros = 3, .root = forked.Root(), .key_id = 1};
  audit::SignCheckpoint(log_.signing_key(), beyond);
  auto proof = audit::ConsistencyProof(forked, 8, 12);
  ASSERT_OK(proof);
  EXPECT_THAT(Submit(beyond, 8, *proof), ErrorCodeIs(ErrorCode::kDataLoss));
  EXPECT_EQ(StoredLines(), 1u);
  ASSERT_TRUE(witness_->Latest().has_value());
  EXPECT_EQ(witness_->Latest()->checkpoint.tree_size, 8u);
}

TEST_F(WitnessTest, RefusesCheckpointsNotSignedByTheLogsKey) {
  log_.Append(3);
  FakeLog stranger(1);
  stranger.Append(3);
  EXPECT_THAT(Submit(stranger.Checkpoint(), 0, {}), ErrorCodeIs(ErrorCode::kPermissionDenied));
  audit::Checkpoint tampered = log_.Checkpoint();
  tampered.time_unix_micros += 1;
  EXPECT_THAT(Submit(tampered, 0, {}), ErrorCodeIs(ErrorCode::kPermissionDenied));
  FakeLog other_id(2);
  other_id.Append(3);
  EXPECT_THAT(Submit(other_id.Checkpoint(), 0, {}), ErrorCodeIs(ErrorCode::kPermissionDenied));
  EXPECT_FALSE(witness_->Latest().has_value());
}

// A key retired after size 5 (`vigie keys retire`), leaked later: it cannot
// make the witness countersign an extension of the log. Through log-keys.txt
// and a restart, as the witness's operator gives it.
TEST_F(WitnessTest, ARetiredKeyCannotSignBeyondTheSizeItWasRetiredAfter) {
  LogKey retired = log_.Key();
  retired.retired_after = 5;
  const auto dir = dir_.path() / "witness-of-a-rotated-log";
  ASSERT_OK(Witness::Init(dir, std::vector<LogKey>{retired}));
  auto witness = Witness::Open(dir, clock_);
  ASSERT_OK(witness);
  log_.Append(5);
  ASSERT_OK(SubmitTo(**witness, log_.Checkpoint(), 0, {}));  // up to its size: signed then
  log_.Append(3);
  auto refused = SubmitTo(**witness, log_.Checkpoint(), 5, log_.ProofFrom(5));
  EXPECT_THAT(refused, ErrorCodeIs(ErrorCode::kPermissionDenied));
  ASSERT_TRUE((*witness)->Latest().has_value());
  EXPECT_EQ((*witness)->Latest()->checkpoint.tree_size, 5u);
}

TEST_F(WitnessTest, RefusesToStartOnAnAlteredStore) {
  log_.Append(3);
  ASSERT_OK(Submit(log_.Checkpoint(), 0, {}));
  const auto store = dir_.path() / "witness" / "cosignatures.jsonl";
  std::string line;
  std::getline(std::ifstream(store) >> std::ws, line);
  auto pos = line.find("\"tree_size\":3");
  ASSERT_NE(pos, std::string::npos);
  line.replace(pos, 13, "\"tree_size\":2");
  std::ofstream(store, std::ios::trunc) << line << "\n";
  witness_.reset();
  EXPECT_THAT(Witness::Open(dir_.path() / "witness", clock_), ErrorCodeIs(ErrorCode::kDataLoss));
}

// Its countersignatures gone, a witness must not start over as a new one,
// ready to take a truncated log's checkpoint as its first.
TEST_F(WitnessTest, RefusesToStartWithoutItsStore) {
  const auto store = dir_.path() / "witness" / "cosignatures.jsonl";
  ASSERT_TRUE(std::filesystem::exists(store)) << "Init creates it, empty";
  std::filesystem::remove(store);
  EXPECT_THAT(Witness::Open(dir_.path() / "witness", clock_), ErrorCodeIs(ErrorCode::kDataLoss));
}

// Two countersigned roots at one size in the store: a fork it once took.
TEST_F(WitnessTest, RefusesToStartOnAStoreHoldingTwoRootsAtOneSize) {
  std::ifstream key_file(dir_.path() / "witness" / "witness.key");
  std::string hex;
  key_file >> hex;
  auto seed = crypto::HexDecode(hex);
  ASSERT_OK(seed);
  const crypto::Ed25519KeyPair key = crypto::Ed25519KeyPair::FromSeed(
      std::span<const uint8_t, crypto::kEd25519SeedSize>(seed->data(), crypto::kEd25519SeedSize));
  FakeLog other(/*key_id=*/1, "forked");
  log_.Append(4);
  other.Append(4);
  std::ofstream store(dir_.path() / "witness" / "cosignatures.jsonl", std::ios::trunc);
  for (const audit::Checkpoint& checkpoint : {log_.Checkpoint(), other.Checkpoint()}) {
    Cosignature cosignature{.checkpoint = checkpoint, .witnessed_unix_micros = 1};
    SignCosignature(key, cosignature);
    store << CosignatureLine(cosignature) << "\n";
  }
  store.close();
  witness_.reset();
  EXPECT_THAT(Witness::Open(dir_.path() / "witness", clock_), ErrorCodeIs(ErrorCode::kDataLoss));
}

// A log rewritten back to a size the witness countersigned long ago, and
// signed again there, contradicts the witness's own store: the alarm, even
// though the witness holds a larger tree now (and after a restart).
TEST_F(WitnessTest, RefusesAForkAtAnOlderSizeItCountersigned) {
  log_.Append(2);
  ASSERT_OK(Submit(log_.Checkpoint(), 0, {}));
  std::vector<audit::Checkpoint> signed_then;  // by size / 2 - 1
  signed_then.push_back(log_.Checkpoint());
  for (int i = 1; i < 300; ++i) {  // past the store's first bookmark
    const uint64_t held = log_.Checkpoint().tree_size;
    log_.Append(2);
    ASSERT_OK(Submit(log_.Checkpoint(), held, log_.ProofFrom(held)));
    signed_then.push_back(log_.Checkpoint());
  }
  auto forked_at = [&](uint64_t size) {
    FakeLog other(/*key_id=*/1, " rewritten");
    other.Append(size);
    audit::Checkpoint forged = other.Checkpoint();
    audit::SignCheckpoint(log_.signing_key(), forged);
    return forged;
  };
  for (int round = 0; round < 2; ++round) {
    for (uint64_t size : {4u, 10u, 520u, 598u}) {
      SCOPED_TRACE("size " + std::to_string(size));
      EXPECT_THAT(Submit(forked_at(size), 600, {}), ErrorCodeIs(ErrorCode::kDataLoss));
      // The genuine checkpoint of that size, signed again: stale, no alarm.
      audit::Checkpoint again = signed_then[size / 2 - 1];
      again.time_unix_micros += 7;
      audit::SignCheckpoint(log_.signing_key(), again);
      EXPECT_THAT(Submit(again, 600, {}), ErrorCodeIs(ErrorCode::kConflict));
    }
    // A size it never countersigned cannot be told from an older checkpoint.
    EXPECT_THAT(Submit(forked_at(11), 600, {}), ErrorCodeIs(ErrorCode::kConflict));
    EXPECT_EQ(StoredLines(), 300u);
    Reopen();
  }
}

// The witness's own store damaged under it is its failure (500), not a fork
// of the log it would report to the log's operators.
TEST_F(WitnessTest, AStoreDamagedWhileServingIsAnInternalFailureNotAFork) {
  log_.Append(2);
  ASSERT_OK(Submit(log_.Checkpoint(), 0, {}));
  const audit::Checkpoint first = log_.Checkpoint();
  log_.Append(2);
  ASSERT_OK(Submit(log_.Checkpoint(), 2, log_.ProofFrom(2)));
  {
    std::fstream store(dir_.path() / "witness" / "cosignatures.jsonl",
                       std::ios::in | std::ios::out | std::ios::binary);
    store.seekp(0);
    store.put('X');  // the first line is no longer JSON
  }
  EXPECT_THAT(Submit(first, 4, {}), ErrorCodeIs(ErrorCode::kInternal));
}

// Same size, same root, another chain hash: both signed by the log's key,
// they cannot both be true.
TEST_F(WitnessTest, RefusesAnotherChainHashAtTheHeldSize) {
  log_.Append(5);
  ASSERT_OK(Submit(log_.Checkpoint(), 0, {}));
  audit::Checkpoint other = log_.Checkpoint();
  other.chain_hash[0] ^= 1;
  audit::SignCheckpoint(log_.signing_key(), other);
  EXPECT_THAT(Submit(other, 5, {}), ErrorCodeIs(ErrorCode::kDataLoss));
  log_.Append(1);
  audit::Checkpoint older = log_.Checkpoint();
  ASSERT_OK(Submit(older, 5, log_.ProofFrom(5)));
  EXPECT_THAT(Submit(other, 6, {}), ErrorCodeIs(ErrorCode::kDataLoss)) << "nor at an older size";
}

TEST_F(WitnessTest, MalformedSubmissionsAreNoAlarm) {
  // The log never signs the empty tree; held, it would block every proof.
  audit::Checkpoint empty = log_.Checkpoint();
  EXPECT_THAT(Submit(empty, 0, {}), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_FALSE(witness_->Latest().has_value());

  log_.Append(5);
  ASSERT_OK(Submit(log_.Checkpoint(), 0, {}));
  log_.Append(6);
  // A public checkpoint with a proof of the wrong length: malformed, not
  // evidence of a fork.
  std::vector<audit::Sha256Digest> proof = log_.ProofFrom(5);
  std::vector<audit::Sha256Digest> longer = proof;
  longer.push_back(proof.front());
  std::vector<audit::Sha256Digest> shorter(proof.begin(), proof.end() - 1);
  for (const auto& bad : {longer, shorter, std::vector<audit::Sha256Digest>{}}) {
    EXPECT_THAT(Submit(log_.Checkpoint(), 5, bad), ErrorCodeIs(ErrorCode::kInvalidArgument));
  }
  // The right length with a changed hash is the alarm.
  proof.back()[0] ^= 1;
  EXPECT_THAT(Submit(log_.Checkpoint(), 5, proof), ErrorCodeIs(ErrorCode::kDataLoss));
  EXPECT_EQ(witness_->Latest()->checkpoint.tree_size, 5u);
}

// Checkpoints are public: whoever holds a newer one but not the log's key
// cannot offer a proof, so cannot make a junk one raise the alarm.
TEST_F(WitnessTest, OnlyTheLogsKeyMayOfferAProof) {
  log_.Append(5);
  ASSERT_OK(Submit(log_.Checkpoint(), 0, {}));
  log_.Append(6);
  std::vector<audit::Sha256Digest> junk = log_.ProofFrom(5);
  junk.back()[0] ^= 1;
  Submission unsigned_submission{
      .checkpoint = log_.Checkpoint(), .from_size = 5, .consistency_proof = junk};
  EXPECT_THAT(witness_->Submit(unsigned_submission), ErrorCodeIs(ErrorCode::kPermissionDenied));
  Submission foreign = unsigned_submission;
  foreign.signature = crypto::Ed25519KeyPair::Generate().Sign(SubmissionSignedText(foreign));
  EXPECT_THAT(witness_->Submit(foreign), ErrorCodeIs(ErrorCode::kPermissionDenied));
  // Signed with the genuine proof, which is then swapped, or its base moved.
  Submission altered = Signed(log_.Checkpoint(), 5, log_.ProofFrom(5));
  altered.consistency_proof = junk;
  EXPECT_THAT(witness_->Submit(altered), ErrorCodeIs(ErrorCode::kPermissionDenied));
  Submission rebased = Signed(log_.Checkpoint(), 5, log_.ProofFrom(5));
  rebased.from_size = 4;  // not the held size: stale, before any proof is read
  EXPECT_THAT(witness_->Submit(rebased), ErrorCodeIs(ErrorCode::kConflict));
  rebased.from_size = 5;
  rebased.consistency_proof.front()[0] ^= 1;  // altered after signing
  EXPECT_THAT(witness_->Submit(rebased), ErrorCodeIs(ErrorCode::kPermissionDenied));
  EXPECT_EQ(witness_->Latest()->checkpoint.tree_size, 5u);
  EXPECT_EQ(StoredLines(), 1u);
  // The same junk under the log's own key is its statement: the alarm.
  EXPECT_THAT(Submit(log_.Checkpoint(), 5, junk), ErrorCodeIs(ErrorCode::kDataLoss));
  ASSERT_OK(Submit(log_.Checkpoint(), 5, log_.ProofFrom(5)));
  EXPECT_EQ(StoredLines(), 2u);
}

// A checkpoint contradicting one the witness countersigned is evidence by
// itself (the log's key signed both): whoever holds it - an auditor shown a
// forked log - may post it unsigned, and the alarm is raised.
TEST_F(WitnessTest, AContradictingCheckpointNeedsNoSubmissionSignature) {
  log_.Append(4);
  ASSERT_OK(Submit(log_.Checkpoint(), 0, {}));
  const audit::Checkpoint older = log_.Checkpoint();
  log_.Append(4);
  ASSERT_OK(Submit(log_.Checkpoint(), 4, log_.ProofFrom(4)));
  FakeLog fork(/*key_id=*/1, " forked");
  for (uint64_t size : {4u, 8u}) {
    fork.Append(size - (size == 8u ? 4u : 0u));
    audit::Checkpoint forked = fork.Checkpoint();
    audit::SignCheckpoint(log_.signing_key(), forked);
    EXPECT_THAT(witness_->Submit(Submission{.checkpoint = forked, .from_size = 8}),
                ErrorCodeIs(ErrorCode::kDataLoss))
        << size;
  }
  // The genuine older one, unsigned: stale, no alarm.
  EXPECT_THAT(witness_->Submit(Submission{.checkpoint = older, .from_size = 8}),
              ErrorCodeIs(ErrorCode::kConflict));
  EXPECT_EQ(StoredLines(), 2u);
}

// A log with two keys (a rotation): a submission is signed by the key of its
// own checkpoint, not by any key of the log.
TEST_F(WitnessTest, ASubmissionIsSignedByItsCheckpointsKey) {
  FakeLog rotated(/*key_id=*/2);
  const auto dir = dir_.path() / "witness-of-two-keys";
  ASSERT_OK(Witness::Init(dir, std::vector<LogKey>{log_.Key(), rotated.Key()}));
  auto witness = Witness::Open(dir, clock_);
  ASSERT_OK(witness);
  rotated.Append(3);
  EXPECT_THAT(SubmitTo(**witness, rotated.Checkpoint(), 0, {}),
              ErrorCodeIs(ErrorCode::kPermissionDenied));
  Submission own{.checkpoint = rotated.Checkpoint()};
  own.signature = rotated.signing_key().Sign(SubmissionSignedText(own));
  EXPECT_OK((*witness)->Submit(own));
}

// A crash while a line was written leaves it without its newline: never
// acknowledged, it is cut off at the next start, and the store goes on.
TEST_F(WitnessTest, ALastLineACrashCutShortIsCutOffAtStart) {
  log_.Append(3);
  ASSERT_OK(Submit(log_.Checkpoint(), 0, {}));
  witness_.reset();
  const auto store = dir_.path() / "witness" / "cosignatures.jsonl";
  const auto size = std::filesystem::file_size(store);
  std::ofstream(store, std::ios::app) << "{\"checkpoint\":{\"tree_size\":9";
  Reopen();
  EXPECT_EQ(std::filesystem::file_size(store), size);
  EXPECT_EQ(witness_->Latest()->checkpoint.tree_size, 3u);
  log_.Append(2);
  ASSERT_OK(Submit(log_.Checkpoint(), 3, log_.ProofFrom(3)));
  Reopen();
  EXPECT_EQ(witness_->Latest()->checkpoint.tree_size, 5u);
  EXPECT_EQ(StoredLines(), 2u);
}

// A line whole but for its newline (an editor that strips it, or a crash
// right after the line) is a countersignature given: kept, newline added.
TEST_F(WitnessTest, ALastLineMissingOnlyItsNewlineIsKept) {
  log_.Append(3);
  ASSERT_OK(Submit(log_.Checkpoint(), 0, {}));
  log_.Append(2);
  ASSERT_OK(Submit(log_.Checkpoint(), 3, log_.ProofFrom(3)));
  witness_.reset();
  const auto store = dir_.path() / "witness" / "cosignatures.jsonl";
  std::filesystem::resize_file(store, std::filesystem::file_size(store) - 1);
  Reopen();
  EXPECT_EQ(witness_->Latest()->checkpoint.tree_size, 5u);
  EXPECT_EQ(StoredLines(), 2u);
  log_.Append(1);
  ASSERT_OK(Submit(log_.Checkpoint(), 5, log_.ProofFrom(5)));
  Reopen();
  EXPECT_EQ(witness_->Latest()->checkpoint.tree_size, 6u);
  EXPECT_EQ(StoredLines(), 3u);
}

// A last line that is whole but does not check is no cut write: damage
// (or a planted line), refused rather than cut off in silence.
TEST_F(WitnessTest, AWholeLastLineThatDoesNotCheckIsRefusedNotCut) {
  log_.Append(3);
  ASSERT_OK(Submit(log_.Checkpoint(), 0, {}));
  witness_.reset();
  const auto store = dir_.path() / "witness" / "cosignatures.jsonl";
  std::string text;
  {
    std::ifstream in(store, std::ios::binary);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  const size_t at = text.find("\"witness_signature\":\"") + 21;
  ASSERT_LT(at, text.size());
  text.pop_back();  // and no newline
  // A signature that does not check, then one that is not even base64.
  for (const char altered : {text[at] == 'A' ? 'B' : 'A', '*'}) {
    text[at] = altered;
    std::ofstream(store, std::ios::binary | std::ios::trunc) << text;
    EXPECT_THAT(Witness::Open(dir_.path() / "witness", clock_), ErrorCodeIs(ErrorCode::kDataLoss));
    EXPECT_EQ(std::filesystem::file_size(store), text.size()) << "nothing cut: " << altered;
  }
}

TEST_F(WitnessTest, OneProcessServesADirectoryAtATime) {
  EXPECT_THAT(Witness::Open(dir_.path() / "witness", clock_), ErrorCodeIs(ErrorCode::kConflict));
  witness_.reset();
  EXPECT_OK(Witness::Open(dir_.path() / "witness", clock_));
}

}  // namespace
}  // namespace vigie::witness
