// Each test plays someone with full access to the audit database who edits
// the "who consulted this person" index (to hide that an event returned a
// person, or to confuse) and checks that `vigie audit verify` names it.

#include "audit/person_index_check.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "audit/audit_log_test_util.h"
#include "audit/audit_verifier.h"
#include "audit/person_chunk.h"
#include "audit/person_index.h"

namespace vigie::audit {
namespace {

using testing::AuditLogFixture;
using testing::SearchEvent;

constexpr int64_t kEvents = 300;

// Three persons per event among 100, one of them named twice in event 7.
std::vector<int64_t> PersonsOf(int64_t event) {
  std::vector<int64_t> persons = {event % 100 + 1, (event * 7) % 100 + 1,
                                  (event * 13 + 5) % 100 + 1};
  if (event == 7) persons.push_back(persons.front());
  return persons;
}

class PersonIndexCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = fixture_.OpenLog();
    for (int64_t i = 0; i < kEvents; ++i) {
      ASSERT_TRUE(log->Append(SearchEvent(i % 5 + 1, PersonsOf(i))).has_value());
    }
    log.reset();  // closing indexes the rest
    db_ = fixture_.RawDatabase();
    ASSERT_GT(Chunks().size(), 2u) << "the tests need a segment of several chunks";
  }

  AuditVerifyReport Verify() {
    auto report = VerifyAuditLog(*db_, [&](uint32_t id) { return fixture_.KeyById(id); }, {});
    EXPECT_TRUE(report.has_value()) << report.error().message();
    return report.value_or(AuditVerifyReport{});
  }

  void Execute(std::string_view sql, std::initializer_list<int64_t> ints = {},
               std::span<const uint8_t> blob = {}) {
    auto run = testing::RunSql(*db_, sql, ints, blob);
    ASSERT_TRUE(run.has_value()) << run.error().message();
  }

  std::vector<PersonChunk> Chunks() {
    std::vector<PersonChunk> chunks;
    auto rows = db_->Prepare(
        "SELECT first_person, last_person, pairs FROM audit_person_chunk WHERE segment = 0 "
        "ORDER BY first_person");
    EXPECT_TRUE(rows.has_value());
    while ((*rows)->Step().value_or(false)) {
      auto pairs = (*rows)->ColumnBlob(2);
      chunks.push_back(
          {(*rows)->ColumnInt(0), (*rows)->ColumnInt(1), {pairs.begin(), pairs.end()}});
    }
    return chunks;
  }

  std::vector<PersonAccess> Pairs() {
    std::vector<PersonAccess> pairs;
    for (const PersonChunk& chunk : Chunks()) {
      EXPECT_TRUE(DecodeChunk(chunk.View(), 0, pairs).has_value());
    }
    return pairs;
  }

  // Overwrites the pairs of `chunk` (of segment 0) with bytes no writer writes.
  void Garble(const PersonChunk& chunk) {
    const std::vector<uint8_t> garbage(chunk.pairs.size(), 0xff);
    Execute("UPDATE audit_person_chunk SET pairs = $2 WHERE segment = 0 AND first_person = $1",
            {chunk.first_person}, garbage);
  }

  void ExpectNamedGarbled(const PersonChunk& chunk) {
    AuditVerifyReport report = Verify();
    EXPECT_FALSE(report.ok);
    EXPECT_NE(report.problem.find("person index chunk of segment 0 from person " +
                                  std::to_string(chunk.first_person) + " does not hold"),
              std::string::npos)
        << report.problem;
  }

  // The careful attacker: rewrites segment 0 with Vigie's own encoder.
  void RewriteSegment(std::vector<PersonAccess> pairs) {
    std::sort(pairs.begin(), pairs.end());
    Execute("DELETE FROM audit_person_chunk WHERE segment = 0");
    for (const PersonChunk& chunk : ChunkAccesses(pairs, 0)) {
      Execute(
          "INSERT INTO audit_person_chunk (segment, first_person, last_person, pairs) "
          "VALUES (0, $1, $2, $3)",
          {chunk.first_person, chunk.last_person}, chunk.pairs);
    }
  }

  AuditLogFixture fixture_;
  std::unique_ptr<store::Connection> db_;
};

TEST_F(PersonIndexCheckTest, AnUntouchedIndexVerifies) {
  AuditVerifyReport report = Verify();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.person_indexed_events, static_cast<uint64_t>(kEvents));
  size_t distinct = 0;  // a person named twice by one event is one access
  for (int64_t i = 0; i < kEvents; ++i) {
    std::vector<int64_t> persons = PersonsOf(i);
    std::sort(persons.begin(), persons.end());
    distinct += static_cast<size_t>(std::unique(persons.begin(), persons.end()) - persons.begin());
  }
  EXPECT_LT(distinct, 3u * kEvents);
  EXPECT_EQ(Pairs().size(), distinct);
}

