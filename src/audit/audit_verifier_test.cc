// Each test plays someone with full access to the audit database who changes,
// deletes, inserts or reorders one past event (or forges a checkpoint), and
// checks that `vigie audit verify` notices and names where.

#include "audit/audit_verifier.h"

#include <gtest/gtest.h>

#include "audit/audit_event_codec.h"
#include "audit/audit_log_test_util.h"
#include "audit/hash_chain.h"
#include "audit/log_tables.h"
#include "audit/merkle_proof.h"
#include "audit/person_index.h"
#include "audit/stored_leaf_source.h"
#include "audit/subtree_table.h"

namespace vigie::audit {
namespace {

using testing::AuditLogFixture;
using testing::LiftAppendOnlyGuards;
using testing::ZeroHashSql;
using testing::SearchEvent;

constexpr int kEvents = 50;  // checkpoints every 10 events

class AuditVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = fixture_.OpenLog();
    for (int i = 0; i < kEvents; ++i) {
      ASSERT_TRUE(log->Append(SearchEvent(i % 5 + 1, {1000 + i})).has_value());
    }
    log.reset();
    db_ = fixture_.RawDatabase();
    // What an attacker does first.
    ASSERT_TRUE(LiftAppendOnlyGuards(*db_).has_value());
  }

  AuditVerifyReport Verify(std::span<const Checkpoint> witness = {}) {
    auto report = VerifyAuditLog(
        *db_, [&](uint32_t id) { return fixture_.KeyById(id); }, witness);
    EXPECT_TRUE(report.has_value()) << report.error().message();
    return report.value_or(AuditVerifyReport{});
  }

  Result<AuditVerifyReport> VerifyFrom(uint64_t size, std::span<const Checkpoint> witness = {}) {
    return VerifyAuditLog(
        *db_, [&](uint32_t id) { return fixture_.KeyById(id); }, witness, {}, {}, std::nullopt,
        size);
  }

  // The first `size` events as stored, signed with the log's key: a line a
  // witness file could hold.
  Checkpoint SignedAt(uint64_t size) {
    Checkpoint checkpoint{.tree_size = size, .key_id = fixture_.SigningKey().id};
    auto leaves = StoredLeafSource::Open(*db_);
    EXPECT_TRUE(leaves.has_value());
    auto root = MerkleRootAt(*leaves, size);
    EXPECT_TRUE(root.has_value());
    checkpoint.root = root.value_or(Sha256Digest{});
    auto row = db_->Prepare("SELECT chain_hash FROM audit_event WHERE sequence = $1");
    (*row)->BindInt(1, static_cast<int64_t>(size - 1));
    EXPECT_TRUE((*row)->Step().value_or(false));
    auto chain = (*row)->ColumnBlob(0);
    std::copy(chain.begin(), chain.end(), checkpoint.chain_hash.begin());
    SignCheckpoint(crypto::Ed25519KeyPair::FromSeed(fixture_.SigningKey().bytes()), checkpoint);
    return checkpoint;
  }

  std::vector<uint8_t> StoredEvent(uint64_t sequence) {
    auto row = db_->Prepare("SELECT event FROM audit_event WHERE sequence = $1");
    (*row)->BindInt(1, static_cast<int64_t>(sequence));
    EXPECT_TRUE((*row)->Step().value_or(false));
    auto bytes = (*row)->ColumnBlob(0);
    return {bytes.begin(), bytes.end()};
  }

  void Execute(std::string_view sql, std::initializer_list<int64_t> ints,
               std::span<const uint8_t> blob = {}) {
    auto run = testing::RunSql(*db_, sql, ints, blob);
    ASSERT_TRUE(run.has_value()) << run.error().message();
  }

