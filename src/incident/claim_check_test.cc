#include "incident/claim_check.h"

#include <gtest/gtest.h>

#include <map>

#include "audit/audit_log_test_util.h"
#include "audit/person_index.h"
#include "incident/claim_output.h"
#include "tests/support/matchers.h"
#include "tests/support/records_db.h"

namespace vigie::incident {
namespace {

using audit::AuditEvent;
using audit::AuditEventType;
using audit::AuditOutcome;
using audit::testing::SearchEvent;
using ::vigie::testing::ErrorCodeIs;

class ClaimCheckTest : public ::testing::Test {
 protected:
  int64_t Add(std::string id, std::string surname, std::vector<std::string> given,
              records::PartialDate birth) {
    records::Person p;
    p.external_id = std::move(id);
    p.surname = std::move(surname);
    p.given_names = std::move(given);
    p.birth_date = birth;
    p.birth_place = "Lyon (69)";
    auto put = records_.repository->PutPerson(p);
    EXPECT_TRUE(put.has_value()) << put.error().ToString();
    return p.id;
  }

  // Appends the events, closing the log after, so the test can read it.
  void Append(std::vector<AuditEvent> events) {
    auto log = audit_.OpenLog();
    for (AuditEvent& event : events) ASSERT_OK(log->Append(std::move(event)));
  }

  struct Checked {
    ClaimSummary summary;
    std::vector<ClaimRowResult> rows;
    std::vector<std::string> json;  // ClaimRowJson of each row
  };
  Result<Checked> Check(std::string_view sample, ClaimCheckOptions options = {}) {
    auto audit_db = audit_.RawDatabase();
    SeededRandom random(5);
    Checked checked;
    auto summary = CheckClaim(sample, options, *records_.repository, *audit_db, random,
                              [&](const ClaimRowResult& row) -> Result<void> {
                                checked.rows.push_back(row);
                                checked.json.push_back(ClaimRowJson(row));
                                return {};
                              });
    if (!summary) return Fail(summary.error());
    checked.summary = std::move(*summary);
    for (ClaimRowResult& row : checked.rows) {
      for (MatchedPerson& p : row.persons) p.access = nullptr;  // the report is gone
    }
    return checked;
  }

  testing::RecordsDb records_;
  audit::testing::AuditLogFixture audit_;
};

class MixedSampleTest : public ClaimCheckTest {
 protected:
  void SetUp() override {
    auto tx = store::Transaction::Begin(*records_.db);
    ASSERT_OK(tx);
    lefevre_ = Add("EXT-1", "Lefèvre", {"Jean-Pierre"}, {1972, 4, 3});
    martin_ = Add("EXT-2", "Martin", {"Lucas", "Marie"}, {1999, 1, 2});
    nguyen_ = Add("EXT-3", "Nguyen", {"Thi Lan"}, {1965, 6, 7});
    durand_a_ = Add("EXT-4", "Durand", {"Paul"}, {1980, 1, 1});
    durand_b_ = Add("EXT-5", "Durand", {"Paul"}, {1980, 1, 1});  // an exact homonym
    dupont_ = Add("EXT-6", "Dupont", {"Anne"}, {1980, 5, 5});
    ASSERT_OK(tx->Commit());

    // Part of the log is indexed (segments), the rest is the unindexed tail.
    AuditEvent opening = SearchEvent(2, {lefevre_});
    opening.type = AuditEventType::kFileOpening;
    Append({SearchEvent(1, {lefevre_, 999}), SearchEvent(1, {lefevre_}), opening});
    ASSERT_OK(audit::ExtendPersonIndex(*audit_.RawDatabase()));
    AuditEvent refused = SearchEvent(5, {dupont_});  // refused: nothing was shown
    refused.outcome = audit::AuditOutcome::kRefused;
    refused.refusal_code = "PermissionDenied";
    AuditEvent login = SearchEvent(6, {});
    login.type = AuditEventType::kLoginPasswordOk;
    Append({SearchEvent(3, {martin_}), SearchEvent(4, {durand_b_}), refused, login});
  }

