// The audit_subtree table: the writer stores exactly the perfect subtrees
// its events complete, in their transaction; an older log is backfilled on
// open; `vigie audit verify` finds a changed, missing or forged row.

#include "audit/subtree_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>

#include "audit/audit_log_test_util.h"
#include "audit/audit_verifier.h"
#include "audit/merkle_tree.h"
#include "audit/stored_leaf_source.h"
#include "tests/support/matchers.h"

namespace vigie::audit {
namespace {

using testing::AuditLogFixture;
using testing::BackToSchemaVersion3;
using testing::LiftAppendOnlyGuards;
using testing::ZeroHashSql;
using testing::SearchEvent;
using vigie::testing::ErrorCodeIs;

// Appends `count` events in batches of varying sizes (many commits), with a
// restart half way.
void AppendInBatches(AuditLogFixture& fixture, uint64_t count) {
  static constexpr uint64_t kBatches[] = {1, 7, 100, 255, 3, 300, 64, 129};
  uint64_t appended = 0;
  for (int half = 0; half < 2; ++half) {
    auto log = fixture.OpenLog();
    for (size_t b = 0; appended < (half == 0 ? count / 2 : count); ++b) {
      const uint64_t limit = half == 0 ? count / 2 : count;
      const uint64_t n = std::min(kBatches[b % std::size(kBatches)], limit - appended);
      std::vector<AuditEvent> events;
      for (uint64_t i = 0; i < n; ++i) {
        events.push_back(SearchEvent(static_cast<int64_t>((appended + i) % 5 + 1),
                                     {static_cast<int64_t>(appended + i)}));
      }
      auto added = log->AppendAll(std::move(events));
      ASSERT_OK(added);
      appended += n;
    }
  }
}

// What a log written by the release before subtree coverage (schema
// version 3) looks like.
Result<void> BackToSchemaVersion2(store::Connection& db) {
  RETURN_IF_ERROR(BackToSchemaVersion3(db));
  return db.ExecuteScript(
      "ALTER TABLE audit_tip DROP COLUMN subtrees_to; DELETE FROM schema_version WHERE version = 3;");
}

// What a node of the release before schema version 3 leaves when it appends
// events from `from` on: no rows below level 8 for them, the coverage at `from`.
Result<void> AsIfAnOlderNodeAppendedFrom(store::Connection& db, uint64_t from) {
  RETURN_IF_ERROR(LiftAppendOnlyGuards(db));
  return db.ExecuteScript("DELETE FROM audit_subtree WHERE level < 8 AND "
                          "((idx + 1) << CAST(level AS INTEGER)) > " + std::to_string(from) +
                          "; UPDATE audit_tip SET subtrees_to = " + std::to_string(from));
}

void AppendSearches(AuditLog& log, int count) {
  std::vector<AuditEvent> events;
  for (int i = 0; i < count; ++i) events.push_back(SearchEvent(1, {i}));
  ASSERT_OK(log.AppendAll(std::move(events)));
}

// What the table must hold for the stored log, computed from its leaves.
std::vector<CompletedSubtree> ExpectedSubtrees(store::Connection& db) {
  auto leaves = StoredLeafSource::Open(db);
  EXPECT_TRUE(leaves.has_value());
  MerkleTree tree;
  for (uint64_t i = 0; i < leaves->Size(); ++i) tree.AppendLeafHash(*leaves->LeafHash(i));
  std::vector<CompletedSubtree> expected;
  for (uint32_t level = kStoredSubtreeMinLevel; level < 64; ++level) {
    for (uint64_t index = 0; index < tree.Size() >> level; ++index) {
      expected.push_back({level, index, *tree.PerfectSubtreeHash(level, index)});
    }
  }
  return expected;
}

std::vector<CompletedSubtree> Stored(store::Connection& db) {
  auto rows = ReadAllSubtrees(db);
  EXPECT_TRUE(rows.has_value());
  return rows.value_or(std::vector<CompletedSubtree>{});
}

AuditVerifyReport Verify(AuditLogFixture& fixture, store::Connection& db) {
  auto report = VerifyAuditLog(db, [&](uint32_t id) { return fixture.KeyById(id); }, {});
  EXPECT_TRUE(report.has_value());
  return report.value_or(AuditVerifyReport{});
}

TEST(SubtreeTableTest, TheWriterStoresExactlyTheCompletedSubtrees) {
  for (uint64_t size : {15u, 16u, 17u, 255u, 256u, 257u, 511u, 512u, 1000u, 4099u}) {
    AuditLogFixture fixture;
    AppendInBatches(fixture, size);
    auto db = fixture.RawDatabase();
    std::vector<CompletedSubtree> expected = ExpectedSubtrees(*db);
    uint64_t complete = 0;  // perfect subtrees of 2^level leaves, level >= the stored minimum
    for (uint32_t level = kStoredSubtreeMinLevel; level < 64; ++level) complete += size >> level;
    EXPECT_EQ(expected.size(), complete) << size;
    EXPECT_EQ(Stored(*db), expected) << size;
    EXPECT_TRUE(*SubtreesCover(*db, size));
    AuditVerifyReport report = Verify(fixture, *db);
    EXPECT_TRUE(report.ok) << report.problem;
  }
}

TEST(SubtreeTableTest, ARefusedBatchLeavesNeitherItsEventsNorItsSubtrees) {
  AuditLogFixture fixture;
  AppendInBatches(fixture, 200);
  {
    // A row in the way of the one the next batch completes: its insert fails.
    auto db = fixture.RawDatabase();
    ASSERT_OK(db->ExecuteScript("INSERT INTO audit_subtree (level, idx, hash) VALUES (9, 0, " +
                                ZeroHashSql(*db) + ")"));
  }
  {
    auto log = fixture.OpenLog();
    std::vector<AuditEvent> events;
    for (int i = 0; i < 600; ++i) events.push_back(SearchEvent(1, {i}));
    EXPECT_THAT(log->AppendAll(std::move(events)), ErrorCodeIs(ErrorCode::kUnavailable));
    EXPECT_EQ(log->stats().size, 200u);
  }
  auto db = fixture.RawDatabase();
  auto leaves = StoredLeafSource::Open(*db);
  ASSERT_OK(leaves);
  EXPECT_EQ(leaves->Size(), 200u);
  // The planted row and those of the first 200 events: none of the refused batch.
  std::vector<CompletedSubtree> rows = Stored(*db);
  const CompletedSubtree planted{9, 0, {}};
  std::erase_if(rows, [&](const CompletedSubtree& row) {
    return row.level == planted.level && row.index == planted.index;
  });
  EXPECT_EQ(rows, ExpectedSubtrees(*db));
}

TEST(SubtreeTableTest, OpeningALogWrittenWithoutTheTableBackfillsIt) {
  AuditLogFixture fixture;
  AppendInBatches(fixture, 1000);
  {
    // What a log written by an older Vigie looks like.
    auto db = fixture.RawDatabase();
    ASSERT_OK(BackToSchemaVersion2(*db));
    ASSERT_OK(db->ExecuteScript(
        "DROP TABLE audit_subtree; DELETE FROM schema_version WHERE version = 2;"));
    EXPECT_FALSE(*HasSubtreeTable(*db));
    EXPECT_FALSE(*SubtreesCover(*db, 1000));
  }
  { auto log = fixture.OpenLog(); }
  auto db = fixture.RawDatabase();
  EXPECT_EQ(Stored(*db), ExpectedSubtrees(*db));
  AuditVerifyReport report = Verify(fixture, *db);
  EXPECT_TRUE(report.ok) << report.problem;
}

// Under 16 events there is no row to store, but the coverage a migration
// left at 0 must still be moved on, or the appends never would.
TEST(SubtreeTableTest, ALogOfAFewEventsAtTheUpgradeIsCoveredAfterIt) {
  AuditLogFixture fixture;
  AppendInBatches(fixture, 10);
  ASSERT_OK(BackToSchemaVersion2(*fixture.RawDatabase()));
  {
    auto log = fixture.OpenLog();
    AppendSearches(*log, 100);
  }
  auto db = fixture.RawDatabase();
  EXPECT_EQ(*SubtreesCoveredUpTo(*db), 110u);
  EXPECT_EQ(Stored(*db), ExpectedSubtrees(*db));
}

// A node of an older release appended events 500 to 999: no rows for them,
// and the recorded coverage left at 500.
TEST(SubtreeTableTest, OpeningALogBehindItsEventsCatchesUp) {
  AuditLogFixture fixture;
  AppendInBatches(fixture, 1000);
  {
    auto db = fixture.RawDatabase();
    ASSERT_OK(LiftAppendOnlyGuards(*db));
    ASSERT_OK(db->ExecuteScript(
        "DELETE FROM audit_subtree WHERE ((idx + 1) << CAST(level AS INTEGER)) > 500; "
        "UPDATE audit_tip SET subtrees_to = 500;"));
    EXPECT_TRUE(*SubtreesCover(*db, 500));
    EXPECT_FALSE(*SubtreesCover(*db, 1000));
  }
  { auto log = fixture.OpenLog(); }
  auto db = fixture.RawDatabase();
  EXPECT_EQ(Stored(*db), ExpectedSubtrees(*db));
  EXPECT_TRUE(*SubtreesCover(*db, 1000));
}

// The same, with a newer node appending after the older one: the rows of
// the newer node's events are stored, but the coverage stays behind, so the
// gap the older node left is filled when a writer next opens the log.
TEST(SubtreeTableTest, AGapLeftByAnOlderNodeIsFilledOnTheNextOpen) {
  AuditLogFixture fixture;
  AppendInBatches(fixture, 1000);
  ASSERT_OK(AsIfAnOlderNodeAppendedFrom(*fixture.RawDatabase(), 500));
  {
    auto log = fixture.OpenLog();  // fills the gap, then appends
    AppendSearches(*log, 100);
  }
  auto db = fixture.RawDatabase();
  EXPECT_EQ(Stored(*db), ExpectedSubtrees(*db));
  EXPECT_TRUE(*SubtreesCover(*db, 1100));
  {
    // Again, but the log is already open when the older node appends.
    auto log = fixture.OpenLog();
    ASSERT_OK(AsIfAnOlderNodeAppendedFrom(*db, 1050));
    AppendSearches(*log, 100);
    EXPECT_FALSE(*SubtreesCover(*db, 1200)) << "still behind: rows of 1050 to 1099 are missing";
  }
  { auto log = fixture.OpenLog(); }
  EXPECT_EQ(Stored(*db), ExpectedSubtrees(*db));
  EXPECT_TRUE(*SubtreesCover(*db, 1200));
}

// Verification reads the rows range by range, next to the events.
TEST(SubtreeTableTest, RangesOfLeavesReadExactlyTheSubtreesTheyComplete) {
  AuditLogFixture fixture;
  AppendInBatches(fixture, 1000);
  auto db = fixture.RawDatabase();
  for (uint64_t step : {1u, 15u, 16u, 100u, 4096u}) {
    std::vector<CompletedSubtree> read;
    for (uint64_t begin = 0; begin < 1000; begin += step) {
      ASSERT_OK(ReadSubtreesCompletedIn(*db, begin, std::min<uint64_t>(begin + step, 1000), read));
    }
    std::vector<CompletedSubtree> expected = ExpectedSubtrees(*db);
    auto by_position = [](const CompletedSubtree& a, const CompletedSubtree& b) {
      return std::tie(a.level, a.index) < std::tie(b.level, b.index);
    };
    std::sort(read.begin(), read.end(), by_position);
    EXPECT_EQ(read, expected) << "steps of " << step;
  }
  auto none = FindSubtreeBeyond(*db, 1000);
  ASSERT_OK(none);
  EXPECT_FALSE(none->has_value());
  // The first 991 leaves do not complete the subtree of leaves 976 to 991.
  auto beyond = FindSubtreeBeyond(*db, 991);
  ASSERT_OK(beyond);
  ASSERT_TRUE(beyond->has_value());
  EXPECT_EQ((*beyond)->level, kStoredSubtreeMinLevel);
  EXPECT_EQ((*beyond)->index, 976u >> kStoredSubtreeMinLevel);
}

TEST(SubtreeTableTest, ReadsTheWantedRowsInBatches) {
  AuditLogFixture fixture;
  AppendInBatches(fixture, 4099);
  auto db = fixture.RawDatabase();
  std::vector<CompletedSubtree> all = ExpectedSubtrees(*db);
  // Every row, wanted twice in reverse order, and positions without a row.
  std::vector<CompletedSubtree> wanted(all.rbegin(), all.rend());
  wanted.insert(wanted.end(), all.begin(), all.end());
  wanted.push_back({kStoredSubtreeMinLevel, 4099 >> kStoredSubtreeMinLevel, {}});
  wanted.push_back({40, 0, {}});
  std::vector<CompletedSubtree> found;
  ASSERT_OK(ReadSubtrees(*db, wanted, found));
  EXPECT_EQ(found, all);  // by level then index, once each
  found.clear();
  ASSERT_OK(ReadSubtrees(*db, std::span(all).subspan(3, 1), found));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0], all[3]);
  // More positions than one statement takes, most without a row.
  for (uint64_t i = 0; i < 20000; ++i) wanted.push_back({kStoredSubtreeMinLevel + 1, 1000 + i, {}});
  found.clear();
  ASSERT_OK(ReadSubtrees(*db, wanted, found));
  EXPECT_EQ(found, all);
}