  // The careful attacker: recomputes every stored chain hash from `from` on,
  // every stored Merkle subtree and the tip (with Vigie's own code).
  void RecomputeChainFrom(uint64_t from, bool and_subtrees = true) {
    if (and_subtrees) {
      Execute("DELETE FROM audit_subtree", {});
      ASSERT_TRUE(BackfillSubtrees(*db_, kEvents).has_value());
    }
    Tip tip;
    for (uint64_t i = 0; i < static_cast<uint64_t>(kEvents); ++i) {
      auto row = db_->Prepare("SELECT event FROM audit_event WHERE sequence = $1");
      (*row)->BindInt(1, static_cast<int64_t>(i));
      if (!(*row)->Step().value_or(false)) continue;
      auto bytes = (*row)->ColumnBlob(0);
      const std::vector<uint8_t> event(bytes.begin(), bytes.end());
      tip.chain_hash = ChainHash(tip.chain_hash, event);
      tip.frontier.Append(AuditEventLeafHash(event));
      if (i >= from) {
        Execute("UPDATE audit_event SET chain_hash = $2 WHERE sequence = $1",
                {static_cast<int64_t>(i)}, tip.chain_hash);
      }
    }
    ASSERT_TRUE(WriteTip(*db_, tip.frontier.size(), tip).has_value());
  }

  AuditLogFixture fixture_;
  std::unique_ptr<store::Connection> db_;
};

TEST_F(AuditVerifierTest, AnUntouchedLogVerifies) {
  AuditVerifyReport report = Verify();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.events, static_cast<uint64_t>(kEvents));
  EXPECT_EQ(report.checkpoints, 5u);
  EXPECT_GT(report.bytes, 0u);
}

TEST_F(AuditVerifierTest, AChangedEventIsNamed) {
  auto event = DecodeAuditEvent(StoredEvent(23));
  ASSERT_TRUE(event.has_value());
  event->person_ids = {};  // hide which person was consulted
  auto encoded = EncodeAuditEvent(*event);
  Execute("UPDATE audit_event SET event = $2 WHERE sequence = $1", {23}, *encoded);
  AuditVerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_event, 23u);
  EXPECT_NE(report.problem.find("chain hash"), std::string::npos) << report.problem;
}

// The columns searches select on are copies of the event's fields: one
// edited would hide the event from searches by agent, unit, time or type
// (and from a breach report), the event itself untouched.
TEST_F(AuditVerifierTest, AChangedSearchColumnIsNamed) {
  struct Edit {
    std::string_view column, change, undo;
  };
  const Edit edits[] = {
      {"time_us", "time_us = time_us + 1", "time_us = time_us - 1"},
      {"type", "type = type + 1", "type = type - 1"},
      {"agent_id", "agent_id = agent_id + 999999", "agent_id = agent_id - 999999"},
      {"unit_id", "unit_id = unit_id + 7", "unit_id = unit_id - 7"},
      {"session_id", "session_id = session_id + 1", "session_id = session_id - 1"},
      {"source_address", "source_address = source_address || 'x'",
       "source_address = substr(source_address, 1, length(source_address) - 1)"},
  };
  uint64_t sequence = 11;
  for (const Edit& edit : edits) {
    SCOPED_TRACE(edit.column);
    Execute("UPDATE audit_event SET " + std::string(edit.change) + " WHERE sequence = $1",
            {static_cast<int64_t>(sequence)});
    AuditVerifyReport report = Verify();
    EXPECT_FALSE(report.ok);
    EXPECT_EQ(report.first_bad_event, sequence);
    EXPECT_NE(report.problem.find(std::string(edit.column) + " column"), std::string::npos)
        << report.problem;
    Execute("UPDATE audit_event SET " + std::string(edit.undo) + " WHERE sequence = $1",
            {static_cast<int64_t>(sequence)});
    EXPECT_TRUE(Verify().ok) << "restored";
    ++sequence;
  }
  const std::vector<uint8_t> no_hash_of_any_terms = {0x00};  // a keyed hash has 32 bytes
  Execute("UPDATE audit_event SET terms_hash = $2 WHERE sequence = $1",
          {static_cast<int64_t>(sequence)}, no_hash_of_any_terms);
  AuditVerifyReport report = Verify();
  EXPECT_EQ(report.first_bad_event, sequence);
  EXPECT_NE(report.problem.find("terms_hash column"), std::string::npos) << report.problem;
}

