#include "audit/event_search.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "audit/audit_log_test_util.h"
#include "audit/person_chunk.h"
#include "audit/person_index.h"

namespace vigie::audit {
namespace {

using testing::AuditLogFixture;
using testing::SearchEvent;

// Each question is asked twice: read by one connection, and with a second
// one reading half of every answer (from a single event, so the small
// logs of these tests take that path).
class EventSearchTest : public ::testing::TestWithParam<bool> {
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

  ParallelReading Parallel() {
    if (!GetParam()) return {};
    return {.open =
                [this] {
                  ++second_connections_;
                  return store::Open(fixture_.Options().url, {.read_only = true});
                },
            .from_events = 1};
  }

  std::vector<uint64_t> Sequences(const EventFilter& filter) {
    auto events = FindEvents(*db_, filter, Parallel());
    EXPECT_TRUE(events.has_value()) << events.error().message();
    std::vector<uint64_t> sequences;
    for (const AuditEvent& event : events.value_or(std::vector<AuditEvent>{})) {
      sequences.push_back(event.sequence);
    }
    return sequences;
  }

  AuditLogFixture fixture_;
  std::unique_ptr<store::Connection> db_;
  int second_connections_ = 0;  // opened by Parallel()'s reads
};

TEST_P(EventSearchTest, EachCriterionNarrowsTheEvents) {
  EXPECT_EQ(Sequences({}).size(), 30u);
  EXPECT_EQ(Sequences({.agent_id = 2}).size(), 10u);
  EXPECT_EQ(Sequences({.agent_id = 2, .since_unix_micros = 10'000'000}).size(), 7u);
  EXPECT_EQ(Sequences({.person_id = 103}), (std::vector<uint64_t>{3, 8, 13, 18, 23, 28}));
  EXPECT_EQ(Sequences({.person_id = 103, .after_sequence = 8, .before_sequence = 23}),
            (std::vector<uint64_t>{8, 13, 18}));
  EXPECT_EQ(Sequences({.type = AuditEventType::kFileOpening}), std::vector<uint64_t>{7});
  EXPECT_EQ(Sequences({.source_address = "198.51.100.9"}), std::vector<uint64_t>{7});
  EXPECT_EQ(Sequences({.terms_hash = std::vector<uint8_t>(32, 0x77)}), std::vector<uint64_t>{7});
  EXPECT_EQ(Sequences({.until_unix_micros = 2'000'000}), (std::vector<uint64_t>{0, 1}));
  EXPECT_TRUE(Sequences({.agent_id = 99}).empty());
  if (GetParam() && db_->dialect() == store::Dialect::kSqlite) {
    EXPECT_GT(second_connections_, 0) << "the two-reader path was taken";
  }
}

TEST_P(EventSearchTest, ResumesFromASequenceNumberWithinALimit) {
  EXPECT_EQ(Sequences({.after_sequence = 27}), (std::vector<uint64_t>{27, 28, 29}));
  EXPECT_EQ(Sequences({.after_sequence = 10, .limit = 2}), (std::vector<uint64_t>{10, 11}));
}

// Read a page at a time, the answer is the one read at once.
TEST_P(EventSearchTest, StreamsTheSameAnswerAPageAtATime) {
  for (const EventFilter& filter :
       {EventFilter{}, EventFilter{.agent_id = 2, .limit = 7},
        EventFilter{.person_id = 103, .after_sequence = 4}, EventFilter{.limit = 9}}) {
    for (const size_t page : {1, 3, 4, 100}) {
      std::vector<uint64_t> streamed;
      ASSERT_TRUE(StreamEvents(
                      *db_, filter, page,
                      [&](const AuditEvent& event) { streamed.push_back(event.sequence); },
                      Parallel())
                      .has_value());
      EXPECT_EQ(streamed, Sequences(filter)) << "page " << page << ", limit " << filter.limit;
    }
  }
  EXPECT_FALSE(
      StreamEvents(*db_, {.newest_first = true}, 10, [](const AuditEvent&) {}).has_value());
}

TEST_P(EventSearchTest, EndsBeforeASequenceNumberAndGivesTheLatestFirst) {
  EXPECT_EQ(Sequences({.before_sequence = 3}), (std::vector<uint64_t>{0, 1, 2}));
  EXPECT_EQ(Sequences({.agent_id = 2, .before_sequence = 20, .limit = 3, .newest_first = true}),
            (std::vector<uint64_t>{19, 16, 13}));
  EXPECT_EQ(
      Sequences({.agent_id = 2, .after_sequence = 10, .before_sequence = 20, .newest_first = true}),
      (std::vector<uint64_t>{19, 16, 13, 10}));
  EXPECT_EQ(Sequences({.person_id = 103, .limit = 2, .newest_first = true}),
            (std::vector<uint64_t>{28, 23}));
}

TEST_P(EventSearchTest, AnInjectionAttemptIsJustAnAddressThatMatchesNothing) {
  EXPECT_TRUE(Sequences({.source_address = "' OR 1=1 --"}).empty());
  EXPECT_EQ(Sequences({}).size(), 30u);  // and nothing was changed
}

INSTANTIATE_TEST_SUITE_P(OneOrTwoReaders, EventSearchTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& two) {
                           return two.param ? "TwoReaders" : "OneReader";
                         });

// The second connection's answer is not trusted alone: one that sees
// another log (a lagging replica) cannot shorten or change the answer.
TEST_F(EventSearchTest, ASecondConnectionSeeingAnotherLogDoesNotChangeTheAnswer) {
  AuditLogFixture other;
  { auto log = other.OpenLog(); }
  const ParallelReading elsewhere{
      .open = [url = other.Options().url] { return store::Open(url, {.read_only = true}); },
      .from_events = 1};
  for (const EventFilter& filter : {EventFilter{.agent_id = 2}, EventFilter{.person_id = 103}}) {
    auto alone = FindEvents(*db_, filter);
    auto helped = FindEvents(*db_, filter, elsewhere);
    ASSERT_TRUE(alone.has_value() && helped.has_value());
    ASSERT_EQ(helped->size(), alone->size());
    for (size_t i = 0; i < alone->size(); ++i) {
      EXPECT_EQ((*helped)[i].sequence, (*alone)[i].sequence);
    }
  }
}

// An event the person index names but the log lacks (deleted by someone
// with the database) is named, not skipped, when read by sequence.
TEST_F(EventSearchTest, AnEventTheIndexNamesButTheLogLacksIsNamed) {
  if (db_->dialect() != store::Dialect::kSqlite) {
    GTEST_SKIP() << "events are read by sequence on SQLite only";
  }
  ASSERT_TRUE(testing::LiftAppendOnlyGuards(*db_).has_value());
  ASSERT_TRUE(db_->ExecuteScript("DELETE FROM audit_event WHERE sequence = 8").has_value());
  auto events = FindEvents(
      *db_, {.person_id = 103},
      {.open = [this] { return store::Open(fixture_.Options().url, {.read_only = true}); },
       .from_events = 1});
  ASSERT_FALSE(events.has_value());
  EXPECT_EQ(events.error().code(), ErrorCode::kDataLoss);
  EXPECT_NE(events.error().message().find("audit event 8 is listed"), std::string::npos)
      << events.error().message();
}

// A row holding another event (its number not its own): callers page on
// the events' numbers, so it is named rather than answered.
TEST_P(EventSearchTest, ARowHoldingAnotherEventIsNamedNotAnswered) {
  ASSERT_TRUE(testing::LiftAppendOnlyGuards(*db_).has_value());
  ASSERT_TRUE(db_->ExecuteScript("UPDATE audit_event SET event = (SELECT event FROM audit_event "
                                 "WHERE sequence = 20) WHERE sequence = 7")
                  .has_value());
  auto events = FindEvents(*db_, {.source_address = "198.51.100.9"}, Parallel());
  ASSERT_FALSE(events.has_value());
  EXPECT_EQ(events.error().code(), ErrorCode::kDataLoss);
  EXPECT_NE(events.error().message().find("audit event 7 holds another sequence number"),
            std::string::npos)
      << events.error().message();
}

// A second connection is a help, not a condition: when it cannot be opened
// the first one reads the whole answer.
TEST_F(EventSearchTest, WithoutItsSecondConnectionTheAnswerIsReadByTheFirst) {
  auto events = FindEvents(*db_, {.agent_id = 2, .newest_first = true},
                           {.open = []() -> Result<std::unique_ptr<store::Connection>> {
                              return Fail(ErrorCode::kUnavailable, "no more connections");
                            },
                            .from_events = 1});
  ASSERT_TRUE(events.has_value()) << events.error().message();
  std::vector<uint64_t> sequences;
  for (const AuditEvent& event : *events) sequences.push_back(event.sequence);
  EXPECT_EQ(sequences, (std::vector<uint64_t>{28, 25, 22, 19, 16, 13, 10, 7, 4, 1}));
}

// The person index is extended in segments behind the log: a query sees the
// events not indexed yet too, and a lost index catches up from the events.
TEST(EventSearchIndexTest, PersonQueriesSeeTheUnindexedTailAndTheIndexCatchesUp) {
  AuditLogFixture fixture;
  auto indexed_accesses = [&](store::Connection& db) {
    auto indexed = IndexedAccessesOf(db, 555);
    EXPECT_TRUE(indexed.has_value());
    return indexed ? indexed->sequences.size() : 0;
  };
  {
    auto log = fixture.OpenLog();
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(log->Append(SearchEvent(1, {555, 7})).has_value());
    ASSERT_TRUE(log->Append(SearchEvent(2, {8})).has_value());
    auto db = fixture.RawDatabase();
    EXPECT_EQ(indexed_accesses(*db), 0u) << "not indexed while the log is open and small";
    auto found = FindEvents(*db, {.person_id = 555});
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->size(), 3u);
    auto limited = FindEvents(*db, {.person_id = 555, .limit = 2});
    EXPECT_EQ(limited->size(), 2u);
    const ParallelReading two_readers{
        .open = [url = fixture.Options().url] { return store::Open(url, {.read_only = true}); },
        .from_events = 1};
    auto read_by_two = FindEvents(*db, {.person_id = 555, .after_sequence = 1}, two_readers);
    ASSERT_TRUE(read_by_two.has_value()) << read_by_two.error().message();
    ASSERT_EQ(read_by_two->size(), 2u) << "the tail, read by sequence";
    EXPECT_EQ((*read_by_two)[0].sequence, 1u);
    EXPECT_EQ((*read_by_two)[1].sequence, 2u);
    auto limited_by_two = FindEvents(*db, {.person_id = 555, .limit = 2}, two_readers);
    ASSERT_TRUE(limited_by_two.has_value()) << limited_by_two.error().message();
    EXPECT_EQ(limited_by_two->size(), 2u);
  }
  auto db = fixture.RawDatabase();
  EXPECT_EQ(indexed_accesses(*db), 3u) << "closing the log indexes the rest";
  EXPECT_EQ(FindEvents(*db, {.person_id = 555})->size(), 3u);
  EXPECT_EQ(FindEvents(*db, {.person_id = 8})->size(), 1u);

