#include "witness/witness.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "audit/merkle_verify.h"
#include "core/durable_file.h"
#include "core/log.h"
#include "core/regular_file.h"
#include "crypto/hash.h"
#include "crypto/secret_bytes.h"

namespace vigie::witness {
namespace {

constexpr const char* kKeyFile = "witness.key";
constexpr const char* kLogKeysFile = "log-keys.txt";
constexpr const char* kCosignaturesFile = "cosignatures.jsonl";

Error SystemError(std::string_view what, const std::filesystem::path& path) {
  return Error(ErrorCode::kUnavailable,
               std::string(what) + " " + path.string() + ": " + std::strerror(errno));
}

Result<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(ErrorCode::kNotFound, "cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The seed's hex text, read straight into a SecretBytes: no stream or
// string buffer is left in freed memory holding the witness's authority.
// The mode is checked on the file opened (a link is followed, as before).
Result<crypto::SecretBytes> ReadSeedText(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail(SystemError("cannot read", path));
  const struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0) return Fail(SystemError("cannot read", path));
  // Security: the witness's key is its whole authority.
  if ((info.st_mode & 077) != 0) {
    return Fail(ErrorCode::kInvalidArgument,
                path.string() + " is readable by others: chmod 600 it");
  }
  constexpr size_t kMostBytes = 2 * crypto::kEd25519SeedSize + 64;  // room for line ends
  crypto::SecretBytes text(kMostBytes + 1);                         // one more: a longer file shows
  size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = ::read(fd, text.mutable_view().data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Fail(SystemError("cannot read", path));
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  if (got > kMostBytes) got = 0;  // not a seed: refused below, as an empty one
  crypto::SecretBytes exact(text.view().first(got));
  return exact;
}

Result<crypto::Ed25519KeyPair> LoadKey(const std::filesystem::path& path) {
  ASSIGN_OR_RETURN(crypto::SecretBytes text, ReadSeedText(path));
  std::span<const uint8_t> hex = text.view();
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == ' ')) hex = hex.first(hex.size() - 1);
  std::optional<crypto::SecretBytes> seed = crypto::HexDecodeSecret(hex, crypto::kEd25519SeedSize);
  if (!seed) {
    return Fail(ErrorCode::kDataLoss, path.string() + " does not hold a 32-byte hex seed");
  }
  return crypto::Ed25519KeyPair::FromSeed(std::span<const uint8_t, crypto::kEd25519SeedSize>(
      seed->view().data(), crypto::kEd25519SeedSize));
}

}  // namespace

std::string LogKeyLine(const LogKey& key) {
  std::string line = std::to_string(key.key_id) + " " + crypto::HexEncode(key.public_key);
  if (key.retired_after) line += " retired-after " + std::to_string(*key.retired_after);
  return line;
}

namespace {

// Digits only, in range: ">>" into a number would take a sign (and wrap a
// negative one round to a valid id) or skip spaces in it.
std::optional<uint64_t> DecimalNumber(std::string_view digits) {
  uint64_t number = 0;
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos ||
      std::from_chars(digits.data(), digits.data() + digits.size(), number).ec != std::errc()) {
    return std::nullopt;
  }
  return number;
}

}  // namespace

Result<std::vector<LogKey>> ParseLogKeys(std::string_view text) {
  std::vector<LogKey> keys;
  std::istringstream lines{std::string(text)};
  size_t number = 0;
  for (std::string line; std::getline(lines, line);) {
    ++number;
    if (line.empty() || line.starts_with('#')) continue;
    std::istringstream fields(line);
    std::string id_digits, hex, word, rest;
    fields >> id_digits >> hex;
    const std::optional<uint64_t> id = DecimalNumber(id_digits);
    auto bytes = crypto::HexDecode(hex);
    bool ok = !fields.fail() && id && *id <= UINT32_MAX && bytes &&
              bytes->size() == crypto::kEd25519PublicKeySize;
    std::optional<uint64_t> retired_after;
    if (ok && (fields >> word)) {
      std::string digits;
      fields >> digits;
      retired_after = DecimalNumber(digits);
      ok = word == "retired-after" && retired_after;
    }
    if (!ok || (fields >> rest)) {
      return Fail(ErrorCode::kInvalidArgument,
                  "log key line " + std::to_string(number) +
                      ": expected \"<key id> <64 hex digits> [retired-after <tree size>]\"");
    }
    // One line a key: with two, which one holds (a retired key's bound, say)
    // would depend on their order.
    if (std::any_of(keys.begin(), keys.end(), [&](const LogKey& k) { return k.key_id == *id; })) {
      return Fail(ErrorCode::kInvalidArgument, "log key line " + std::to_string(number) + ": key " +
                                                   std::to_string(*id) + " is listed already");
    }
    LogKey key{.key_id = static_cast<uint32_t>(*id), .retired_after = retired_after};
    std::memcpy(key.public_key.data(), bytes->data(), key.public_key.size());
    keys.push_back(key);
  }
  if (keys.empty()) return Fail(ErrorCode::kInvalidArgument, "no log key given");
  return keys;
}