// Event 43 changed, its chain recomputed, the stored subtree of events 32 to
// 47 left: found there, and named from 40 on, since the signed checkpoint
// at 40 proves the events before it.
TEST_F(AuditVerifierTest, ASubtreeThatNoLongerMatchesNamesNoProvenEvent) {
  auto event = DecodeAuditEvent(StoredEvent(43));
  ASSERT_TRUE(event.has_value());
  event->person_ids = {};
  Execute("UPDATE audit_event SET event = $2 WHERE sequence = $1", {43}, *EncodeAuditEvent(*event));
  RecomputeChainFrom(43, /*and_subtrees=*/false);
  AuditVerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_event, 40u);
  EXPECT_NE(report.problem.find("events 32 to 47"), std::string::npos) << report.problem;
}

TEST_F(AuditVerifierTest, AFlippedByteIsNamed) {
  std::vector<uint8_t> bytes = StoredEvent(7);
  bytes[bytes.size() / 2] ^= 0x01;
  Execute("UPDATE audit_event SET event = $2 WHERE sequence = $1", {7}, bytes);
  AuditVerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_event, 7u);
}

// A row larger than any event can be is named without being held: a log
// tampered with huge rows does not make verification take gigabytes.
TEST_F(AuditVerifierTest, ARowLargerThanAnyEventIsNamed) {
  std::vector<uint8_t> bytes = StoredEvent(12);
  bytes.resize(kMaxAuditEventSize + 1, 0x41);
  Execute("UPDATE audit_event SET event = $2 WHERE sequence = $1", {12}, bytes);
  AuditVerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_event, 12u);
  EXPECT_NE(report.problem.find("more than any event can"), std::string::npos) << report.problem;
}

// SQLite keeps whatever type is written: an event rewritten as text (whose
// length SQLite would count up to a NUL, reading it whole) is named without
// being read.
TEST_F(AuditVerifierTest, AnEventStoredAsTextIsNamedWithoutBeingRead) {
  if (db_->dialect() != store::Dialect::kSqlite) GTEST_SKIP() << "PostgreSQL types its columns";
  ASSERT_TRUE(db_->ExecuteScript("UPDATE audit_event SET event = "
                                 "CAST(x'00' || zeroblob(400000) AS TEXT) WHERE sequence = 9")
                  .has_value());
  AuditVerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_event, 9u);
  EXPECT_NE(report.problem.find("not stored as bytes"), std::string::npos) << report.problem;
}

TEST_F(AuditVerifierTest, AChangeWithARecomputedChainIsCaughtByTheSignedCheckpoint) {
  auto event = DecodeAuditEvent(StoredEvent(23));
  event->person_ids = {};
  Execute("UPDATE audit_event SET event = $2 WHERE sequence = $1", {23}, *EncodeAuditEvent(*event));
  RecomputeChainFrom(23);
  AuditVerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_event, 20u);  // after the last checkpoint that still matches
  EXPECT_NE(report.problem.find("events 20 to 29"), std::string::npos) << report.problem;
}

TEST_F(AuditVerifierTest, ADeletedEventIsNamed) {
  Execute("DELETE FROM audit_event WHERE sequence = $1", {31});
  AuditVerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_event, 31u);
  EXPECT_NE(report.problem.find("missing"), std::string::npos) << report.problem;
}

TEST_F(AuditVerifierTest, AnInsertedEventIsFound) {
  // Make room at 12 by renumbering the later rows, then slip an event in
  // with a correct chain link from its predecessor.
  Execute("UPDATE audit_event SET sequence = sequence + 1000 WHERE sequence >= $1", {12});
  Execute("UPDATE audit_event SET sequence = sequence - 999 WHERE sequence >= $1", {1012});
  AuditEvent forged = SearchEvent(9, {4242});
  forged.sequence = 12;
  auto encoded = EncodeAuditEvent(forged);
  auto previous = db_->Prepare("SELECT chain_hash FROM audit_event WHERE sequence = 11");
  ASSERT_TRUE((*previous)->Step().value_or(false));
  Sha256Digest previous_chain;
  std::copy_n((*previous)->ColumnBlob(0).begin(), 32, previous_chain.begin());
  Sha256Digest chain = ChainHash(previous_chain, *encoded);
  // Its search columns copied from it too, as the writer does.
  auto insert = db_->Prepare(
      "INSERT INTO audit_event (sequence, time_us, type, agent_id, unit_id, session_id, "
      "source_address, terms_hash, event, chain_hash) VALUES (12, $1, $2, $3, $4, $5, $6, $7, "
      "$8, $9)");
  ASSERT_TRUE(insert.has_value());
  (*insert)
      ->BindInt(1, forged.time_unix_micros)
      .BindInt(2, static_cast<int64_t>(forged.type))
      .BindInt(3, forged.actor.agent_id)
      .BindInt(4, forged.actor.unit_id)
      .BindInt(5, forged.session_id)
      .BindText(6, forged.source_address)
      .BindBlob(8, *encoded)
      .BindBlob(9, chain);
  if (forged.query.terms_keyed_hash.empty()) {
    (*insert)->BindNull(7);
  } else {
    (*insert)->BindBlob(7, forged.query.terms_keyed_hash);
  }
  ASSERT_TRUE((*insert)->Run().has_value());
  AuditVerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_event, 13u);  // the event pushed out of its place
  EXPECT_NE(report.problem.find("holds event 12"), std::string::npos) << report.problem;
}