// Vigie stored subtrees from 2^8 leaves until the lower levels made a
// breach report's proofs 16 times cheaper to read: such a log gets them when
// a writer opens it.
TEST(SubtreeTableTest, OpeningALogStoredFromLevelEightAddsTheLowerLevels) {
  static_assert(kStoredSubtreeMinLevel < 8);
  AuditLogFixture fixture;
  AppendInBatches(fixture, 1000);
  {
    auto db = fixture.RawDatabase();
    ASSERT_OK(LiftAppendOnlyGuards(*db));
    ASSERT_OK(db->ExecuteScript("DELETE FROM audit_subtree WHERE level < 8;"));
    ASSERT_OK(BackToSchemaVersion2(*db));
    EXPECT_EQ(Stored(*db).size(), 4u);  // 1000 events: 3 of 256, 1 of 512
    EXPECT_FALSE(*SubtreesCover(*db, 1000));
  }
  { auto log = fixture.OpenLog(); }
  auto db = fixture.RawDatabase();
  EXPECT_TRUE(*SubtreesCover(*db, 1000));
  EXPECT_EQ(Stored(*db), ExpectedSubtrees(*db));
  AuditVerifyReport report = Verify(fixture, *db);
  EXPECT_TRUE(report.ok) << report.problem;
}