// Every kBookmarkEvery-th line of the store is bookmarked (its tree size and
// offset): the cosignature held at an older size is then a short read away,
// without keeping every one in memory.
constexpr uint64_t kBookmarkEvery = 256;

struct Bookmark {
  uint64_t tree_size = 0;
  uint64_t offset = 0;
};

// Two checkpoints of one tree size that the log's key signed with different
// contents: the log was rewritten. (A re-signed checkpoint differs only in
// its time.)
bool Contradict(const audit::Checkpoint& a, const audit::Checkpoint& b) {
  return a.tree_size == b.tree_size && (a.root != b.root || a.chain_hash != b.chain_hash);
}

struct Witness::State {
  crypto::Ed25519KeyPair key;
  std::vector<LogKey> log_keys;
  std::filesystem::path store;
  const Clock* clock;
  int lock_fd = -1;  // flock'ed: one witness process per directory
  mutable std::mutex mutex;
  // Guarded by mutex:
  std::optional<Cosignature> latest;
  std::vector<Bookmark> bookmarks;  // sizes never decreasing, as the store's lines
  uint64_t lines = 0;               // in the store
  uint64_t store_bytes = 0;

  ~State() {
    if (lock_fd >= 0) ::close(lock_fd);
  }

  void Took(const Cosignature& cosignature, size_t line_bytes) {
    if (lines++ % kBookmarkEvery == 0) {
      bookmarks.push_back({.tree_size = cosignature.checkpoint.tree_size, .offset = store_bytes});
    }
    store_bytes += line_bytes;
    latest = cosignature;
  }

  // Security: the store is read and appended to by its path. Moved,
  // replaced or removed while serving (a log rotation, a restore), the path
  // would lead to another file: a new empty store the lock does not cover,
  // where a second witness could start, and whose positions are not ours.
  // Refused until a restart checks the store again.
  Result<void> StoreIsTheLockedFile() const {
    struct stat at_path {};
    struct stat locked {};
    if (::fstat(lock_fd, &locked) != 0) return Fail(SystemError("cannot look at", store));
    if (::stat(store.c_str(), &at_path) != 0 || at_path.st_dev != locked.st_dev ||
        at_path.st_ino != locked.st_ino) {
      Log(LogLevel::kError, "witness_store_replaced", {{"store", store.string()}});
      // The witness's own failure (500), as for a damaged store: not a
      // refusal the log's operators would take for a fork of their log.
      return Fail(ErrorCode::kInternal,
                  store.string() +
                      " was moved, replaced or removed while the witness served: "
                      "restart the witness");
    }
    return {};
  }

  // The store's size is what the witness wrote: an append that failed and
  // could not be cut off (an append-only file refuses the cut), or bytes
  // written from outside, would put the next line after bytes the positions
  // do not count, or glue it onto a fragment. Refused until a restart reads
  // the store again. Under the mutex.
  Result<void> StoreEndsWhereWeWrote() const {
    struct stat locked {};
    if (::fstat(lock_fd, &locked) != 0) return Fail(SystemError("cannot look at", store));
    if (static_cast<uint64_t>(locked.st_size) != store_bytes) {
      Log(LogLevel::kError, "witness_store_out_of_step",
          {{"store", store.string()},
           {"bytes", static_cast<int64_t>(locked.st_size)},
           {"written", static_cast<int64_t>(store_bytes)}});
      return Fail(ErrorCode::kInternal, store.string() + " holds " +
                                            std::to_string(locked.st_size) +
                                            " bytes where the witness wrote " +
                                            std::to_string(store_bytes) + ": restart the witness");
    }
    return {};
  }