  // Lose the index (a crash before it was extended, or someone deleting it).
  {
    // Indexed accesses and an unindexed tail, read by sequence, within bounds.
    auto log = fixture.OpenLog();
    for (int i = 0; i < 2; ++i) ASSERT_TRUE(log->Append(SearchEvent(3, {555})).has_value());
    const ParallelReading two_readers{
        .open = [url = fixture.Options().url] { return store::Open(url, {.read_only = true}); },
        .from_events = 1};
    auto sequences = [&](const EventFilter& filter, const ParallelReading& reading) {
      auto found = FindEvents(*db, filter, reading);
      EXPECT_TRUE(found.has_value()) << found.error().message();
      std::vector<uint64_t> out;
      for (const AuditEvent& event : found.value_or(std::vector<AuditEvent>{})) {
        out.push_back(event.sequence);
      }
      return out;
    };
    EXPECT_EQ(indexed_accesses(*db), 3u) << "the new accesses are the tail";
    const std::vector<uint64_t> all = sequences({.person_id = 555}, {});
    ASSERT_EQ(all.size(), 5u);
    EXPECT_EQ(sequences({.person_id = 555}, two_readers), all);
    const EventFilter bounded{.person_id = 555, .after_sequence = 1, .before_sequence = all[4]};
    EXPECT_EQ(sequences(bounded, two_readers), sequences(bounded, {}));
    EXPECT_EQ(sequences(bounded, two_readers), (std::vector<uint64_t>{1, 2, all[3]}));
  }
  ASSERT_TRUE(db->ExecuteScript("DELETE FROM audit_person_chunk; DELETE FROM "
                                "audit_person_segment; UPDATE audit_tip SET person_chunked = 0;")
                  .has_value());
  EXPECT_EQ(FindEvents(*db, {.person_id = 555})->size(), 5u) << "the tail scan still answers";
  { auto log = fixture.OpenLog(); }
  EXPECT_EQ(indexed_accesses(*db), 5u);
}