TEST(SubtreeTableTest, TheDatabaseRefusesToChangeOrDeleteSubtrees) {
  AuditLogFixture fixture;
  AppendInBatches(fixture, 300);
  auto db = fixture.RawDatabase();
  EXPECT_FALSE(db->ExecuteScript("UPDATE audit_subtree SET hash = " + ZeroHashSql(*db)).has_value());
  EXPECT_FALSE(db->ExecuteScript("DELETE FROM audit_subtree").has_value());
}

class SubtreeVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AppendInBatches(fixture_, 1100);
    db_ = fixture_.RawDatabase();
    ASSERT_OK(LiftAppendOnlyGuards(*db_));
  }
  // The first event a bad subtree ending at `last` names: after the last
  // signed checkpoint before it, which proves the events it covers.
  uint64_t FirstUnprovenBefore(uint64_t first, uint64_t last) {
    auto proven = db_->Prepare(
        "SELECT coalesce(max(tree_size), 0) FROM audit_checkpoint "
        "WHERE tree_size <= $1");
    EXPECT_TRUE(proven.has_value());
    if (!proven) return 0;
    (*proven)->BindInt(1, static_cast<int64_t>(last));
    EXPECT_TRUE((*proven)->Step().value_or(false));
    const auto size = static_cast<uint64_t>((*proven)->ColumnInt(0));
    EXPECT_TRUE((*proven)->Run().has_value());
    return std::max(first, size);
  }
  AuditLogFixture fixture_;
  std::unique_ptr<store::Connection> db_;
};