  // Where the store's lines for a checkpoint of `tree_size` start: the last
  // bookmark below it. Under the mutex.
  uint64_t OffsetFor(uint64_t tree_size) const {
    auto after = std::partition_point(bookmarks.begin(), bookmarks.end(),
                                      [&](const Bookmark& b) { return b.tree_size < tree_size; });
    return after == bookmarks.begin() ? 0 : std::prev(after)->offset;
  }

  // The cosignature held for a checkpoint of `tree_size`, if the witness
  // countersigned one; read from the store from `from` (OffsetFor). Needs no
  // mutex when a larger tree is held: the lines it reads are written whole
  // and never change.
  Result<std::optional<Cosignature>> HeldAt(uint64_t tree_size, uint64_t from) const {
    RETURN_IF_ERROR(StoreIsTheLockedFile());
    std::ifstream in(store, std::ios::binary);
    if (!in || !in.seekg(static_cast<std::streamoff>(from))) {
      return Fail(ErrorCode::kUnavailable, "cannot read " + store.string());
    }
    for (std::string line; std::getline(in, line);) {
      auto parsed = ParseCosignatureLine(line);
      // Checked at start and appended since by this process alone: the
      // store itself is damaged, not the submission. The witness's own
      // failure (500), not a refusal the log's operators would take for a
      // fork of their log.
      if (!parsed) {
        Log(LogLevel::kError, "witness_store_damaged",
            {{"store", store.string()}, {"error", parsed.error().message()}});
        return Fail(ErrorCode::kInternal,
                    store.string() + " is damaged: " + parsed.error().message());
      }
      const Cosignature& held = *parsed;
      if (held.checkpoint.tree_size == tree_size) return std::optional<Cosignature>(held);
      if (held.checkpoint.tree_size > tree_size) break;
    }
    return std::optional<Cosignature>{};
  }
};

Witness::Witness(std::unique_ptr<State> state) : state_(std::move(state)) {}
Witness::~Witness() = default;

Result<crypto::Ed25519PublicKey> Witness::Init(const std::filesystem::path& dir,
                                               std::span<const LogKey> log_keys) {
  if (log_keys.empty()) return Fail(ErrorCode::kInvalidArgument, "no log key given");
  std::error_code ec;
  // A link counts as there (a dangling one too): never removed nor followed.
  if (std::filesystem::symlink_status(dir / kKeyFile, ec).type() !=
      std::filesystem::file_type::not_found) {
    return Fail(ErrorCode::kConflict, dir.string() + " already holds a witness");
  }
  // What an earlier init cut short left (the key is written last): made
  // again - unless the store holds countersignatures (or is not a plain
  // file), a witness that lost its key rather than one never made, whose
  // store must not be wiped.
  const auto store = std::filesystem::symlink_status(dir / kCosignaturesFile, ec);
  if (store.type() != std::filesystem::file_type::not_found &&
      (store.type() != std::filesystem::file_type::regular ||
       std::filesystem::file_size(dir / kCosignaturesFile, ec) != 0 || ec)) {
    return Fail(ErrorCode::kConflict, dir.string() +
                                          " holds a store of countersignatures but no key: a "
                                          "witness that lost its key, not one to make again");
  }
  // Security: a directory that was there must be the user's own and closed
  // to others - whoever can write in it can swap the log's keys or empty
  // the store - as one made here is (0700).
  struct stat existing {};
  if (::lstat(dir.c_str(), &existing) == 0 &&
      (!S_ISDIR(existing.st_mode) || existing.st_uid != ::geteuid() ||
       (existing.st_mode & (S_IWGRP | S_IWOTH)) != 0)) {
    return Fail(ErrorCode::kInvalidArgument,
                dir.string() + " must be a directory of this user's that others cannot write to");
  }
  for (const char* leftover : {kLogKeysFile, kCosignaturesFile}) {
    std::filesystem::remove(dir / leftover, ec);
    if (ec) return Fail(ErrorCode::kUnavailable, "cannot remove " + (dir / leftover).string());
  }
  // The levels about to be made: each new name is made durable in its parent
  // too, or a power cut could take the whole directory, key included.
  std::vector<std::filesystem::path> made;
  for (std::filesystem::path level = std::filesystem::absolute(dir, ec).lexically_normal();
       !ec && level.has_relative_path() && !std::filesystem::exists(level, ec);
       level = level.parent_path()) {
    made.push_back(level);
  }
  std::filesystem::create_directories(dir, ec);
  if (ec) return Fail(ErrorCode::kUnavailable, "cannot create " + dir.string() + ": " + ec.message());
  for (const std::filesystem::path& level : made) {
    if (!SyncDirectoryOf(level))
      return Fail(SystemError("cannot make durable the creation of", level));
  }
  // Only a directory made here is restricted: one that was there (the
  // operator's, perhaps shared) keeps its mode; the key file is 0600 anyway.
  if (!made.empty()) {
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
    if (ec) {
      return Fail(ErrorCode::kUnavailable,
                  "cannot restrict permissions of " + dir.string() + ": " + ec.message());
    }
  }
  std::string keys_text =
      "# The audit log's checkpoint keys this witness accepts: <key id> <Ed25519 public key>\n"
      "# [retired-after <the largest tree size a retired key may sign>]\n";
  for (const LogKey& key : log_keys) keys_text += LogKeyLine(key) + "\n";
  crypto::SecretBytes seed = crypto::SecretBytes::Random(crypto::kEd25519SeedSize);
  // Durable, names included, before the public key is printed: a witness
  // that lost its key to a power cut would need a new one configured. All
  // or none; the key last, so that a directory without it is no witness.
  // The store is empty, but there: a store missing later is a loss, not a
  // new witness.
  std::vector<NewDurableFile> files;
  for (const auto& [name, text, mode] :
       {std::tuple{kLogKeysFile, std::string_view(keys_text), 0644u},
        std::tuple{kCosignaturesFile, std::string_view(), 0644u}}) {
    ASSIGN_OR_RETURN(NewDurableFile file, NewDurableFile::Create(dir / name, mode));
    RETURN_IF_ERROR(file.Append(text));
    files.push_back(std::move(file));
  }
  ASSIGN_OR_RETURN(NewDurableFile key_file, NewDurableFile::Create(dir / kKeyFile, 0600));
  // Encoded into a SecretBytes, wiped once written (as ReadSeedText reads it).
  const crypto::SecretBytes hex = crypto::HexEncodeSecret(seed.view());
  RETURN_IF_ERROR(key_file.Append(
      std::string_view(reinterpret_cast<const char*>(hex.view().data()), hex.size())));
  RETURN_IF_ERROR(key_file.Append("\n"));
  files.push_back(std::move(key_file));
  RETURN_IF_ERROR(CommitAll(files));
  return crypto::Ed25519KeyPair::FromSeed(
             std::span<const uint8_t, crypto::kEd25519SeedSize>(seed.view().data(),
                                                                crypto::kEd25519SeedSize))
      .public_key();
}