  static constexpr std::string_view kSample =
      "\xEF\xBB\xBF"
      "Nom,Prénom,Date de naissance,ID\r\n"
      "LEFEVRE,jean pierre,03/04/1972,EXT-1\r\n"      // 1 real, accessed, id agrees
      "Martin,Lucas,1999-01-02,\r\n"                  // 2 first given name alone
      "NGUYEN,Thi-Lan,1965-06-07,EXT-9\r\n"           // 3 never accessed, id disagrees
      "Durand,Paul,01/01/1980,\r\n"                   // 4 two persons, one accessed
      "Dupont,Anne,1980-05-05,\r\n"                   // 5 only a refused consultation
      "Lefèvre,Jean-Pierre,1972-04-04,\r\n"           // 6 same name, other birth date
      "Fabriqué,Inventé,2000-01-01,\r\n"              // 7 nobody
      "Bad\xff,Paul,2000-01-01,\r\n"                  // 8 invalid UTF-8
      "Dupont,Anne,31/02/1980,\r\n"                   // 9 no such day
      "Dupont,,1980-05-05,\r\n"                       // 10 no given name
      "\"Lefèvre\",\"Jean, Pierre\",1972-04-03,\r\n"  // 11 quoted, comma inside
      "\"Dupont,Anne,1980-05-05,\r\n"                 // 12 unclosed quote
      "Martin,Marie,1999-01-02,\r\n";                 // 13 second given name alone

  int64_t lefevre_ = 0, martin_ = 0, nguyen_ = 0, durand_a_ = 0, durand_b_ = 0, dupont_ = 0;
};

// A spreadsheet opens the CSV answer: no cell may start a formula, even one
// whose text a later change takes from the sample.
TEST(ClaimOutputTest, CsvCellsCannotStartAFormula) {
  ClaimRowResult row{.row = 3,
                     .line = 4,
                     .verdict = ClaimVerdict::kInvalid,
                     .error = "=HYPERLINK(\"http://x\",\"y\")"};
  const std::string csv = ClaimRowCsv(row);
  EXPECT_EQ(csv.find(",=HYPERLINK"), std::string::npos) << csv;
  EXPECT_EQ(csv.find(",\"=HYPERLINK"), std::string::npos) << csv;
  EXPECT_NE(csv.find("'=HYPERLINK"), std::string::npos) << csv;
}

TEST_F(MixedSampleTest, EveryRowGetsItsVerdictAndTheTotalsAreExact) {
  auto checked = Check(kSample);
  ASSERT_OK(checked);
  const std::vector<ClaimRowResult>& rows = checked->rows;
  ASSERT_EQ(rows.size(), 13u);
  using enum ClaimVerdict;
  const ClaimVerdict expected[] = {kRealAndAccessed, kRealAndAccessed,   kRealNeverAccessed,
                                   kRealAndAccessed, kRealNeverAccessed, kNoMatch,
                                   kNoMatch,         kInvalid,           kInvalid,
                                   kInvalid,         kRealAndAccessed,   kInvalid,
                                   kNoMatch};
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].verdict, expected[i]) << "row " << i + 1 << ": " << checked->json[i];
    EXPECT_EQ(rows[i].row, static_cast<int64_t>(i + 1));
    EXPECT_EQ(rows[i].line, static_cast<int64_t>(i + 2));
  }
  EXPECT_EQ(rows[0].id_agrees, std::optional<bool>(true));
  EXPECT_EQ(rows[1].persons.size(), 1u);
  EXPECT_EQ(rows[1].persons[0].person_id, martin_);
  EXPECT_TRUE(rows[1].persons[0].first_given_name_only);
  EXPECT_EQ(rows[2].id_agrees, std::optional<bool>(false));
  ASSERT_EQ(rows[3].persons.size(), 2u);  // both homonyms
  EXPECT_EQ(rows[1].id_agrees, std::nullopt);
  EXPECT_NE(rows[7].error.find("UTF-8"), std::string::npos);
  EXPECT_NE(rows[8].error.find("birth_date"), std::string::npos);
  EXPECT_NE(rows[9].error.find("given_names is empty"), std::string::npos);
  EXPECT_NE(rows[11].error.find("unclosed quote"), std::string::npos);

  const ClaimTotals& t = checked->summary.totals;
  EXPECT_EQ(t.rows, 13);
  EXPECT_EQ(t.real_and_accessed, 4);
  EXPECT_EQ(t.real_never_accessed, 2);
  EXPECT_EQ(t.no_match, 3);
  EXPECT_EQ(t.invalid, 4);
  EXPECT_EQ(t.persons_matched, 6);
  EXPECT_EQ(t.persons_accessed, 3);  // Lefèvre, Martin, the second Durand
  EXPECT_EQ(t.id_agrees, 1);
  EXPECT_EQ(t.id_disagrees, 1);
  EXPECT_EQ(checked->summary.access_method, "person_index");
  EXPECT_EQ(checked->summary.agents, 4);
  ASSERT_EQ(checked->summary.sessions.size(), 4u);
  const SessionInvolved& top = checked->summary.sessions[0];  // agent 1: Lefèvre twice
  EXPECT_EQ(top.access.session_id, 11);
  EXPECT_EQ(top.access.service_number, "GN-1");
  EXPECT_EQ(top.access.events, 2);
  EXPECT_EQ(top.persons_returned, 2);
  EXPECT_EQ(checked->summary.columns[0], "Nom");
  EXPECT_EQ(checked->summary.columns[3], "ID");
}