TEST_F(SubtreeVerifyTest, AChangedSubtreeIsNamed) {
  ASSERT_OK(db_->ExecuteScript("UPDATE audit_subtree SET hash = " + ZeroHashSql(*db_) +
                               " WHERE level = 9 AND idx = 1"));
  AuditVerifyReport report = Verify(fixture_, *db_);
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_event, FirstUnprovenBefore(512, 1023));
  EXPECT_GT(report.first_bad_event.value_or(0), 512u) << "a checkpoint falls inside";
  EXPECT_NE(report.problem.find("level 9 index 1 (events 512 to 1023) does not match"),
            std::string::npos)
      << report.problem;
}

TEST_F(SubtreeVerifyTest, AMissingSubtreeIsNamed) {
  ASSERT_OK(db_->ExecuteScript("DELETE FROM audit_subtree WHERE level = 8 AND idx = 3"));
  AuditVerifyReport report = Verify(fixture_, *db_);
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_event, FirstUnprovenBefore(768, 1023));
  EXPECT_NE(report.problem.find("level 8 index 3 (events 768 to 1023) is missing"),
            std::string::npos)
      << report.problem;
}

// A log not backfilled yet (written by the release that stored rows from
// 256 leaves, or appended to by such a node past the recorded coverage)
// verifies: those rows are not written yet. The rows it has are still checked.
TEST_F(SubtreeVerifyTest, LowerRowsNotBackfilledYetAreNotMissing) {
  ASSERT_OK(AsIfAnOlderNodeAppendedFrom(*db_, 600));
  AuditVerifyReport report = Verify(fixture_, *db_);
  EXPECT_TRUE(report.ok) << report.problem;
  ASSERT_OK(BackToSchemaVersion2(*db_));  // and read-only, before any migration
  ASSERT_OK(db_->ExecuteScript("DELETE FROM audit_subtree WHERE level < 8"));
  report = Verify(fixture_, *db_);
  EXPECT_TRUE(report.ok) << report.problem;
  ASSERT_OK(db_->ExecuteScript("UPDATE audit_subtree SET hash = " + ZeroHashSql(*db_) +
                               " WHERE level = 8 AND idx = 3"));
  report = Verify(fixture_, *db_);
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.problem.find("level 8 index 3 (events 768 to 1023) does not match"),
            std::string::npos)
      << report.problem;
}