TEST_F(AuditVerifierTest, TwoSwappedEventsAreNamed) {
  Execute("UPDATE audit_event SET sequence = -1 WHERE sequence = $1", {40});
  Execute("UPDATE audit_event SET sequence = 40 WHERE sequence = $1", {41});
  Execute("UPDATE audit_event SET sequence = 41 WHERE sequence = $1", {-1});
  AuditVerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_event, 40u);
  EXPECT_NE(report.problem.find("holds event 41"), std::string::npos) << report.problem;
}

TEST_F(AuditVerifierTest, AnEventInsertedBeforeTheFirstIsFound) {
  Execute("INSERT INTO audit_event (sequence, time_us, type, agent_id, unit_id, session_id, "
          "source_address, terms_hash, event, chain_hash) SELECT -1, time_us, type, agent_id, "
          "unit_id, session_id, source_address, terms_hash, event, chain_hash FROM audit_event "
          "WHERE sequence = $1",
          {0});
  AuditVerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.problem.find("sequence -1"), std::string::npos) << report.problem;
  // Counting the log's events (breach reports, proofs) passes it by: the
  // report after tampering is still given.
  EXPECT_EQ(StoredEventCount(*db_).value_or(0), static_cast<uint64_t>(kEvents));
}

// Numbered at the very end of the range: max + 1 would overflow.
TEST_F(AuditVerifierTest, AnEventInsertedAtTheLargestSequenceIsFound) {
  Execute(
      "INSERT INTO audit_event (sequence, time_us, type, agent_id, unit_id, session_id, "
      "source_address, terms_hash, event, chain_hash) SELECT 9223372036854775807, time_us, "
      "type, agent_id, unit_id, session_id, source_address, terms_hash, event, chain_hash "
      "FROM audit_event WHERE sequence = $1",
      {3});
  AuditVerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.problem.find("sequence 9223372036854775807"), std::string::npos)
      << report.problem;
  // What else counts the stored events (`vigie audit prove`, breach reports)
  // refuses it too rather than taking a size that overflowed.
  auto counted = StoredEventCount(*db_);
  ASSERT_FALSE(counted.has_value());
  EXPECT_EQ(counted.error().code(), ErrorCode::kDataLoss);
  auto leaves = StoredLeafSource::Open(*db_);
  ASSERT_FALSE(leaves.has_value());
  EXPECT_EQ(leaves.error().code(), ErrorCode::kDataLoss);
  Execute("DELETE FROM audit_event WHERE sequence = 9223372036854775807", {});
  EXPECT_EQ(StoredEventCount(*db_).value_or(0), static_cast<uint64_t>(kEvents));
}

TEST_F(AuditVerifierTest, ATruncatedLogIsFound) {
  Execute("DELETE FROM audit_event WHERE sequence >= $1", {35});
  AuditVerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_event, 35u);
  EXPECT_NE(report.problem.find("truncated"), std::string::npos) << report.problem;
  // From a checkpoint before the cut, and from one after it.
  for (const uint64_t from : {30, 50}) {
    auto from_checkpoint = VerifyFrom(from);
    ASSERT_TRUE(from_checkpoint.has_value()) << from_checkpoint.error().message();
    EXPECT_FALSE(from_checkpoint->ok);
    EXPECT_EQ(from_checkpoint->first_bad_event, 35u) << from;
    EXPECT_NE(from_checkpoint->problem.find("truncated"), std::string::npos)
        << from_checkpoint->problem;
  }
}