TEST_F(MixedSampleTest, RowsNameTheSessionsAndTimesOfEachAccess) {
  auto checked = Check(kSample);
  ASSERT_OK(checked);
  EXPECT_EQ(
      checked->json[0],
      "{\"row\":1,\"line\":2,\"verdict\":\"real_and_accessed\",\"persons\":[{\"person_id\":" +
          std::to_string(lefevre_) +
          ",\"matched_on\":\"all_given_names\",\"accessed\":true,\"named_by_investigations\":0,"
          "\"events\":3,"
          "\"first_access\":\"2025-11-24T16:00:00.000001Z\",\"last_access\":"
          "\"2025-11-24T16:00:00.000002Z\",\"sessions\":[{\"session_id\":11,\"agent_id\":1,"
          "\"service_number\":\"GN-1\",\"events\":2,\"first\":\"2025-11-24T16:00:00.000001Z\","
          "\"last\":\"2025-11-24T16:00:00.000001Z\"},{\"session_id\":12,\"agent_id\":2,"
          "\"service_number\":\"GN-2\",\"events\":1,\"first\":\"2025-11-24T16:00:00.000002Z\","
          "\"last\":\"2025-11-24T16:00:00.000002Z\"}],\"more_sessions\":false}],"
          "\"id_agrees\":true}");
  EXPECT_EQ(checked->json[7],
            "{\"row\":8,\"line\":9,\"verdict\":\"invalid\",\"error\":\"invalid "
            "UTF-8 in surname\"}");
}

TEST_F(MixedSampleTest, TheLogScanAgreesWithThePersonIndex) {
  ClaimCheckOptions options;
  options.access.max_indexed_persons = 0;
  auto scanned = Check(kSample, options);
  auto indexed = Check(kSample);
  ASSERT_OK(scanned);
  ASSERT_OK(indexed);
  EXPECT_EQ(scanned->summary.access_method, "log_scan");
  EXPECT_EQ(scanned->json, indexed->json);
  EXPECT_EQ(ClaimSummaryJson(scanned->summary).substr(0, 200),
            ClaimSummaryJson(indexed->summary).substr(0, 200));
  ASSERT_EQ(scanned->summary.sessions.size(), indexed->summary.sessions.size());
  for (size_t i = 0; i < scanned->summary.sessions.size(); ++i) {
    EXPECT_EQ(scanned->summary.sessions[i].access.session_id,
              indexed->summary.sessions[i].access.session_id);
    EXPECT_EQ(scanned->summary.sessions[i].persons_returned,
              indexed->summary.sessions[i].persons_returned);
  }
}

// A claim check names the real persons it matched (and a breach report the
// persons consultations showed): those answers are not accesses, or any
// later check would find every real row "accessed" by the first one.
// ... but they are counted apart: a stolen officer session can leak what
// an investigation's answer named (a refused one named nobody).
TEST_F(MixedSampleTest, PersonsNamedByAnInvestigationAreNotAccesses) {
  AuditEvent named = SearchEvent(7, {nguyen_});
  named.type = AuditEventType::kAuditSearch;
  AuditEvent refused = named;
  refused.outcome = AuditOutcome::kRefused;
  refused.refusal_code = "Unavailable";
  Append({named, named, refused});
  ClaimCheckOptions scan;
  scan.access.max_indexed_persons = 0;
  for (const ClaimCheckOptions& options : {ClaimCheckOptions{}, scan}) {
    auto checked = Check(kSample, options);
    ASSERT_OK(checked);
    EXPECT_EQ(checked->rows[2].verdict, ClaimVerdict::kRealNeverAccessed) << checked->json[2];
    EXPECT_EQ(checked->summary.totals.real_and_accessed, 4);
    EXPECT_EQ(checked->summary.agents, 4);  // not the officer
    ASSERT_EQ(checked->rows[2].persons.size(), 1u);
    EXPECT_EQ(checked->rows[2].persons[0].named_by_investigations, 2);
    EXPECT_NE(checked->json[2].find("\"named_by_investigations\":2"), std::string::npos)
        << checked->json[2];
    EXPECT_EQ(checked->rows[0].persons[0].named_by_investigations, 0);
    EXPECT_EQ(checked->summary.totals.persons_named_not_returned, 1);
  }
}