TEST_F(SubtreeVerifyTest, ALowerRowMissingWithinTheRecordedCoverageIsNamed) {
  ASSERT_OK(db_->ExecuteScript("DELETE FROM audit_subtree WHERE level = 5 AND idx = 7"));
  AuditVerifyReport report = Verify(fixture_, *db_);
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.problem.find("level 5 index 7 (events 224 to 255) is missing"),
            std::string::npos)
      << report.problem;
}

TEST_F(SubtreeVerifyTest, ASubtreeBeyondTheLogIsFound) {
  ASSERT_OK(db_->ExecuteScript("INSERT INTO audit_subtree (level, idx, hash) VALUES (8, 4, " +
                               ZeroHashSql(*db_) + ")"));
  AuditVerifyReport report = Verify(fixture_, *db_);
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.problem.find("level 8 index 4 (events 1024 to 1279) is not a stored subtree "
                                "of the log's 1100 events"),
            std::string::npos)
      << report.problem;
}

TEST_F(SubtreeVerifyTest, ARowBelowTheStoredLevelsIsFound) {
  ASSERT_OK(db_->ExecuteScript("INSERT INTO audit_subtree (level, idx, hash) VALUES (2, 0, " +
                               ZeroHashSql(*db_) + ")"));
  AuditVerifyReport report = Verify(fixture_, *db_);
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.problem.find("level 2 index 0 (events 0 to 3) is not a stored subtree"),
            std::string::npos)
      << report.problem;
}

}  // namespace
}  // namespace vigie::audit