Result<std::unique_ptr<Witness>> Witness::Open(const std::filesystem::path& dir,
                                               const Clock& clock) {
  ASSIGN_OR_RETURN(crypto::Ed25519KeyPair key, LoadKey(dir / kKeyFile));
  ASSIGN_OR_RETURN(std::string keys_text, ReadFile(dir / kLogKeysFile));
  ASSIGN_OR_RETURN(std::vector<LogKey> log_keys, ParseLogKeys(keys_text));
  auto state = std::unique_ptr<State>(new State{.key = std::move(key),
                                                .log_keys = std::move(log_keys),
                                                .store = dir / kCosignaturesFile,
                                                .clock = &clock});
  // The store is read, locked and appended to never through a link (nor a
  // FIFO): one in its place would have the witness answer but never
  // countersign. Refused here. Security: a store gone or unreadable would
  // make a new witness of an old one, ready to countersign a truncated log
  // as its first checkpoint.
  // (Read-write: an exclusive lock emulated over NFS needs it.)
  Result<int> store = OpenRegularFile(state->store, O_RDWR);
  if (!store) {
    if (store.error().code() == ErrorCode::kNotFound) {
      return Fail(ErrorCode::kDataLoss, "cannot read " + state->store.string() +
                                            ": the witness's countersignatures are missing");
    }
    if (store.error().code() == ErrorCode::kInvalidArgument) {
      return Fail(ErrorCode::kInvalidArgument,
                  state->store.string() + " must be a regular file, not a link or a FIFO");
    }
    return std::unexpected(store.error());
  }
  state->lock_fd = *store;
  // Two witnesses on one store would each hold their own latest tree, and
  // could countersign two branches of a forked log.
  if (::flock(state->lock_fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) return Fail(SystemError("cannot lock", state->store));
    return Fail(ErrorCode::kConflict,
                "another witness process serves " + dir.string() + ": stop it first");
  }
  const int reader = ::fcntl(state->lock_fd, F_DUPFD_CLOEXEC, 0);
  if (reader < 0) return Fail(SystemError("cannot read", state->store));
  DescriptorStream in(reader);
  size_t number = 0;
  for (std::string line; in && std::getline(in, line);) {
    ++number;
    const std::string where = state->store.string() + ":" + std::to_string(number);
    auto cosignature = ParseCosignatureLine(line);
    if (in.eof() && !WrittenWholeJson(line)) {
      // A last line without its newline and not whole: a write a crash cut
      // short, so never acknowledged to the log. Cut it off, or the witness
      // would not start (or would glue its next line onto it). A whole line
      // that does not check is damage, refused below like any other.
      Log(LogLevel::kWarn, "witness_partial_line_cut", {{"line", where}});
      if (::truncate(state->store.c_str(), static_cast<off_t>(state->store_bytes)) != 0) {
        return Fail(SystemError("cannot cut the partial last line of", state->store));
      }
      break;
    }
    if (!cosignature) {
      return Fail(ErrorCode::kDataLoss, where + ": " + cosignature.error().message());
    }
    if (!CosignatureValid(*cosignature, state->key.public_key())) {
      return Fail(ErrorCode::kDataLoss, where + ": not countersigned by this witness's key");
    }
    if (state->latest && cosignature->checkpoint.tree_size < state->latest->checkpoint.tree_size) {
      return Fail(ErrorCode::kDataLoss, where + ": tree size goes backwards");
    }
    if (state->latest && Contradict(cosignature->checkpoint, state->latest->checkpoint)) {
      return Fail(ErrorCode::kDataLoss, where + ": another root at a size already countersigned");
    }
    if (in.eof()) {
      // Whole but for its newline (an editor, or a crash after the line):
      // a countersignature given is kept.
      RETURN_IF_ERROR(AppendDurably(state->store, "\n", 0644));
    }
    state->Took(*cosignature, line.size() + 1);
  }
  if (in.bad()) {
    return Fail(ErrorCode::kDataLoss, "cannot read " + state->store.string() + " to its end");
  }
  return std::unique_ptr<Witness>(new Witness(std::move(state)));
}

