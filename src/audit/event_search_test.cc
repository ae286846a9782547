#include "audit/event_search.h"

#include <gtest/gtest.h>

#include "audit/audit_log_test_util.h"

namespace vigie::audit {
namespace {

using testing::AuditLogFixture;
using testing::SearchEvent;

class EventSearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = fixture_.OpenLog();
    for (int64_t i = 0; i < 30; ++i) {
      AuditEvent event = SearchEvent(i % 3 + 1, {100 + i % 5});
      event.time_unix_micros = 1'000'000 * (i + 1);
      if (i == 7) {
        event.type = AuditEventType::kFileOpening;
        event.source_address = "198.51.100.9";
        event.query.terms_keyed_hash = std::vector<uint8_t>(32, 0x77);
      }
      ASSERT_TRUE(log->Append(event).has_value());
    }
    log.reset();
    db_ = fixture_.RawDatabase();
  }

  std::vector<uint64_t> Sequences(const EventFilter& filter) {
    auto events = FindEvents(*db_, filter);
    EXPECT_TRUE(events.has_value()) << events.error().message();
    std::vector<uint64_t> sequences;
    for (const AuditEvent& event : events.value_or(std::vector<AuditEvent>{})) {
      sequences.push_back(event.sequence);
    }
    return sequences;
  }

  AuditLogFixture fixture_;
  std::unique_ptr<store::Connection> db_;
};

TEST_F(EventSearchTest, EachCriterionNarrowsTheEvents) {
  EXPECT_EQ(Sequences({}).size(), 30u);
  EXPECT_EQ(Sequences({.agent_id = 2}).size(), 10u);
  EXPECT_EQ(Sequences({.agent_id = 2, .since_unix_micros = 10'000'000}).size(), 7u);
  EXPECT_EQ(Sequences({.person_id = 103}), (std::vector<uint64_t>{3, 8, 13, 18, 23, 28}));
  EXPECT_EQ(Sequences({.type = AuditEventType::kFileOpening}), std::vector<uint64_t>{7});
  EXPECT_EQ(Sequences({.source_address = "198.51.100.9"}), std::vector<uint64_t>{7});
  EXPECT_EQ(Sequences({.terms_hash = std::vector<uint8_t>(32, 0x77)}), std::vector<uint64_t>{7});
  EXPECT_EQ(Sequences({.until_unix_micros = 2'000'000}), (std::vector<uint64_t>{0, 1}));
  EXPECT_TRUE(Sequences({.agent_id = 99}).empty());
}

TEST_F(EventSearchTest, ResumesFromASequenceNumberWithinALimit) {
  EXPECT_EQ(Sequences({.after_sequence = 27}), (std::vector<uint64_t>{27, 28, 29}));
  EXPECT_EQ(Sequences({.after_sequence = 10, .limit = 2}), (std::vector<uint64_t>{10, 11}));
}

TEST_F(EventSearchTest, EndsBeforeASequenceNumberAndGivesTheLatestFirst) {
  EXPECT_EQ(Sequences({.before_sequence = 3}), (std::vector<uint64_t>{0, 1, 2}));
  EXPECT_EQ(Sequences({.agent_id = 2, .before_sequence = 20, .limit = 3, .newest_first = true}),
            (std::vector<uint64_t>{19, 16, 13}));
  EXPECT_EQ(
      Sequences({.agent_id = 2, .after_sequence = 10, .before_sequence = 20, .newest_first = true}),
      (std::vector<uint64_t>{19, 16, 13, 10}));
  EXPECT_EQ(Sequences({.person_id = 103, .limit = 2, .newest_first = true}),
            (std::vector<uint64_t>{28, 23}));
}

TEST_F(EventSearchTest, AnInjectionAttemptIsJustAnAddressThatMatchesNothing) {
  EXPECT_TRUE(Sequences({.source_address = "' OR 1=1 --"}).empty());
  EXPECT_EQ(Sequences({}).size(), 30u);  // and nothing was changed
}

// The person index is extended in segments behind the log: a query sees the
// events not indexed yet too, and a lost index catches up from the events.
TEST(EventSearchIndexTest, PersonQueriesSeeTheUnindexedTailAndTheIndexCatchesUp) {
  AuditLogFixture fixture;
  auto count_rows = [&](store::Connection& db) {
    auto row = db.Prepare("SELECT count(*) FROM audit_person_access WHERE person_id = 555");
    EXPECT_TRUE((*row)->Step().value_or(false));
    int64_t n = (*row)->ColumnInt(0);
    (void)(*row)->Step();
    return n;
  };
  {
    auto log = fixture.OpenLog();
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(log->Append(SearchEvent(1, {555, 7})).has_value());
    ASSERT_TRUE(log->Append(SearchEvent(2, {8})).has_value());
    auto db = fixture.RawDatabase();
    EXPECT_EQ(count_rows(*db), 0) << "not indexed while the log is open and small";
    auto found = FindEvents(*db, {.person_id = 555});
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->size(), 3u);
    auto limited = FindEvents(*db, {.person_id = 555, .limit = 2});
    EXPECT_EQ(limited->size(), 2u);
  }
  auto db = fixture.RawDatabase();
  EXPECT_EQ(count_rows(*db), 3) << "closing the log indexes the rest";
  EXPECT_EQ(FindEvents(*db, {.person_id = 555})->size(), 3u);
  EXPECT_EQ(FindEvents(*db, {.person_id = 8})->size(), 1u);

  // Lose the index (a crash before it was extended, or someone deleting it).
  ASSERT_TRUE(db->ExecuteScript("DELETE FROM audit_person_access; DELETE FROM "
                                "audit_person_segment; UPDATE audit_tip SET person_indexed = 0;")
                  .has_value());
  EXPECT_EQ(FindEvents(*db, {.person_id = 555})->size(), 3u) << "the tail scan still answers";
  { auto log = fixture.OpenLog(); }
  EXPECT_EQ(count_rows(*db), 3);
}

}  // namespace
}  // namespace vigie::audit
