// The inclusion proofs a breach report carries, built in one batch, are the
// proofs a tree in memory gives, at every shape of log.
#include "incident/breach_proofs.h"

#include <gtest/gtest.h>

#include "audit/audit_log_test_util.h"
#include "audit/merkle_proof.h"
#include "audit/merkle_tree.h"
#include "audit/stored_leaf_source.h"
#include "audit/subtree_table.h"
#include "tests/support/matchers.h"

namespace vigie::incident {
namespace {

using vigie::testing::ErrorCodeIs;

constexpr int64_t kT0 = 1'764'000'000'000'000;  // 2025-11-24T16:00:00Z

// `count` searches by agent 1, each returning person i + 1.
void AppendSearches(audit::testing::AuditLogFixture& fixture, int64_t count) {
  auto log = fixture.OpenLog();
  std::vector<audit::AuditEvent> events;
  for (int64_t i = 0; i < count; ++i) {
    audit::AuditEvent event;
    event.time_unix_micros = kT0 + i;
    event.type = audit::AuditEventType::kSearch;
    event.actor = {.agent_id = 1, .service_number = "GN-1", .unit_id = 3};
    event.session_id = 11;
    event.purpose = "identity_check";
    event.person_ids = {i + 1};
    events.push_back(std::move(event));
  }
  ASSERT_OK(log->AppendAll(std::move(events)));
}

void ExpectProofsAsTheReference(store::Connection& db, const audit::LeafHashSource& reference,
                                uint64_t size, std::span<const uint64_t> leaves,
                                const audit::ParallelReading& reading = {}) {
  auto proofs = BatchInclusionProofs::Build(db, size, leaves, {}, reading);
  ASSERT_OK(proofs);
  EXPECT_EQ(proofs->root(), *audit::MerkleRootAt(reference, size));
  for (uint64_t leaf : leaves) {
    auto got = proofs->Prove(leaf);
    ASSERT_OK(got);
    EXPECT_EQ(*got, *audit::InclusionProof(reference, leaf, size)) << "leaf " << leaf;
  }
}

// The reference: a tree in memory from the leaves as stored, one read each.
std::unique_ptr<audit::MerkleTree> LeavesInMemory(store::Connection& db) {
  auto leaves = audit::StoredLeafSource::Open(db);
  EXPECT_TRUE(leaves.has_value());
  auto tree = std::make_unique<audit::MerkleTree>();
  for (uint64_t i = 0; leaves && i < leaves->Size(); ++i) {
    auto hash = leaves->LeafHash(i);
    EXPECT_TRUE(hash.has_value()) << i;
    if (hash) tree->AppendLeafHash(*hash);
  }
  return tree;
}

// The proofs at every shape of tree, against a reference that reads only the
// leaves: with the stored subtree table (the usual path), then without it
// (a log not backfilled yet: the sequential scan).
void ExpectSameProofsAsTheReference(store::Connection& db, uint64_t events) {
  const std::unique_ptr<audit::MerkleTree> reference = LeavesInMemory(db);
  for (uint64_t size :
       {1u, 2u, 3u, 255u, 256u, 257u, 511u, 512u, 513u, 600u, 1023u, 1024u, 1025u, 1100u}) {
    if (size > events) continue;
    std::vector<uint64_t> leaves;
    for (uint64_t leaf : {uint64_t{0}, size / 2, size - 1, uint64_t{255}, uint64_t{256},
                          uint64_t{1023}, uint64_t{1024}, size / 2}) {
      if (leaf < size) leaves.push_back(leaf);
    }
    auto proofs = BatchInclusionProofs::Build(db, size, leaves);
    ASSERT_OK(proofs);
    auto root = audit::MerkleRootAt(*reference, size);
    ASSERT_OK(root);
    EXPECT_EQ(proofs->root(), *root) << size;
    for (uint64_t leaf : leaves) {
      auto expected = audit::InclusionProof(*reference, leaf, size);
      auto got = proofs->Prove(leaf);
      ASSERT_OK(got);
      EXPECT_EQ(*got, *expected) << "leaf " << leaf << " of " << size;
      EXPECT_EQ(*proofs->LeafHash(leaf), *reference->LeafHash(leaf));
    }
    if (size > 3) {
      EXPECT_THAT(proofs->Prove(1), ErrorCodeIs(ErrorCode::kInvalidArgument));
    }
  }
  {
    std::vector<uint64_t> leaves;
    for (uint64_t leaf = 3; leaf < events; leaf += 7) leaves.push_back(leaf);
    ExpectProofsAsTheReference(db, *reference, events, leaves);
  }
  EXPECT_THAT(BatchInclusionProofs::Build(db, 10, std::vector<uint64_t>{10}),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(BatchInclusionProofs::Build(db, events + 1, std::vector<uint64_t>{0}),
              ErrorCodeIs(ErrorCode::kDataLoss));
}

TEST(BatchInclusionProofsTest, SameProofsAsTheReferenceAtEveryShape) {
  constexpr uint64_t kEvents = 1100;
  audit::testing::AuditLogFixture fixture;
  AppendSearches(fixture, static_cast<int64_t>(kEvents));
  auto db = fixture.RawDatabase();
  ASSERT_TRUE(*audit::SubtreesCover(*db, kEvents));
  ExpectSameProofsAsTheReference(*db, kEvents);
  // A subtree row missing though the table is recorded complete: that node
  // is rebuilt from the events.
  ASSERT_OK(audit::testing::LiftAppendOnlyGuards(*db));
  ASSERT_OK(db->ExecuteScript("DELETE FROM audit_subtree WHERE level = 8 AND idx = 2;"));
  ExpectSameProofsAsTheReference(*db, kEvents);
  // Not recorded complete (rows an older node did not write): every leaf is read.
  ASSERT_OK(db->ExecuteScript("UPDATE audit_tip SET subtrees_to = 0"));
  ASSERT_FALSE(*audit::SubtreesCover(*db, kEvents));
  ExpectSameProofsAsTheReference(*db, kEvents);
  ASSERT_OK(db->ExecuteScript("DROP TABLE audit_subtree"));
  ExpectSameProofsAsTheReference(*db, kEvents);
}

// A second connection reading half of the chunks (audit/parallel_reading.h),
// from a single event on.
audit::ParallelReading TwoReaders(const audit::testing::AuditLogFixture& fixture) {
  return {.open = [url = fixture.Options().url] { return store::Open(url, {.read_only = true}); },
          .from_events = 1};
}

// Chunks are read a few hundred to a statement on PostgreSQL: a report over
// more chunks than that, every one of them chosen, and one in three; read
// on one connection, then on two, then with the second on another log.
TEST(BatchInclusionProofsTest, MoreChunksThanOneReadTakes) {
  constexpr uint64_t kEvents = 4200;  // 263 chunks of 16
  audit::testing::AuditLogFixture fixture;
  AppendSearches(fixture, static_cast<int64_t>(kEvents));
  auto db = fixture.RawDatabase();
  ASSERT_TRUE(*audit::SubtreesCover(*db, kEvents));
  const std::unique_ptr<audit::MerkleTree> reference = LeavesInMemory(*db);
  // A second connection seeing another log (a lagging replica) finds no
  // chunk or node there: `db` reads them, and the proofs are the same.
  audit::testing::AuditLogFixture other;
  { auto log = other.OpenLog(); }
  for (const audit::ParallelReading& reading :
       {audit::ParallelReading{}, TwoReaders(fixture), TwoReaders(other)}) {
    for (uint64_t step : {5u, 48u}) {
      std::vector<uint64_t> leaves;
      for (uint64_t leaf = 1; leaf < kEvents; leaf += step) leaves.push_back(leaf);
      ExpectProofsAsTheReference(*db, *reference, kEvents, leaves, reading);
      ExpectProofsAsTheReference(*db, *reference, kEvents - 7,
                                 std::span(leaves).first(leaves.size() - 2), reading);
    }
  }
}

TEST(BatchInclusionProofsTest, AMissingEventIsNamed) {
  audit::testing::AuditLogFixture fixture;
  AppendSearches(fixture, 1000);
  auto db = fixture.RawDatabase();
  ASSERT_OK(audit::testing::LiftAppendOnlyGuards(*db));
  ASSERT_OK(db->ExecuteScript("DELETE FROM audit_event WHERE sequence = 500"));
  for (const std::vector<uint64_t>& leaves : {std::vector<uint64_t>{500},
                                              {505},
                                              {3, 100, 200, 300, 400, 505, 600, 700, 800, 900},
                                              {3, 100, 200, 300, 400, 420, 505, 600, 700}}) {
    // The last read on several connections: 500's chunk not in the first part.
    auto proofs = BatchInclusionProofs::Build(
        *db, 1000, leaves, {}, leaves.size() == 9 ? TwoReaders(fixture) : audit::ParallelReading{});
    ASSERT_FALSE(proofs.has_value());
    EXPECT_EQ(proofs.error().code(), ErrorCode::kDataLoss);
    EXPECT_NE(proofs.error().message().find("audit event 500 is missing"), std::string::npos)
        << proofs.error().message();
  }
}

TEST(BatchInclusionProofsTest, AChangedSubtreeRowGivesARootThatIsNotTheSignedOne) {
  audit::testing::AuditLogFixture fixture;
  AppendSearches(fixture, 600);
  auto db = fixture.RawDatabase();
  const std::unique_ptr<audit::MerkleTree> reference = LeavesInMemory(*db);
  ASSERT_OK(audit::testing::LiftAppendOnlyGuards(*db));
  ASSERT_OK(db->ExecuteScript("UPDATE audit_subtree SET hash = " + audit::testing::ZeroHashSql(*db) +
                              " WHERE level = 9;"));
  auto proofs = BatchInclusionProofs::Build(*db, 600, std::vector<uint64_t>{10});
  ASSERT_OK(proofs);
  // ComputeBreachReport compares it with the checkpoint's and refuses (DataLoss).
  EXPECT_NE(proofs->root(), *audit::MerkleRootAt(*reference, 600));
}

}  // namespace
}  // namespace vigie::incident