TEST_F(PersonIndexCheckTest, AHiddenAccessIsNamed) {
  std::vector<PersonAccess> pairs = Pairs();
  const PersonAccess hidden{(123 * 7) % 100 + 1, 123};
  auto it = std::find(pairs.begin(), pairs.end(), hidden);
  ASSERT_NE(it, pairs.end());
  pairs.erase(it);
  RewriteSegment(pairs);
  AuditVerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_FALSE(report.first_bad_event.has_value()) << "the events themselves are whole";
  EXPECT_NE(report.problem.find("omits that event 123 returned person " +
                                std::to_string(hidden.person_id)),
            std::string::npos)
      << report.problem;
}

TEST_F(PersonIndexCheckTest, AnInventedAccessIsNamed) {
  std::vector<PersonAccess> pairs = Pairs();
  pairs.push_back({777, 200});
  RewriteSegment(pairs);
  AuditVerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.problem.find("says event 200 returned person 777, which it did not"),
            std::string::npos)
      << report.problem;
}

TEST_F(PersonIndexCheckTest, AnAccessMovedToAnotherEventIsNamed) {
  std::vector<PersonAccess> pairs = Pairs();
  const PersonAccess moved{(150 * 7) % 100 + 1, 150};
  auto it = std::find(pairs.begin(), pairs.end(), moved);
  ASSERT_NE(it, pairs.end());
  it->sequence = 151;  // same count: only the digest tells
  RewriteSegment(pairs);
  AuditVerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.problem.find("omits that event 150 returned person " +
                                std::to_string(moved.person_id)),
            std::string::npos)
      << report.problem;
}

TEST_F(PersonIndexCheckTest, ADeletedChunkIsNamed) {
  const PersonChunk second = Chunks()[1];
  Execute("DELETE FROM audit_person_chunk WHERE segment = 0 AND first_person = $1",
          {second.first_person});
  AuditVerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.problem.find("omits"), std::string::npos) << report.problem;
}

// SQLite keeps a value of another type in an INTEGER column, and its
// queries compare it as stored: a chunk "from person P + 0.5" beside the
// real one from P is the one a query for a person after P reads, though
// read as an integer it looks like a neighbour. The writer stores integers
// and blobs only: any other row, changed or planted, is named.
TEST_F(PersonIndexCheckTest, AChunkStoredAsAnotherTypeIsNamed) {
  if (db_->dialect() == store::Dialect::kPostgres) GTEST_SKIP() << "BIGINT holds integers only";
  const PersonChunk second = Chunks()[1];
  const std::string row = " WHERE segment = 0 AND first_person = $1";
  for (const std::string& change :
       {"UPDATE audit_person_chunk SET first_person = first_person + 0.5" + row,
        "UPDATE audit_person_chunk SET segment = '0x'" + row,
        "UPDATE audit_person_chunk SET last_person = last_person || 'x'" + row,
        "UPDATE audit_person_chunk SET pairs = CAST(pairs AS TEXT)" + row,
        // A shadow beside the real chunk (the same pairs here: its type is
        // what is named, whatever it holds).
        std::string("INSERT INTO audit_person_chunk SELECT segment, first_person + 0.5, "
                    "last_person, pairs FROM audit_person_chunk") +
            row}) {
    SCOPED_TRACE(change);
    Execute(change, {second.first_person});
    AuditVerifyReport report = Verify();
    EXPECT_FALSE(report.ok);
    EXPECT_NE(report.problem.find("audit_person_chunk holds a row (segment 0"), std::string::npos)
        << report.problem;
    // Put back as written, for the next change.
    Execute(
        "DELETE FROM audit_person_chunk WHERE typeof(segment) <> 'integer' OR "
        "typeof(first_person) <> 'integer' OR typeof(last_person) <> 'integer' OR "
        "typeof(pairs) <> 'blob'");
    Execute(
        "INSERT OR IGNORE INTO audit_person_chunk (segment, first_person, last_person, pairs) "
        "VALUES (0, $1, $2, $3)",
        {second.first_person, second.last_person}, second.pairs);
    ASSERT_TRUE(Verify().ok);
  }
}

TEST_F(PersonIndexCheckTest, AnUnlistedSegmentIsNamed) {
  Execute("DELETE FROM audit_person_segment");
  AuditVerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.problem.find("is in no listed segment"), std::string::npos) << report.problem;
}