// Cut below the last checkpoint's size, that checkpoint deleted too: the
// checkpoints left vouch for less, but the tip, which every writer extends,
// still names the events that were there.
TEST_F(AuditVerifierTest, ALogCutUnderItsTipIsFound) {
  Execute("DELETE FROM audit_checkpoint WHERE tree_size = $1", {kEvents});
  Execute("DELETE FROM audit_event WHERE sequence >= $1", {47});
  Execute("DELETE FROM audit_subtree", {});
  ASSERT_TRUE(BackfillSubtrees(*db_, 47).has_value());
  AuditVerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_event, 47u);
  EXPECT_NE(report.problem.find("tip (50 events) does not match its events (47)"),
            std::string::npos)
      << report.problem;
}

// As after a crash before the next checkpoint: the log verifies, and says
// how much of it no checkpoint vouches for yet.
TEST_F(AuditVerifierTest, EventsAfterTheLastCheckpointAreCountedUnsigned) {
  EXPECT_EQ(Verify().signed_events, static_cast<uint64_t>(kEvents));
  Execute("DELETE FROM audit_checkpoint WHERE tree_size = $1", {kEvents});
  AuditVerifyReport report = Verify();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.events, static_cast<uint64_t>(kEvents));
  EXPECT_EQ(report.signed_events, static_cast<uint64_t>(kEvents - 10));
}

TEST_F(AuditVerifierTest, ACheckpointSignedWithAnotherKeyIsRefused) {
  auto checkpoints = ReadCheckpoints(*db_);
  ASSERT_TRUE(checkpoints.has_value());
  Checkpoint forged = checkpoints->back();
  SignCheckpoint(crypto::Ed25519KeyPair::Generate(), forged);
  Execute("UPDATE audit_checkpoint SET signature = $2 WHERE tree_size = $1",
          {static_cast<int64_t>(forged.tree_size)}, forged.signature);
  AuditVerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.problem.find("invalid signature"), std::string::npos) << report.problem;
}

// Hashes cut short are rows no log wrote: a tampering to report, like any
// other, rather than an error that leaves verification without an answer.
TEST_F(AuditVerifierTest, AStoredHashOfTheWrongSizeIsNamed) {
  const std::vector<uint8_t> short_hash(31, 0xab);
  auto checkpoints = ReadCheckpoints(*db_);
  ASSERT_TRUE(checkpoints.has_value() && !checkpoints->empty());
  const Checkpoint first = checkpoints->front();
  Execute("UPDATE audit_checkpoint SET root = $2 WHERE tree_size = $1",
          {static_cast<int64_t>(first.tree_size)}, short_hash);
  AuditVerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.problem.find("checkpoint root is not a SHA-256 digest"), std::string::npos)
      << report.problem;
  Execute("UPDATE audit_checkpoint SET root = $2 WHERE tree_size = $1",
          {static_cast<int64_t>(first.tree_size)}, first.root);
  ASSERT_TRUE(Verify().ok);

  Execute("UPDATE audit_subtree SET hash = $1 WHERE idx = 0", {}, short_hash);
  report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.problem.find("subtree hash is not 32 bytes"), std::string::npos)
      << report.problem;
}