// The index is derived data someone with the database could forge: it may
// hide an access (verification, not the index, is what proves the log), but
// it cannot make an event that did not return a person answer for them.
TEST_P(EventSearchTest, AForgedIndexChunkCannotAddAnEventToAPersonsAccesses) {
  const auto chunks = ChunkAccesses(std::vector<PersonAccess>{{103, 3}, {103, 4}}, 0);
  ASSERT_EQ(chunks.size(), 1u);
  auto forge = db_->Prepare(
      "INSERT INTO audit_person_chunk (segment, first_person, last_person, pairs) "
      "VALUES (0, 103, 103, $1) ON CONFLICT (segment, first_person) DO UPDATE SET pairs = "
      "excluded.pairs");
  ASSERT_TRUE(forge.has_value());
  (*forge)->BindBlob(1, chunks[0].pairs);
  ASSERT_TRUE((*forge)->Run().has_value());
  ASSERT_EQ(IndexedAccessesOf(*db_, 103).value_or(IndexedAccesses{}).sequences,
            (std::vector<uint64_t>{3, 4}));
  // Event 4 returned person 104, not 103; the forged index lost 8, 13, ...
  EXPECT_EQ(Sequences({.person_id = 103}), (std::vector<uint64_t>{3}));
}

// A forged chunk may also repeat its entries or list them out of order:
// the answer is still each event once, in sequence order.
TEST_P(EventSearchTest, AForgedChunkThatRepeatsOrDisordersItsEntriesAnswersInOrder) {
  const auto chunks = ChunkAccesses(std::vector<PersonAccess>{{103, 8}, {103, 3}, {103, 8}}, 0);
  ASSERT_EQ(chunks.size(), 1u);
  auto forge = db_->Prepare(
      "UPDATE audit_person_chunk SET pairs = $1, first_person = 103, last_person = 103");
  ASSERT_TRUE(forge.has_value());
  (*forge)->BindBlob(1, chunks[0].pairs);
  ASSERT_TRUE((*forge)->Run().has_value());
  EXPECT_EQ(Sequences({.person_id = 103}), (std::vector<uint64_t>{3, 8}));
  EXPECT_EQ(Sequences({.person_id = 103, .limit = 1}), std::vector<uint64_t>{3});
}