TEST_F(PersonIndexCheckTest, AChunkThatDoesNotDecodeIsNamed) {
  const PersonChunk first = Chunks()[0];
  Garble(first);
  ExpectNamedGarbled(first);
}

// The chunks are checked on two threads (the verifier's reading stage hands
// some to its chain stage): of two problems, the first in the index's order
// is named, as a single pass would.
TEST_F(PersonIndexCheckTest, OfTwoDamagedChunksTheFirstIsNamed) {
  const std::vector<PersonChunk> chunks = Chunks();
  const PersonChunk& first = chunks.front();
  Garble(first);
  // The last chunk made to overlap the one before it.
  const PersonChunk& before_last = chunks[chunks.size() - 2];
  ASSERT_LT(before_last.first_person, before_last.last_person);
  Execute("UPDATE audit_person_chunk SET first_person = $2 WHERE segment = 0 AND first_person = $1",
          {chunks.back().first_person, before_last.last_person});
  ExpectNamedGarbled(first);
}

// A query reads only the chunk with the largest first person not above the
// one asked for: one person's pairs split over two chunks hide some.
TEST_F(PersonIndexCheckTest, APersonSplitOverTwoChunksIsNamed) {
  const std::vector<PersonChunk> chunks = Chunks();
  std::vector<PersonAccess> first, second;
  ASSERT_TRUE(DecodeChunk(chunks[0].View(), 0, first).has_value());
  ASSERT_TRUE(DecodeChunk(chunks[1].View(), 0, second).has_value());
  // The first chunk's last person's last pair goes to the second chunk.
  second.insert(second.begin(), first.back());
  first.pop_back();
  ASSERT_EQ(first.back().person_id, second.front().person_id) << "the person has two pairs";
  Execute("DELETE FROM audit_person_chunk WHERE segment = 0 AND first_person IN ($1, $2)",
          {chunks[0].first_person, chunks[1].first_person});
  for (const auto* pairs : {&first, &second}) {
    std::vector<PersonChunk> one = ChunkAccesses(*pairs, 0);
    ASSERT_EQ(one.size(), 1u);
    Execute(
        "INSERT INTO audit_person_chunk (segment, first_person, last_person, pairs) "
        "VALUES (0, $1, $2, $3)",
        {one[0].first_person, one[0].last_person}, one[0].pairs);
  }
  AuditVerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.problem.find("overlaps the segment's previous chunk"), std::string::npos)
      << report.problem;
}

TEST_F(PersonIndexCheckTest, ATipPastTheLogIsNamed) {
  Execute("UPDATE audit_tip SET person_chunked = $1", {kEvents + 50});
  AuditVerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.problem.find("person index covers 350 events, but the log has 300"),
            std::string::npos)
      << report.problem;
}

TEST_F(PersonIndexCheckTest, PairsPastTheCoveredEventsAreNamed) {
  Execute("UPDATE audit_tip SET person_chunked = 100");
  AuditVerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.problem.find("past the 100 events the index covers"), std::string::npos)
      << report.problem;
}

// Before the writer of schema version 4 migrates a log, its legacy rows are
// the index: nothing to check, and nothing refused.
TEST_F(PersonIndexCheckTest, ALogWithoutChunksVerifies) {
  ASSERT_TRUE(testing::BackToSchemaVersion3(*db_).has_value());
  AuditVerifyReport report = Verify();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.person_indexed_events, 0u);
}

// Turning the chunks' bound down to 0 does not turn the check off: the
// chunks a query still reads are then all past it.
TEST_F(PersonIndexCheckTest, ChunksLeftBehindABoundOfZeroAreNamed) {
  Execute("UPDATE audit_tip SET person_chunked = 0");
  AuditVerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.problem.find("is past the 0 events the index covers"), std::string::npos)
      << report.problem;
}

// An event row slipped in at a huge sequence, the bound raised to match:
// the missing events are named, and nothing is sized by the forged number.
TEST_F(PersonIndexCheckTest, AForgedHugeSequenceIsNamedWithoutSizingAnythingByIt) {
  Execute(
      "INSERT INTO audit_event (sequence, time_us, type, agent_id, unit_id, session_id, "
      "source_address, terms_hash, event, chain_hash) SELECT 4611686018427387904, time_us, "
      "type, agent_id, unit_id, session_id, source_address, terms_hash, event, chain_hash "
      "FROM audit_event WHERE sequence = 3");
  Execute("UPDATE audit_tip SET person_chunked = 4611686018427387904");
  AuditVerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_event, static_cast<uint64_t>(kEvents));
  EXPECT_NE(report.problem.find("is missing"), std::string::npos) << report.problem;
}