// `vigie keys retire` held the log's key to a size: a checkpoint it signs
// beyond is a forgery with the leaked old key, and a log ending at or below
// that size lost its end (a newer key had signed beyond it when it retired).
TEST_F(AuditVerifierTest, ARetiredKeyHoldsTheLogToTheSizeItWasRetiredAfter) {
  auto checkpoints = ReadCheckpoints(*db_);
  ASSERT_TRUE(checkpoints.has_value() && checkpoints->size() >= 2);
  const uint64_t largest = checkpoints->back().tree_size;
  auto verify_retired_after = [&](uint64_t after) {
    auto report = VerifyAuditLog(*db_,
                                 [&](uint32_t id) -> std::optional<CheckpointKey> {
                                   auto key = fixture_.KeyById(id);
                                   if (!key) return std::nullopt;
                                   return CheckpointKey(*key, after);
                                 },
                                 {});
    EXPECT_TRUE(report.has_value());
    return report.value_or(AuditVerifyReport{});
  };
  AuditVerifyReport beyond = verify_retired_after(largest - 1);
  EXPECT_FALSE(beyond.ok);
  EXPECT_NE(beyond.problem.find("retired after size " + std::to_string(largest - 1)),
            std::string::npos)
      << beyond.problem;
  EXPECT_NE(beyond.problem.find("leaked old key"), std::string::npos) << beyond.problem;
  AuditVerifyReport cut = verify_retired_after(kEvents);
  EXPECT_FALSE(cut.ok);
  EXPECT_NE(cut.problem.find("its end was removed"), std::string::npos) << cut.problem;
  EXPECT_TRUE(Verify().ok) << "the same log, its key not retired";
  // The retired key's checkpoints deleted too: the key file's bound still holds.
  Execute("DELETE FROM audit_checkpoint WHERE tree_size > $1", {0});
  auto floor_only = VerifyAuditLog(
      *db_, [&](uint32_t id) { return fixture_.KeyById(id); }, {}, {}, {}, uint64_t{kEvents});
  ASSERT_TRUE(floor_only.has_value());
  EXPECT_FALSE(floor_only->ok);
  EXPECT_NE(floor_only->problem.find("its end was removed"), std::string::npos)
      << floor_only->problem;
  auto longer = VerifyAuditLog(
      *db_, [&](uint32_t id) { return fixture_.KeyById(id); }, {}, {}, {}, uint64_t{kEvents - 1});
  ASSERT_TRUE(longer.has_value());
  EXPECT_TRUE(longer->ok) << longer->problem;
}

// From a checkpoint: what came before is vouched for by its signature and
// not read again; what follows is checked as in full.
TEST_F(AuditVerifierTest, FromACheckpointOnlyWhatFollowsIsRead) {
  auto report = VerifyFrom(30);
  ASSERT_TRUE(report.has_value()) << report.error().message();
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->first_event, 16u) << "the stored subtree of events 0 to 15, then the events";
  EXPECT_EQ(report->events, static_cast<uint64_t>(kEvents - 16));
  EXPECT_EQ(report->signed_events, static_cast<uint64_t>(kEvents));
  EXPECT_EQ(report->person_indexed_events, 0u) << "left to a full verification";
  auto nowhere = VerifyFrom(32);
  ASSERT_FALSE(nowhere.has_value());
  EXPECT_EQ(nowhere.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(nowhere.error().message().find("the nearest: 30 and 40"), std::string::npos)
      << nowhere.error().message();
}

TEST_F(AuditVerifierTest, FromACheckpointAChangeAfterItIsNamed) {
  auto event = DecodeAuditEvent(StoredEvent(43));
  ASSERT_TRUE(event.has_value());
  event->person_ids = {};
  Execute("UPDATE audit_event SET event = $2 WHERE sequence = $1", {43}, *EncodeAuditEvent(*event));
  auto report = VerifyFrom(30);
  ASSERT_TRUE(report.has_value()) << report.error().message();
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad_event, 43u) << report->problem;
  RecomputeChainFrom(43);
  report = VerifyFrom(30);
  ASSERT_TRUE(report.has_value()) << report.error().message();
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad_event, 40u) << report->problem;
  EXPECT_NE(report->problem.find("events 40 to 49"), std::string::npos) << report->problem;
}

// What `--from` does not read, it does not check: the full verification does.
TEST_F(AuditVerifierTest, FromACheckpointAChangeBeforeItIsLeftToTheFullVerification) {
  auto event = DecodeAuditEvent(StoredEvent(5));
  ASSERT_TRUE(event.has_value());
  event->person_ids = {};
  Execute("UPDATE audit_event SET event = $2 WHERE sequence = $1", {5}, *EncodeAuditEvent(*event));
  auto report = VerifyFrom(30);
  ASSERT_TRUE(report.has_value()) << report.error().message();
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(Verify().first_bad_event, 5u);
}