const crypto::Ed25519PublicKey& Witness::public_key() const { return state_->key.public_key(); }

const std::vector<LogKey>& Witness::log_keys() const { return state_->log_keys; }

std::optional<Cosignature> Witness::Latest() const {
  std::lock_guard lock(state_->mutex);
  return state_->latest;
}

Result<void> Witness::Persist(const Cosignature& cosignature) {
  const std::string line = CosignatureLine(cosignature) + "\n";
  RETURN_IF_ERROR(state_->StoreIsTheLockedFile());
  RETURN_IF_ERROR(state_->StoreEndsWhereWeWrote());
  // Whatever the append's failure (a full disk, an append-only store that
  // refuses the cut of a partial line: DataLoss there), it is the witness's
  // own, never the alarm DataLoss means to the log's publisher. A partial
  // line left behind stops what follows (StoreEndsWhereWeWrote).
  if (Result<void> appended = AppendDurably(state_->store, line, 0644); !appended) {
    Log(LogLevel::kError, "witness_store_not_written", {{"error", appended.error().message()}});
    return Fail(ErrorCode::kUnavailable, appended.error().message());
  }
  state_->Took(cosignature, line.size());
  return {};
}

Result<Cosignature> Witness::Submit(const Submission& submission) {
  const audit::Checkpoint& checkpoint = submission.checkpoint;
  const uint64_t from_size = submission.from_size;
  std::span<const audit::Sha256Digest> proof = submission.consistency_proof;
  const LogKey* signer = nullptr;
  for (const LogKey& key : state_->log_keys) {
    if (key.key_id == checkpoint.key_id) signer = &key;
  }
  if (signer == nullptr || !audit::CheckpointSignatureValid(checkpoint, signer->public_key)) {
    return Fail(ErrorCode::kPermissionDenied, "checkpoint is not signed by a key of this log");
  }
  // A leaked old key must not extend the log: it stopped signing at that size.
  if (signer->retired_after && checkpoint.tree_size > *signer->retired_after) {
    Log(LogLevel::kError, "witness_retired_key_used",
        {{"key_id", static_cast<unsigned long>(checkpoint.key_id)},
         {"retired_after", std::to_string(*signer->retired_after)},
         {"offered_checkpoint", audit::WitnessLine(checkpoint)}});
    return Fail(ErrorCode::kPermissionDenied,
                "checkpoint is signed by key " + std::to_string(checkpoint.key_id) +
                    ", retired after tree size " + std::to_string(*signer->retired_after));
  }
  // The log never signs the empty tree; held, it would block every proof.
  if (checkpoint.tree_size == 0) {
    return Fail(ErrorCode::kInvalidArgument, "a checkpoint of the empty tree proves nothing");
  }
  std::unique_lock lock(state_->mutex);
  const std::optional<Cosignature>& latest = state_->latest;
  const uint64_t held = latest ? latest->checkpoint.tree_size : 0;
  // The offered checkpoint goes into the log line whole: it is the evidence.
  auto alarm = [&](std::string what) {
    Log(LogLevel::kError, "witness_inconsistent_checkpoint",
        {{"problem", what},
         {"held_size", std::to_string(held)},
         {"offered_size", std::to_string(checkpoint.tree_size)},
         {"offered_checkpoint", audit::WitnessLine(checkpoint)}});
    return Fail(ErrorCode::kDataLoss, std::move(what));
  };
  const std::string forked = "the log has another root at a size already countersigned: forked";
  // A smaller tree is an older checkpoint of the log (a publisher that lost a
  // race, or anyone replaying one: they are public), stale but no alarm -
  // unless the witness countersigned that very size with other contents.
  // A log truncated to a size never countersigned is caught when it grows
  // again (no proof leads from the held tree) and by its own publisher and
  // `vigie audit verify`, which compare with the held tree.
  if (latest && checkpoint.tree_size < held) {
    // Anyone may post an old checkpoint: its lines are read with the mutex
    // released, so a flood of them does not hold up countersigning.
    const uint64_t from = state_->OffsetFor(checkpoint.tree_size);
    lock.unlock();
    ASSIGN_OR_RETURN(std::optional<Cosignature> then, state_->HeldAt(checkpoint.tree_size, from));
    if (then && Contradict(checkpoint, then->checkpoint)) return alarm(forked);
    return Fail(ErrorCode::kConflict, "the witness holds tree size " + std::to_string(held) +
                                          ", larger than " + std::to_string(checkpoint.tree_size));
  }
  if (latest && checkpoint.tree_size == held) {
    if (Contradict(checkpoint, latest->checkpoint)) return alarm(forked);
    // The same tree (perhaps signed again, e.g. on close): nothing new to hold.
    return *latest;
  }
  if (from_size != held) {
    return Fail(ErrorCode::kConflict,
                "the witness holds tree size " + std::to_string(held) + ", not " +
                    std::to_string(from_size));
  }
  // Security: checkpoints are public; only the log's key may offer a proof,
  // so no one else can make a junk proof raise the alarm below. (Above, the
  // checkpoint's own contradicting root was the evidence: no proof read.)
  if (!SubmissionSignatureValid(submission, signer->public_key)) {
    return Fail(ErrorCode::kPermissionDenied,
                "the submission is not signed by the key of its checkpoint");
  }
  // A proof of the wrong length is malformed, not evidence (the publisher's
  // bug, not a fork): no alarm.
  if (latest) {
    if (const uint64_t length = audit::ConsistencyProofLength(held, checkpoint.tree_size);
        proof.size() != length) {
      return Fail(ErrorCode::kInvalidArgument, "a consistency proof from " + std::to_string(held) +
                                                   " to " + std::to_string(checkpoint.tree_size) +
                                                   " holds " + std::to_string(length) +
                                                   " hashes, not " + std::to_string(proof.size()));
    }
    if (auto consistent = audit::VerifyConsistency(held, checkpoint.tree_size,
                                                   latest->checkpoint.root, checkpoint.root, proof);
        !consistent) {
      if (consistent.error().code() == ErrorCode::kInvalidArgument) return Fail(consistent.error());
      return alarm("the checkpoint does not extend the one already countersigned: " +
                   consistent.error().message());
    }
  } else if (!proof.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "the first checkpoint takes no consistency proof");
  }
  Cosignature cosignature{.checkpoint = checkpoint,
                          .witnessed_unix_micros = UnixMicros(state_->clock->Now())};
  SignCosignature(state_->key, cosignature);
  RETURN_IF_ERROR(Persist(cosignature));
  return cosignature;
}

}  // namespace vigie::witness