// A chunk damaged on disk (or forged into garbage) does not make the
// person's accesses unanswerable, nor incomplete: its segment is answered
// from the events themselves.
TEST_P(EventSearchTest, ADamagedChunkIsAnsweredFromItsSegmentsEvents) {
  const std::vector<uint64_t> accesses{3, 8, 13, 18, 23, 28};  // person 103's
  ASSERT_EQ(Sequences({.person_id = 103}), accesses);
  for (const std::vector<uint8_t>& garbage :
       {std::vector<uint8_t>{0x80},                 // a varint cut short
        std::vector<uint8_t>{0x7f, 0x00, 0x01}}) {  // past the chunk's last person
    auto damage = db_->Prepare("UPDATE audit_person_chunk SET pairs = $1");
    ASSERT_TRUE(damage.has_value());
    (*damage)->BindBlob(1, garbage);
    ASSERT_TRUE((*damage)->Run().has_value());
    auto indexed = IndexedAccessesOf(*db_, 103);
    ASSERT_TRUE(indexed.has_value()) << indexed.error().message();
    EXPECT_EQ(indexed->sequences, accesses);
    EXPECT_EQ(Sequences({.person_id = 103}), accesses);
    EXPECT_EQ(Sequences({.person_id = 103, .after_sequence = 10, .limit = 2}),
              (std::vector<uint64_t>{13, 18}));
  }
}