// The verifier reads in batches of 4 096 events and hands each batch's
// buffers back for reuse: a log of several batches verifies whole, and a
// chunk deleted from its last segment is still found.
TEST(PersonIndexCheckManyBatchesTest, ALogOfManyBatchesVerifiesAndItsLastChunkIsHeldToIt) {
  constexpr int64_t kManyEvents = 6 * 4096 + 100;
  AuditLogFixture fixture;
  {
    auto log = fixture.OpenLog();
    std::vector<AuditEvent> events;
    for (int64_t i = 0; i < kManyEvents; ++i)
      events.push_back(SearchEvent(i % 5 + 1, PersonsOf(i)));
    auto appended = log->AppendAll(std::move(events));
    ASSERT_TRUE(appended.has_value()) << appended.error().message();
  }
  auto db = fixture.RawDatabase();
  auto verify = [&] {
    auto report = VerifyAuditLog(*db, [&](uint32_t id) { return fixture.KeyById(id); }, {});
    EXPECT_TRUE(report.has_value()) << report.error().message();
    return report.value_or(AuditVerifyReport{});
  };
  AuditVerifyReport untouched = verify();
  EXPECT_TRUE(untouched.ok) << untouched.problem;
  EXPECT_EQ(untouched.person_indexed_events, static_cast<uint64_t>(kManyEvents));

  auto run = testing::RunSql(*db,
                             "DELETE FROM audit_person_chunk WHERE segment = (SELECT "
                             "max(segment) FROM audit_person_chunk) AND first_person = (SELECT "
                             "max(first_person) FROM audit_person_chunk WHERE segment = (SELECT "
                             "max(segment) FROM audit_person_chunk))",
                             {});
  ASSERT_TRUE(run.has_value()) << run.error().message();
  AuditVerifyReport changed = verify();
  EXPECT_FALSE(changed.ok);
  EXPECT_NE(changed.problem.find("omits"), std::string::npos) << changed.problem;
}

// During a rolling upgrade the old rows (a row per access) answer past the
// chunks, up to person_indexed: held to the events the same way.
class PersonIndexWithLegacyRowsTest : public PersonIndexCheckTest {
 protected:
  static constexpr int64_t kChunked = 100;

  void SetUp() override {
    PersonIndexCheckTest::SetUp();
    if (HasFatalFailure()) return;
    // The chunks cover [0, 100); an old node's rows cover [100, 300) in a
    // segment of their own.
    Execute("DELETE FROM audit_person_chunk");
    Execute("UPDATE audit_tip SET person_chunked = 0");
    ASSERT_EQ(ExtendPersonIndex(*db_, kChunked).value_or(0), static_cast<uint64_t>(kChunked));
    Execute("INSERT INTO audit_person_segment (segment) VALUES ($1)", {kChunked});
    for (int64_t event = kChunked; event < kEvents; ++event) {
      std::vector<int64_t> persons = PersonsOf(event);
      std::sort(persons.begin(), persons.end());
      persons.erase(std::unique(persons.begin(), persons.end()), persons.end());
      for (int64_t person : persons) {
        Execute(
            "INSERT INTO audit_person_access (segment, person_id, sequence) VALUES ($1, $2, $3)",
            {kChunked, person, event});
      }
    }
    Execute("UPDATE audit_tip SET person_indexed = $1", {kEvents});
  }
};

TEST_F(PersonIndexWithLegacyRowsTest, ChunksThenOldRowsVerify) {
  AuditVerifyReport report = Verify();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.person_indexed_events, static_cast<uint64_t>(kEvents));
}

TEST_F(PersonIndexWithLegacyRowsTest, AnOldRowDeletedIsNamed) {
  const int64_t person = (250 * 13 + 5) % 100 + 1;
  Execute("DELETE FROM audit_person_access WHERE sequence = 250 AND person_id = $1", {person});
  AuditVerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.problem.find("omits that event 250 returned person " + std::to_string(person)),
            std::string::npos)
      << report.problem;
}

TEST_F(PersonIndexWithLegacyRowsTest, AnOldRowStoredAsAnotherTypeIsNamed) {
  if (db_->dialect() == store::Dialect::kPostgres) GTEST_SKIP() << "BIGINT holds integers only";
  const int64_t person = (250 * 13 + 5) % 100 + 1;
  Execute(
      "UPDATE audit_person_access SET sequence = sequence + 0.5 "
      "WHERE sequence = 250 AND person_id = $1",
      {person});
  AuditVerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.problem.find("audit_person_access holds a row (segment 100)"), std::string::npos)
      << report.problem;
}