// Dates as SQL dumps write them; a date that cannot be read is refused with
// a reason that does not quote the row (it is personal data).
TEST_F(MixedSampleTest, ReadsDumpedDatesAndNeverQuotesTheRowInAReason) {
  auto checked = Check(
      "Nom,Prénom,Date de naissance\n"
      "Lefèvre,Jean-Pierre,1972-04-03 00:00:00\n"
      "Dupont,Anne,1980-02-30\n"
      "Dupont,Anne,1980-05-05T10:00:00Z\n");
  ASSERT_OK(checked);
  ASSERT_EQ(checked->rows.size(), 3u);
  EXPECT_EQ(checked->rows[0].verdict, ClaimVerdict::kRealAndAccessed) << checked->json[0];
  EXPECT_EQ(checked->rows[1].verdict, ClaimVerdict::kInvalid);
  EXPECT_NE(checked->rows[1].error.find("birth_date"), std::string::npos);
  EXPECT_EQ(checked->json[1].find("1980"), std::string::npos) << checked->json[1];
  EXPECT_EQ(checked->rows[2].verdict, ClaimVerdict::kRealNeverAccessed) << checked->json[2];
}

TEST_F(MixedSampleTest, CapsTheSessionsListedPerPerson) {
  ClaimCheckOptions options;
  options.access.max_sessions_per_person = 1;
  auto checked = Check(kSample, options);
  ASSERT_OK(checked);
  EXPECT_NE(checked->json[0].find("\"events\":3"), std::string::npos);
  EXPECT_NE(checked->json[0].find("\"more_sessions\":true"), std::string::npos);
  EXPECT_EQ(checked->json[0].find("\"session_id\":12"), std::string::npos);
}

TEST_F(MixedSampleTest, ColumnsMappedByOptionAndJsonLines) {
  ClaimCheckOptions options;
  options.format = SampleFormat::kJsonLines;
  options.columns = {{SampleField::kSurname, "a"},
                     {SampleField::kGivenNames, "b"},
                     {SampleField::kBirthDate, "c"}};
  auto checked = Check(
      "{\"a\":\"lefèvre\",\"b\":[\"Jean\",\"Pierre\"],\"c\":\"1972-04-03\",\"nom\":\"x\"}\n"
      "{\"a\":\"NGUYEN\",\"b\":\"THI LAN\",\"c\":\"07.06.1965\"}\n"
      "{\"a\":\"Nobody\",\"b\":\"Else\",\"c\":\"1965\"}\n"
      "{broken\n",
      options);
  ASSERT_OK(checked);
  const ClaimTotals& t = checked->summary.totals;
  EXPECT_EQ(t.real_and_accessed, 1);
  EXPECT_EQ(t.real_never_accessed, 1);
  EXPECT_EQ(t.no_match, 1);
  EXPECT_EQ(t.invalid, 1);
}

TEST_F(MixedSampleTest, ASampleWithoutTheRequiredColumnsIsRefused) {
  auto checked = Check("nom,ville\nDupont,Lyon\n");
  EXPECT_THAT(checked, ErrorCodeIs(ErrorCode::kInvalidArgument));
}