// A log written before the index went into chunks (schema version 3, a row
// per access): after the migration its rows still answer for the events
// they cover, until the writer has rebuilt the chunks from the events past
// them - by itself, while idle.
TEST(EventSearchIndexTest, AnUpgradedLogAnswersFromItsOldRowsUntilRebuiltWhileIdle) {
  AuditLogFixture fixture;
  constexpr int kEvents = 5000;  // more than the writer lets the index lag
  {
    auto log = fixture.OpenLog();
    std::vector<AuditEvent> events;
    for (int i = 0; i < kEvents; ++i) events.push_back(SearchEvent(1, {i % 50, 1000 + i}));
    ASSERT_EQ(log->AppendAll(std::move(events)).value_or(0), static_cast<uint64_t>(kEvents));
  }
  auto db = fixture.RawDatabase();
  ASSERT_TRUE(testing::BackToSchemaVersion3(*db).has_value());
  // The version 3 index: person 7's accesses (events 7, 57, ...), one segment.
  std::string rows = "INSERT INTO audit_person_segment VALUES (0); ";
  for (int i = 7; i < kEvents; i += 50) {
    rows += "INSERT INTO audit_person_access VALUES (0, 7, " + std::to_string(i) + "); ";
  }
  ASSERT_TRUE(
      db->ExecuteScript(rows + "UPDATE audit_tip SET person_indexed = " + std::to_string(kEvents))
          .has_value());
  // The migration alone (as a command that opens the log read and write
  // does first): the old rows answer, the chunks being empty.
  ASSERT_TRUE(store::Migrate(*db, AuditLogSchema(db->dialect())).has_value());
  EXPECT_EQ(PersonIndexBuiltUpTo(*db).value_or(1), 0u);
  EXPECT_EQ(PersonIndexedUpTo(*db).value_or(0), static_cast<uint64_t>(kEvents));
  EXPECT_EQ(FindEvents(*db, {.person_id = 7})->size(), static_cast<size_t>(kEvents / 50));
  EXPECT_TRUE(FindEvents(*db, {.person_id = 1234})->empty())
      << "the old index is trusted for what it covers: no scan of the events";

  auto log = fixture.OpenLog();
  for (int waited = 0; waited < 200 && PersonIndexBuiltUpTo(*db).value_or(0) < kEvents; ++waited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(PersonIndexBuiltUpTo(*db).value_or(0), static_cast<uint64_t>(kEvents))
      << "rebuilt with no append to prompt it";
  EXPECT_EQ(IndexedAccessesOf(*db, 1234).value_or(IndexedAccesses{}).sequences,
            std::vector<uint64_t>{234});
  EXPECT_EQ(FindEvents(*db, {.person_id = 7})->size(), static_cast<size_t>(kEvents / 50));
  EXPECT_EQ(FindEvents(*db, {.person_id = 1234})->size(), 1u);
}

// A read-only command (`vigie audit search`, a breach report) run on a log
// that no writer of this release has opened yet: no chunk table, no
// migration allowed; the old rows answer, and the tail is scanned.
TEST(EventSearchIndexTest, AReadOnlyQueryAnswersFromALogNotMigratedYet) {
  AuditLogFixture fixture;
  {
    auto log = fixture.OpenLog();
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(log->Append(SearchEvent(1, {i % 2})).has_value());
  }
  {
    auto db = fixture.RawDatabase();
    ASSERT_TRUE(testing::BackToSchemaVersion3(*db).has_value());
    // The old index covers events 0-5 and holds person 1's accesses 1 and 5
    // (3's row lost: tells the index's answer from a scan's).
    ASSERT_TRUE(db->ExecuteScript("INSERT INTO audit_person_segment VALUES (0); "
                                  "INSERT INTO audit_person_access VALUES (0, 1, 1); "
                                  "INSERT INTO audit_person_access VALUES (0, 1, 5); "
                                  "UPDATE audit_tip SET person_indexed = 6;")
                    .has_value());
  }
  auto read_only = store::Open(fixture.Options().url, {.read_only = true});
  ASSERT_TRUE(read_only.has_value()) << read_only.error().message();
  auto found = FindEvents(**read_only, {.person_id = 1});
  ASSERT_TRUE(found.has_value()) << found.error().message();
  std::vector<uint64_t> sequences;
  for (const AuditEvent& event : *found) sequences.push_back(event.sequence);
  EXPECT_EQ(sequences, (std::vector<uint64_t>{1, 5, 7, 9}));
  EXPECT_EQ(PersonIndexedUpTo(**read_only).value_or(0), 6u);
}

}  // namespace
}  // namespace vigie::audit