TEST_F(PersonIndexWithLegacyRowsTest, AnOldRowAddedIsNamed) {
  Execute("INSERT INTO audit_person_access (segment, person_id, sequence) VALUES ($1, 999, 120)",
          {kChunked});
  AuditVerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.problem.find("says event 120 returned person 999"), std::string::npos)
      << report.problem;
}

// Raising person_indexed over events no old row covers would hide them from
// the tail a query scans: the rows are missing, so it is named.
TEST_F(PersonIndexWithLegacyRowsTest, AnOldBoundRaisedOverUnindexedEventsIsNamed) {
  Execute("DELETE FROM audit_person_access WHERE sequence >= 200");
  AuditVerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.problem.find("omits that event 200"), std::string::npos) << report.problem;
}

// A chunk that no longer decodes is answered from its segment's events: all
// of them, though the old index lists a segment of its own within them.
TEST_F(PersonIndexWithLegacyRowsTest, ADamagedChunkIsAnsweredFromAllItsSegmentsEvents) {
  Execute("INSERT INTO audit_person_segment (segment) VALUES (50)");  // an old node's segment
  const int64_t person = 1 + 90 % 100;  // event 90 returned them (and events 0..89 some)
  auto before = IndexedAccessesOf(*db_, person);
  ASSERT_TRUE(before.has_value());
  ASSERT_TRUE(std::count(before->sequences.begin(), before->sequences.end(), 90u));
  const std::vector<uint8_t> garbage(8, 0xff);
  Execute(
      "UPDATE audit_person_chunk SET pairs = $3 WHERE segment = 0 AND first_person <= $1 "
      "AND last_person >= $2",
      {person, person}, garbage);
  auto after = IndexedAccessesOf(*db_, person);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->sequences, before->sequences);
}

// A pair filed in an earlier segment whose events do not reach it: still
// the same set (verify passes), and a query still answers it in order.
TEST_F(PersonIndexCheckTest, APairFiledInAnEarlierSegmentIsAnsweredInOrder) {
  Execute("DELETE FROM audit_person_chunk");
  Execute("DELETE FROM audit_person_segment");
  Execute("UPDATE audit_tip SET person_chunked = 0");
  ASSERT_EQ(ExtendPersonIndex(*db_, 150).value_or(0), 150u);
  ASSERT_EQ(ExtendPersonIndex(*db_, 150).value_or(0), 300u);
  const int64_t person = 1;  // events 0, 15, 100, 115, 200 and 215 returned them
  auto before = IndexedAccessesOf(*db_, person);
  ASSERT_TRUE(before.has_value());
  ASSERT_EQ(before->sequences, (std::vector<uint64_t>{0, 15, 100, 115, 200, 215}));
  // Move (person, 215) from segment 150 to segment 0, re-encoded: segment 0
  // now answers 215 before segment 150 answers 200.
  for (const int64_t segment : {0, 150}) {
    std::vector<PersonAccess> pairs;
    auto rows = db_->Prepare(
        "SELECT first_person, last_person, pairs FROM audit_person_chunk WHERE segment = $1");
    (*rows)->BindInt(1, segment);
    while ((*rows)->Step().value_or(false)) {
      ASSERT_TRUE(
          DecodeChunk({(*rows)->ColumnInt(0), (*rows)->ColumnInt(1), (*rows)->ColumnBlob(2)},
                      static_cast<uint64_t>(segment), pairs)
              .has_value());
    }
    const PersonAccess moved{person, 215};
    if (segment == 0) {
      pairs.push_back(moved);
    } else {
      pairs.erase(std::find(pairs.begin(), pairs.end(), moved));
    }
    std::sort(pairs.begin(), pairs.end());
    Execute("DELETE FROM audit_person_chunk WHERE segment = $1", {segment});
    for (const PersonChunk& chunk : ChunkAccesses(pairs, static_cast<uint64_t>(segment))) {
      Execute(
          "INSERT INTO audit_person_chunk (segment, first_person, last_person, pairs) "
          "VALUES ($1, $2, $3, $4)",
          {segment, chunk.first_person, chunk.last_person}, chunk.pairs);
    }
  }
  auto after = IndexedAccessesOf(*db_, person);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->sequences, before->sequences);
  EXPECT_TRUE(Verify().ok);
}

}  // namespace
}  // namespace vigie::audit