// Whoever rewrote the past and recomputed the stored rows the starting
// state is taken from cannot make it match the signed checkpoints (the one
// at 20 is the first the events read from 16 reach).
TEST_F(AuditVerifierTest, FromACheckpointARewrittenPastIsCaughtByItsSignature) {
  auto event = DecodeAuditEvent(StoredEvent(5));
  ASSERT_TRUE(event.has_value());
  event->person_ids = {};
  Execute("UPDATE audit_event SET event = $2 WHERE sequence = $1", {5}, *EncodeAuditEvent(*event));
  RecomputeChainFrom(5);
  auto report = VerifyFrom(30);
  ASSERT_TRUE(report.has_value()) << report.error().message();
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad_event, std::nullopt) << "somewhere before 30: a full run locates it";
  EXPECT_NE(report->problem.find("before event 16, or events 16 to 19, do not match the "
                                 "checkpoint at size 20"),
            std::string::npos)
      << report->problem;
}

// The chain hash started from is a stored value too: when the first event
// read does not chain, either may be the change, and none is named.
TEST_F(AuditVerifierTest, FromACheckpointAChangedStartingChainHashIsNotBlamedOnTheNextEvent) {
  Execute("UPDATE audit_event SET chain_hash = " + ZeroHashSql(*db_) + " WHERE sequence = 15", {});
  auto report = VerifyFrom(30);
  ASSERT_TRUE(report.has_value()) << report.error().message();
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad_event, std::nullopt) << report->problem;
  EXPECT_NE(report->problem.find("or that of event 15 the verification starts from"),
            std::string::npos)
      << report->problem;
  EXPECT_EQ(Verify().first_bad_event, 15u);
}

// At a checkpoint whose size the stored subtrees end at, the starting state
// is held to it before any event is read.
TEST_F(AuditVerifierTest, FromACheckpointAtASubtreeBoundaryTheStateIsHeldAtOnce) {
  const Checkpoint at_48 = SignedAt(48);  // 32 + 16: two stored subtrees
  auto report = VerifyFrom(48, {&at_48, 1});
  ASSERT_TRUE(report.has_value()) << report.error().message();
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->first_event, 48u);
  EXPECT_EQ(report->events, 2u);

  Execute("UPDATE audit_subtree SET hash = " + ZeroHashSql(*db_) + " WHERE level = 4 AND idx = 2",
          {});
  report = VerifyFrom(48, {&at_48, 1});
  ASSERT_TRUE(report.has_value()) << report.error().message();
  EXPECT_FALSE(report->ok);
  EXPECT_NE(report->problem.find("before event 48 do not match the checkpoint at size 48"),
            std::string::npos)
      << report->problem;
  Execute("DELETE FROM audit_subtree WHERE level = 5 AND idx = 0", {});
  report = VerifyFrom(48, {&at_48, 1});
  ASSERT_TRUE(report.has_value()) << report.error().message();
  EXPECT_FALSE(report->ok);
  EXPECT_NE(report->problem.find("level 5 index 0 (events 0 to 31), which verifying from size "
                                 "48 starts from, is missing"),
            std::string::npos)
      << report->problem;
}

TEST_F(AuditVerifierTest, DeletingCheckpointsDoesNotEscapeTheWitnessFile) {
  std::vector<Checkpoint> witness = *ReadCheckpoints(*db_);
  // Rewrite history and remove every checkpoint that would show it...
  auto event = DecodeAuditEvent(StoredEvent(3));
  event->person_ids = {};
  Execute("UPDATE audit_event SET event = $2 WHERE sequence = $1", {3}, *EncodeAuditEvent(*event));
  RecomputeChainFrom(3);
  Execute("DELETE FROM audit_checkpoint WHERE tree_size > $1", {0});
  // (The person index still says event 3 returned person 1003: rebuilt too.)
  EXPECT_NE(Verify().problem.find("says event 3 returned person 1003"), std::string::npos);
  Execute("DELETE FROM audit_person_chunk", {});
  Execute("UPDATE audit_tip SET person_chunked = 0", {});
  ASSERT_TRUE(ExtendPersonIndex(*db_).has_value());
  EXPECT_TRUE(Verify().ok);  // the database alone can no longer tell
  // ...but the witness file kept apart still can.
  AuditVerifyReport report = Verify(witness);
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_event, 0u);
}

}  // namespace
}  // namespace vigie::audit