// Every row is held until the end: a sample past the row cap is refused
// before any row is answered.
TEST_F(MixedSampleTest, ASampleOverTheRowCapIsRefused) {
  ClaimCheckOptions options;
  options.max_rows = 2;
  std::string sample = "nom;prenom;date_naissance\n";
  for (int i = 0; i < 3; ++i) sample += "Dupont;Jean;1970-01-0" + std::to_string(i + 1) + "\n";
  auto refused = Check(sample, options);
  EXPECT_THAT(refused, ErrorCodeIs(ErrorCode::kInvalidArgument));
  if (!refused) {
    EXPECT_NE(refused.error().message().find("more than 2 rows"), std::string::npos);
  }
  options.max_rows = 3;
  auto checked = Check(sample, options);
  ASSERT_TRUE(checked.has_value()) << checked.error().message();
  EXPECT_EQ(checked->rows.size(), 3u);
}

TEST_F(MixedSampleTest, ASinkErrorStopsTheCheck) {
  auto audit_db = audit_.RawDatabase();
  SeededRandom random(5);
  int calls = 0;
  auto summary = CheckClaim(kSample, {}, *records_.repository, *audit_db, random,
                            [&](const ClaimRowResult&) -> Result<void> {
                              ++calls;
                              return Fail(ErrorCode::kUnavailable, "disk full");
                            });
  EXPECT_THAT(summary, ErrorCodeIs(ErrorCode::kUnavailable));
  EXPECT_EQ(calls, 1);
}

// Attack scenario: a fabricated "leak" of 10 000 rows hides the few dozen
// real persons the attacker saw; the check finds exactly those, and the
// attacker's session.
TEST_F(ClaimCheckTest, AFabricatedLeakRevealsExactlyThePersonsTheAttackerSaw) {
  SeededRandom random(11);
  auto letters = [&](size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>('A' + random.Below(26)));
    return s;
  };
  struct Known {
    int64_t id;
    std::string line;
  };
  std::vector<Known> persons;
  {
    auto tx = store::Transaction::Begin(*records_.db);
    ASSERT_OK(tx);
    for (int i = 0; i < 300; ++i) {
      std::string surname = letters(7), given = letters(5);
      records::PartialDate birth{1950 + static_cast<int>(random.Below(50)),
                                 1 + static_cast<int>(random.Below(12)),
                                 1 + static_cast<int>(random.Below(28))};
      int64_t id = Add("P" + std::to_string(i), surname, {given}, birth);
      persons.push_back({id, surname + "," + given + "," + records::FormatPartialDate(birth)});
    }
    ASSERT_OK(tx->Commit());
  }
  // The attacker (agent 66) saw persons 0..35; honest agents saw 20..119.
  std::vector<AuditEvent> events;
  for (int i = 0; i < 36; i += 4) {
    std::vector<int64_t> ids;
    for (int j = i; j < i + 4; ++j) ids.push_back(persons[j].id);
    events.push_back(SearchEvent(66, ids));
  }
  for (int i = 20; i < 120; ++i) events.push_back(SearchEvent(1 + i % 7, {persons[i].id}));
  Append(std::move(events));

  std::string sample = "surname,given_names,birth_date\n";
  std::vector<size_t> real_rows;
  for (int row = 1; row <= 10'000; ++row) {
    if (row % 277 == 0 && real_rows.size() < 36) {
      sample += persons[real_rows.size()].line + "\n";
      real_rows.push_back(static_cast<size_t>(row));
    } else {
      sample += letters(7) + "," + letters(5) + ",19" + std::to_string(50 + row % 50) + "-0" +
                std::to_string(1 + row % 9) + "-1" + std::to_string(row % 9) + "\n";
    }
  }
  ASSERT_EQ(real_rows.size(), 36u);
  auto checked = Check(sample);
  ASSERT_OK(checked);
  const ClaimTotals& t = checked->summary.totals;
  EXPECT_EQ(t.rows, 10'000);
  EXPECT_EQ(t.real_and_accessed, 36);
  EXPECT_EQ(t.real_never_accessed, 0);
  EXPECT_EQ(t.no_match, 10'000 - 36);
  EXPECT_EQ(t.invalid, 0);
  std::vector<size_t> found;
  for (const ClaimRowResult& row : checked->rows) {
    if (row.verdict == ClaimVerdict::kRealAndAccessed)
      found.push_back(static_cast<size_t>(row.row));
  }
  EXPECT_EQ(found, real_rows);
  ASSERT_FALSE(checked->summary.sessions.empty());
  EXPECT_EQ(checked->summary.sessions[0].access.service_number, "GN-66");
  EXPECT_EQ(checked->summary.sessions[0].persons_returned, 36);
}

}  // namespace
}  // namespace vigie::incident
