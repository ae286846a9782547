#include "incident/breach_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "audit/audit_event_codec.h"
#include "audit/audit_log_test_util.h"
#include "audit/merkle_proof.h"
#include "audit/merkle_verify.h"
#include "crypto/keyring.h"
#include "crypto/random.h"
#include "incident/breach_render.h"
#include "tests/support/matchers.h"

namespace vigie::incident {
namespace {

using audit::AuditEvent;
using audit::AuditEventType;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using vigie::testing::ErrorCodeIs;

constexpr int64_t kT0 = 1'764'000'000'000'000;  // 2025-11-24T16:00:00Z
constexpr int64_t kHour = 3'600'000'000;

struct Actor {
  int64_t agent_id;
  int64_t session_id;
  std::string jkt;
  std::string address;
};

// DPoP keys by their RFC 7638 thumbprints: 43 base64url characters.
const std::string kJktOne(43, 'A');
const std::string kJktTwo(43, 'B');

const Actor kAgent1{1, 11, kJktOne, "192.0.2.1"};
const Actor kAgent2{2, 12, kJktTwo, "192.0.2.2"};
const Actor kAgent3{3, 13, std::string(42, 'C') + "_", "192.0.2.1"};  // same address as agent 1
const Actor kAgent4{4, 14, kJktOne, "198.51.100.4"};                  // agent 1's key, elsewhere

AuditEvent Event(const Actor& actor, AuditEventType type, int64_t time,
                 std::vector<int64_t> persons) {
  AuditEvent event;
  event.time_unix_micros = time;
  event.type = type;
  event.actor = {.agent_id = actor.agent_id,
                 .service_number = "GN-" + std::to_string(actor.agent_id),
                 .unit_id = 3};
  event.session_id = actor.session_id;
  event.dpop_jkt = actor.jkt;
  event.source_address = actor.address;
  event.purpose = "identity_check";
  event.person_ids = std::move(persons);
  return event;
}

AuditEvent Opening(const Actor& actor, int64_t time, int64_t person, std::vector<int64_t> notices,
                   std::vector<int64_t> entries) {
  AuditEvent event = Event(actor, AuditEventType::kFileOpening, time, {person});
  event.purpose = "judicial_investigation";
  event.case_reference = "PV-2025-1";
  event.notice_ids = std::move(notices);
  event.entry_ids = std::move(entries);
  return event;
}

std::vector<AuditEvent> Scenario() {
  AuditEvent refused = Event(kAgent1, AuditEventType::kSearch, kT0 + 3 * kHour, {9});
  refused.outcome = audit::AuditOutcome::kRefused;
  refused.refusal_code = "ResourceExhausted";
  return {
      Event(kAgent1, AuditEventType::kLoginPasswordOk, kT0, {}),
      Event(kAgent1, AuditEventType::kSearch, kT0 + 1, {1, 2, 3}),
      Opening(kAgent1, kT0 + kHour, 2, {20}, {200, 201}),
      Event(kAgent2, AuditEventType::kSearch, kT0 + kHour + 5, {4, 5}),
      Opening(kAgent2, kT0 + kHour + 6, 5, {}, {}),
      Event(kAgent3, AuditEventType::kSearch, kT0 + 2 * kHour, {6}),
      refused,
      Event(kAgent4, AuditEventType::kSearch, kT0 + 4 * kHour, {7}),
      Event(kAgent1, AuditEventType::kSearch, kT0 + 48 * kHour, {8, 1}),  // two days later
      Event(kAgent2, AuditEventType::kLogout, kT0 + 49 * kHour, {}),
      Event(kAgent3, AuditEventType::kSearch, kT0 + 50 * kHour, {10}),
  };
}

std::vector<int64_t> SubjectIds(const BreachReport& report) {
  std::vector<int64_t> ids;
  for (const ExposedSubject& s : report.subjects) ids.push_back(s.person_id);
  return ids;
}

const ExposedSubject* Subject(const BreachReport& report, int64_t id) {
  for (const ExposedSubject& s : report.subjects) {
    if (s.person_id == id) return &s;
  }
  return nullptr;
}

class BreachReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = fixture_.OpenLog();
    for (AuditEvent& event : Scenario()) ASSERT_OK(log->Append(std::move(event)));
    log.reset();  // the closing checkpoint covers every event
    db_ = fixture_.RawDatabase();
  }

  Result<BreachReport> Report(const BreachScope& scope, BreachOptions options = {}) {
    return ComputeBreachReport(*db_, scope, fixture_.clock(), options);
  }

  audit::testing::AuditLogFixture fixture_;
  std::unique_ptr<store::Connection> db_;
};

TEST_F(BreachReportTest, OneAgentExactlyTheirPersonsSplitIntoSummariesAndFiles) {
  auto report = Report({.agent_ids = {1}});
  ASSERT_OK(report);
  EXPECT_THAT(SubjectIds(*report), ElementsAre(1, 2, 3, 8));
  const BreachCounts& c = report->counts;
  EXPECT_EQ(c.subjects, 4u);
  EXPECT_EQ(c.summary_subjects, 4u);
  EXPECT_EQ(c.full_file_subjects, 1u);
  EXPECT_EQ(c.summary_only_subjects, 3u);
  EXPECT_EQ(c.wanted_notices, 1u);
  EXPECT_EQ(c.record_entries, 2u);
  EXPECT_EQ(c.records, 4u + 1u + 2u);
  EXPECT_EQ(c.search_events, 2u);
  EXPECT_EQ(c.file_opening_events, 1u);
  EXPECT_EQ(c.refused_events, 1u);  // its person 9 is not exposed
  EXPECT_EQ(Subject(*report, 9), nullptr);
  const ExposedSubject* two = Subject(*report, 2);
  ASSERT_NE(two, nullptr);
  EXPECT_EQ(two->summary_events, 1u);
  EXPECT_EQ(two->full_file_events, 1u);
  EXPECT_THAT(two->notice_ids, ElementsAre(20));
  EXPECT_THAT(two->entry_ids, ElementsAre(200, 201));
  const ExposedSubject* one = Subject(*report, 1);
  EXPECT_EQ(one->summary_events, 2u);
  EXPECT_EQ(one->first_unix_micros, kT0 + 1);
  EXPECT_EQ(one->last_unix_micros, kT0 + 48 * kHour);
  // identity_check does not reach criminal records: no entry count in summaries.
  EXPECT_FALSE(one->record_count_in_summary);
  std::vector<uint64_t> sequences;
  for (const CountedEvent& e : report->events) sequences.push_back(e.sequence);
  EXPECT_THAT(sequences, ElementsAre(1, 2, 8));
}

// Each agent's events read on two connections (as `vigie breach report`
// does for many): the same report, byte for byte. (The proofs' chunks on
// two connections: BatchInclusionProofsTest.MoreChunksThanOneReadTakes.)
// A search under an investigative purpose shows each person's count of
// criminal-record entries; so may one under a purpose this build does not
// know (a report errs towards exposure); an identity check's does not.
TEST_F(BreachReportTest, SearchesThatMayShowRecordCountsAreCountedAsShowingThem) {
  db_.reset();
  {
    auto log = fixture_.OpenLog();
    AuditEvent investigative = Event(kAgent1, AuditEventType::kSearch, kT0 + 5 * kHour, {31});
    investigative.purpose = "judicial_investigation";
    AuditEvent unknown = Event(kAgent1, AuditEventType::kSearch, kT0 + 5 * kHour + 1, {32});
    unknown.purpose = "a purpose from a later build";
    ASSERT_OK(log->Append(std::move(investigative)));
    ASSERT_OK(log->Append(std::move(unknown)));
  }
  db_ = fixture_.RawDatabase();
  auto report = Report({.agent_ids = {1}});
  ASSERT_OK(report);
  ASSERT_NE(Subject(*report, 31), nullptr);
  EXPECT_TRUE(Subject(*report, 31)->record_count_in_summary);
  EXPECT_TRUE(Subject(*report, 32)->record_count_in_summary);
  EXPECT_FALSE(Subject(*report, 1)->record_count_in_summary);  // identity check
  const std::string html = RenderBreachHtml(*report, {});
  EXPECT_NE(html.find("criminal-record entries, and how many, was shown for 2 persons"),
            std::string::npos);
}

TEST_F(BreachReportTest, AReportReadOnTwoConnectionsIsTheSameReport) {
  const BreachScope scope{.agent_ids = {2, 1, 2}};
  auto one = Report(scope);
  auto two = Report(
      scope,
      {.reading = audit::ParallelReading{
           .open = [this] { return store::Open(fixture_.Options().url, {.read_only = true}); },
           .from_events = 1}});
  ASSERT_OK(one);
  ASSERT_OK(two);
  EXPECT_EQ(RenderBreachJson(*two, {}), RenderBreachJson(*one, {}));
  EXPECT_THAT(SubjectIds(*two), ElementsAre(1, 2, 3, 4, 5, 8));
  std::vector<uint64_t> proven;
  for (const CountedEvent& e : two->events) {
    if (e.proven) proven.push_back(e.sequence);
  }
  EXPECT_EQ(proven.size(), two->events.size());
}

// A stolen officer's session: the persons a breach report's subject list
// or a claim check named to it are exposed too, as "named" (identity only).
TEST_F(BreachReportTest, PersonsNamedByAnInvestigationAreExposedAsNamed) {
  const Actor officer{5, 15, std::string(42, 'D') + "-", "192.0.2.5"};
  {
    auto log = fixture_.OpenLog();
    // The report's read (naming no one), then the persons its list named.
    ASSERT_OK(log->Append(Event(officer, AuditEventType::kAuditSearch, kT0 + 5 * kHour, {})));
    ASSERT_OK(
        log->Append(Event(officer, AuditEventType::kAuditSearch, kT0 + 5 * kHour + 1, {3, 11})));
  }
  db_ = fixture_.RawDatabase();
  for (const BreachScope& scope :
       {BreachScope{.agent_ids = {5}}, BreachScope{.session_ids = {15}}}) {
    auto report = Report(scope);
    ASSERT_OK(report);
    EXPECT_THAT(SubjectIds(*report), ElementsAre(3, 11));
    const BreachCounts& c = report->counts;
    EXPECT_EQ(c.subjects, 2u);
    EXPECT_EQ(c.named_subjects, 2u);
    EXPECT_EQ(c.summary_subjects, 0u);
    EXPECT_EQ(c.summary_only_subjects, 0u);
    EXPECT_EQ(c.full_file_subjects, 0u);
    EXPECT_EQ(c.investigation_events, 1u);
    EXPECT_EQ(c.search_events, 0u);
    EXPECT_EQ(c.refused_events, 0u);
    ASSERT_EQ(report->events.size(), 1u);  // the read naming no one is not counted
    EXPECT_TRUE(report->events[0].proven);
    EXPECT_EQ(Subject(*report, 11)->named_events, 1u);
    ASSERT_EQ(report->actors.size(), 1u);
    EXPECT_EQ(report->actors[0].investigations, 1u);
    bool named_row = false;
    for (const DatasetExposure& d : report->datasets) {
      if (d.view != BreachView::kNamed) continue;
      named_row = true;
      EXPECT_EQ(d.dataset, BreachDataset::kIdentity);
      EXPECT_EQ(d.subjects, 2u);
    }
    EXPECT_TRUE(named_row);
  }
}

TEST_F(BreachReportTest, DatasetsAndFieldCategories) {
  auto report = Report({.agent_ids = {1}});
  ASSERT_OK(report);
  ASSERT_EQ(report->datasets.size(), 7u);
  auto find = [&](BreachDataset d, BreachView v) {
    for (const DatasetExposure& e : report->datasets) {
      if (e.dataset == d && e.view == v) return e;
    }
    ADD_FAILURE() << "missing dataset";
    return DatasetExposure{};
  };
  EXPECT_EQ(find(BreachDataset::kIdentity, BreachView::kSummary).subjects, 4u);
  EXPECT_EQ(find(BreachDataset::kWantedPersons, BreachView::kFullFile).records, 1u);
  EXPECT_EQ(find(BreachDataset::kCriminalRecords, BreachView::kFullFile).records, 2u);
  EXPECT_EQ(find(BreachDataset::kCriminalRecords, BreachView::kSummary).subjects, 0u);
  EXPECT_EQ(find(BreachDataset::kIdentity, BreachView::kNamed).subjects, 0u);
  EXPECT_THAT(BreachFields(BreachDataset::kWantedPersons, BreachView::kSummary),
              ElementsAre("wanted_flag"));
  EXPECT_THAT(BreachFields(BreachDataset::kIdentity, BreachView::kNamed),
              ElementsAre("surname", "given_names", "birth_date"));
  EXPECT_THAT(BreachFields(BreachDataset::kWantedPersons, BreachView::kNamed), IsEmpty());
}

TEST_F(BreachReportTest, WindowBoundsAreInclusive) {
  // Agent 1's search at kT0 + 1 and opening at kT0 + kHour lie on the bounds.
  auto report =
      Report({.agent_ids = {1}, .since_unix_micros = kT0 + 1, .until_unix_micros = kT0 + kHour});
  ASSERT_OK(report);
  EXPECT_THAT(SubjectIds(*report), ElementsAre(1, 2, 3));
  EXPECT_EQ(report->counts.search_events, 1u);
  EXPECT_EQ(report->counts.file_opening_events, 1u);
  // The same bounds through the scan (sessions, addresses, keys).
  for (const BreachScope& scan :
       {BreachScope{.session_ids = {11}}, BreachScope{.source_addresses = {"192.0.2.1"}},
        BreachScope{.dpop_jkts = {kJktOne}}}) {
    BreachScope bounded = scan;
    bounded.since_unix_micros = kT0 + 1;
    bounded.until_unix_micros = kT0 + kHour;
    auto scanned = Report(bounded);
    ASSERT_OK(scanned);
    EXPECT_EQ(scanned->counts.search_events, 1u);
    EXPECT_EQ(scanned->counts.file_opening_events, 1u);
  }
  auto inside = Report(
      {.agent_ids = {1}, .since_unix_micros = kT0 + 2, .until_unix_micros = kT0 + kHour - 1});
  ASSERT_OK(inside);
  EXPECT_THAT(inside->events, IsEmpty());
  auto later = Report({.agent_ids = {1}, .since_unix_micros = kT0 + kHour + 1});
  ASSERT_OK(later);
  EXPECT_THAT(SubjectIds(*later), ElementsAre(1, 8));
  auto none = Report({.agent_ids = {1}, .since_unix_micros = kT0 + 100 * kHour});
  ASSERT_OK(none);
  EXPECT_THAT(none->subjects, IsEmpty());
  EXPECT_THAT(none->events, IsEmpty());
}

TEST_F(BreachReportTest, SessionAddressAndKeySelectors) {
  auto session = Report({.session_ids = {12}});
  ASSERT_OK(session);
  EXPECT_THAT(SubjectIds(*session), ElementsAre(4, 5));
  auto address = Report({.source_addresses = {"192.0.2.1"}});
  ASSERT_OK(address);
  EXPECT_THAT(SubjectIds(*address), ElementsAre(1, 2, 3, 6, 8, 10));
  auto key = Report({.dpop_jkts = {kJktOne}});
  ASSERT_OK(key);
  EXPECT_THAT(SubjectIds(*key), ElementsAre(1, 2, 3, 7, 8));
  // Selectors add up; an event matched twice is counted once.
  auto both = Report({.agent_ids = {2}, .session_ids = {13, 12}, .dpop_jkts = {kJktTwo}});
  ASSERT_OK(both);
  EXPECT_THAT(SubjectIds(*both), ElementsAre(4, 5, 6, 10));
  EXPECT_EQ(both->counts.search_events, 3u);
  EXPECT_EQ(both->counts.file_opening_events, 1u);
  EXPECT_EQ(both->actors.size(), 2u);
}

TEST_F(BreachReportTest, TimelineAndActors) {
  auto report = Report({.agent_ids = {1}});
  ASSERT_OK(report);
  ASSERT_EQ(report->timeline.size(), 3u);
  EXPECT_EQ(report->timeline[0].hour_unix_micros, kT0);
  EXPECT_EQ(report->timeline[0].searches, 1u);
  EXPECT_EQ(report->timeline[0].new_subjects, 3u);
  EXPECT_EQ(report->timeline[1].file_openings, 1u);
  EXPECT_EQ(report->timeline[1].new_subjects, 0u);
  EXPECT_EQ(report->timeline[2].new_subjects, 1u);  // person 8; person 1 was seen already
  ASSERT_EQ(report->actors.size(), 1u);
  const ActorActivity& actor = report->actors[0];
  EXPECT_EQ(actor.service_number, "GN-1");
  EXPECT_EQ(actor.session_id, 11);
  EXPECT_EQ(actor.searches, 2u);
  EXPECT_EQ(actor.file_openings, 1u);
  EXPECT_EQ(actor.refused, 1u);
  EXPECT_THAT(actor.dpop_jkts, ElementsAre(kJktOne));
}

// Two nodes' clocks differ: a person first returned, by time, in an event
// written after another that returned them is new in the earlier hour.
TEST(BreachTimelineTest, APersonIsNewInTheHourOfTheirEarliestEventNotTheFirstWritten) {
  audit::testing::AuditLogFixture fixture;
  {
    auto log = fixture.OpenLog();
    ASSERT_OK(log->Append(Event(kAgent1, AuditEventType::kSearch, kT0 + 2 * kHour, {50})));
    ASSERT_OK(log->Append(Event(kAgent2, AuditEventType::kSearch, kT0 + 10, {50, 51})));
  }
  auto db = fixture.RawDatabase();
  auto report = ComputeBreachReport(*db, {.agent_ids = {1, 2}}, fixture.clock());
  ASSERT_OK(report);
  ASSERT_EQ(report->timeline.size(), 2u);
  EXPECT_EQ(report->timeline[0].hour_unix_micros, kT0);
  EXPECT_EQ(report->timeline[0].new_subjects, 2u);
  EXPECT_EQ(report->timeline[1].new_subjects, 0u);
  ASSERT_EQ(report->subjects.size(), 2u);
  EXPECT_EQ(report->subjects[0].first_unix_micros, kT0 + 10);
}

TEST_F(BreachReportTest, EveryEventCountedIsProvenAgainstTheSignedCheckpoint) {
  auto report = Report({.source_addresses = {"192.0.2.1", "192.0.2.2"}});
  ASSERT_OK(report);
  ASSERT_TRUE(report->checkpoint.has_value());
  const audit::Checkpoint& checkpoint = *report->checkpoint;
  EXPECT_EQ(checkpoint.tree_size, Scenario().size());
  EXPECT_TRUE(audit::CheckpointSignatureValid(checkpoint, fixture_.PublicKey()));
  ASSERT_EQ(report->events.size(), 7u);
  EXPECT_EQ(report->counts.unproven_events, 0u);
  for (const CountedEvent& e : report->events) {
    ASSERT_TRUE(e.proven) << e.sequence;
    // As a third party would: the leaf from the event bytes, the proof, the signed root.
    EXPECT_EQ(e.leaf_hash, audit::MerkleLeafHash(e.encoded));
    EXPECT_OK(audit::VerifyInclusion(audit::MerkleLeafHash(e.encoded), e.sequence,
                                     checkpoint.tree_size, e.inclusion_proof, checkpoint.root));
    auto decoded = audit::DecodeAuditEvent(e.encoded);
    ASSERT_OK(decoded);
    EXPECT_EQ(decoded->sequence, e.sequence);
    EXPECT_EQ(decoded->person_ids.size(), e.persons);
  }
  // A proof does not carry over to another event.
  const CountedEvent& first = report->events[0];
  EXPECT_THAT(audit::VerifyInclusion(report->events[1].leaf_hash, first.sequence,
                                     checkpoint.tree_size, first.inclusion_proof, checkpoint.root),
              ErrorCodeIs(ErrorCode::kDataLoss));
}

// A report's proofs are only as good as its checkpoint: one whose key the key
// file does not hold, whose key was retired before its size, or whose
// signature does not check gives no key to prove against.
TEST(CheckedCheckpointKeyTest, OnlyACheckpointSignedByAKnownLiveKeyGivesItsKey) {
  crypto::SystemRandom random;
  crypto::Keyring keyring = crypto::Keyring::CreateInMemory(random);
  auto id = keyring.AddDataKey(crypto::kPurposeAuditSigning, random);
  ASSERT_OK(id);
  auto seed = keyring.ById(*id);
  ASSERT_OK(seed);
  const crypto::Ed25519KeyPair signer = crypto::Ed25519KeyPair::FromSeed((*seed)->bytes());
  audit::Checkpoint checkpoint{.tree_size = 20, .key_id = *id};
  audit::SignCheckpoint(signer, checkpoint);
  auto key = CheckedCheckpointKey(keyring, checkpoint);
  ASSERT_OK(key);
  EXPECT_TRUE(std::ranges::equal(*key, signer.public_key()));

  audit::Checkpoint unknown = checkpoint;
  unknown.key_id = *id + 7;
  audit::SignCheckpoint(signer, unknown);
  EXPECT_THAT(CheckedCheckpointKey(keyring, unknown), ErrorCodeIs(ErrorCode::kDataLoss));
  audit::Checkpoint records_key = checkpoint;  // id 1: a key of another purpose
  records_key.key_id = 1;
  audit::SignCheckpoint(signer, records_key);
  EXPECT_THAT(CheckedCheckpointKey(keyring, records_key), ErrorCodeIs(ErrorCode::kDataLoss));
  audit::Checkpoint altered = checkpoint;
  altered.tree_size = 21;
  EXPECT_THAT(CheckedCheckpointKey(keyring, altered), ErrorCodeIs(ErrorCode::kDataLoss));
  ASSERT_OK(keyring.AddDataKey(crypto::kPurposeAuditSigning, random));  // rotated, then
  ASSERT_OK(keyring.Retire(*id, 19));
  EXPECT_THAT(CheckedCheckpointKey(keyring, checkpoint), ErrorCodeIs(ErrorCode::kDataLoss));
}

TEST_F(BreachReportTest, EventsNewerThanTheCheckpointAreCountedButUnproven) {
  db_.reset();
  auto options = fixture_.Options();
  options.checkpoint_every_events = 1'000'000;  // nothing until close
  auto log = fixture_.OpenLog(options);
  ASSERT_OK(log->Append(Event(kAgent1, AuditEventType::kSearch, kT0 + 60 * kHour, {42})));
  auto db = fixture_.RawDatabase();
  auto report = ComputeBreachReport(*db, {.agent_ids = {1}}, fixture_.clock());
  ASSERT_OK(report);
  EXPECT_THAT(SubjectIds(*report), ElementsAre(1, 2, 3, 8, 42));
  EXPECT_EQ(report->counts.unproven_events, 1u);
  EXPECT_EQ(report->log_size, Scenario().size() + 1);
  EXPECT_FALSE(report->events.back().proven);
  EXPECT_TRUE(report->events.front().proven);
  // The HTML says how many carry a proof, not that all do.
  const std::string html = RenderBreachHtml(*report, {});
  const std::string counted = std::to_string(report->events.size());
  const std::string proven = std::to_string(report->events.size() - 1);
  EXPECT_NE(html.find("every event counted (" + counted + "), " + proven + " of them with its RFC"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("1 events counted are newer than the checkpoint"), std::string::npos);
}

TEST_F(BreachReportTest, TamperedLogDoesNotMatchItsCheckpoint) {
  // Someone with the file rewrites an event the selection does not read.
  ASSERT_OK(audit::testing::LiftAppendOnlyGuards(*db_));
  auto read = db_->Prepare("SELECT event FROM audit_event WHERE sequence = 9");
  ASSERT_OK(read);
  ASSERT_OK((*read)->Step());
  auto blob = (*read)->ColumnBlob(0);
  std::vector<uint8_t> changed(blob.begin(), blob.end());
  ASSERT_OK((*read)->Run());
  changed.back() ^= 1;
  auto write = db_->Prepare("UPDATE audit_event SET event = $1 WHERE sequence = 9");
  ASSERT_OK(write);
  (*write)->BindBlob(1, changed);
  ASSERT_OK((*write)->Run());
  EXPECT_THAT(Report({.agent_ids = {1}}), ErrorCodeIs(ErrorCode::kDataLoss));
  // Without proofs the selection still answers (and says nothing is proven).
  auto unproven = Report({.agent_ids = {1}}, {.with_proofs = false});
  ASSERT_OK(unproven);
  EXPECT_FALSE(unproven->events.front().proven);
  // Neither report.json nor the HTML reads as proven (the checkpoint is
  // still there: it must not lend the events its authority).
  EXPECT_FALSE(unproven->proven);
  EXPECT_NE(RenderBreachJson(*unproven, {}).find("\"proofs\":false"), std::string::npos);
  const std::string html = RenderBreachHtml(*unproven, {});
  EXPECT_NE(html.find("Made without inclusion proofs"), std::string::npos);
  EXPECT_EQ(html.find("with its RFC 9162 inclusion proof"), std::string::npos);
}

// The attacker's last searches removed from the log's end, the checkpoint
// that signed them left in place: a scope that now selects nothing must not
// read as "nothing exposed".
TEST_F(BreachReportTest, ALogShorterThanItsCheckpointIsDataLoss) {
  const BreachScope late_searches{.agent_ids = {3}, .since_unix_micros = kT0 + 10 * kHour};
  ASSERT_OK(Report(late_searches));
  ASSERT_OK(audit::testing::LiftAppendOnlyGuards(*db_));
  ASSERT_OK(db_->ExecuteScript("DELETE FROM audit_event WHERE sequence >= 9"));
  auto report = Report(late_searches);
  ASSERT_THAT(report, ErrorCodeIs(ErrorCode::kDataLoss));
  EXPECT_NE(report.error().message().find("ends at 9 events, before its signed checkpoint's 11"),
            std::string::npos)
      << report.error().message();
  // Without proofs too: the list people are notified from would miss them.
  EXPECT_THAT(Report(late_searches, {.with_proofs = false}), ErrorCodeIs(ErrorCode::kDataLoss));
}

// An event outside the scope removed from the log's right edge (its last,
// partial chunk, read to compute the root): the scope selects nothing, and
// the report is still refused.
TEST_F(BreachReportTest, AnEmptySelectionStillReadsTheLogsRightEdge) {
  const BreachScope late_searches{.agent_ids = {3}, .since_unix_micros = kT0 + 60 * kHour};
  ASSERT_OK(audit::testing::LiftAppendOnlyGuards(*db_));
  ASSERT_OK(db_->ExecuteScript("DELETE FROM audit_event WHERE sequence = 7"));
  EXPECT_THAT(Report(late_searches), ErrorCodeIs(ErrorCode::kDataLoss));
  EXPECT_OK(Report(late_searches, {.with_proofs = false}));
}

// Someone with the database edits a copied column to pin another event on
// the stolen account (or into the window): its proof still holds (the leaf
// is the record), but its record is not in the scope.
TEST_F(BreachReportTest, AnEventPinnedOnTheScopeByAnEditedColumnIsRefused) {
  ASSERT_OK(audit::testing::LiftAppendOnlyGuards(*db_));
  const auto run = [&](const std::string& sql) {
    auto statement = db_->Prepare(sql);
    ASSERT_OK(statement);
    ASSERT_OK((*statement)->Run());
  };
  const BreachScope scope{.agent_ids = {1},
                          .session_ids = {11},
                          .since_unix_micros = kT0,
                          .until_unix_micros = kT0 + 47 * kHour};
  const std::string at48 = std::to_string(kT0 + 48 * kHour);
  const std::string at46 = std::to_string(kT0 + 46 * kHour);
  const struct {
    std::string edit, undo;
  } edits[] = {
      // agent 2's search; agent 1's search two days later; agent 3's search
      {"UPDATE audit_event SET agent_id = 1 WHERE sequence = 3",
       "UPDATE audit_event SET agent_id = 2 WHERE sequence = 3"},
      {"UPDATE audit_event SET time_us = " + at46 + " WHERE sequence = 8",
       "UPDATE audit_event SET time_us = " + at48 + " WHERE sequence = 8"},
      {"UPDATE audit_event SET session_id = 11 WHERE sequence = 5",
       "UPDATE audit_event SET session_id = 13 WHERE sequence = 5"},
  };
  for (const auto& [edit, undo] : edits) {
    SCOPED_TRACE(edit);
    run(edit);
    auto report = Report(scope);
    EXPECT_THAT(report, ErrorCodeIs(ErrorCode::kDataLoss));
    if (!report) {
      EXPECT_NE(report.error().message().find("altered"), std::string::npos);
    }
    run(undo);
  }
  auto untouched = Report(scope);
  ASSERT_OK(untouched);
  EXPECT_THAT(SubjectIds(*untouched), ElementsAre(1, 2, 3));
}

TEST_F(BreachReportTest, RefusesScopesThatSelectNothingOrEverything) {
  EXPECT_THAT(Report({}), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(Report({.since_unix_micros = kT0}), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(Report({.agent_ids = {1}, .since_unix_micros = kT0 + 1, .until_unix_micros = kT0}),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(Report({.dpop_jkts = {""}}), ErrorCodeIs(ErrorCode::kInvalidArgument));
  // Not a thumbprint (hex, padded, mistyped): refused, not "nothing exposed".
  for (const std::string& bad : {kJktOne + "=", kJktOne.substr(1), std::string(64, 'a'),
                                 std::string(42, 'A') + "+", std::string("-abc")}) {
    EXPECT_THAT(Report({.dpop_jkts = {bad}}), ErrorCodeIs(ErrorCode::kInvalidArgument)) << bad;
  }
  BreachScope huge;
  huge.agent_ids.assign(kMaxBreachSelectors + 1, 1);
  EXPECT_THAT(Report(huge), ErrorCodeIs(ErrorCode::kInvalidArgument));
}

// More events than one page of PostgreSQL's cursor: every page is read,
// by the agent and by a scan.
TEST_F(BreachReportTest, AScopeLargerThanAPageIsReadWhole) {
  const Actor many{5, 15, std::string(43, 'E'), "203.0.113.5"};
  constexpr int64_t kSearches = 1100;
  {
    auto log = fixture_.OpenLog();
    for (int64_t i = 0; i < kSearches; ++i) {
      ASSERT_OK(log->Append(Event(many, AuditEventType::kSearch, kT0 + 5 * kHour + i, {1000 + i})));
    }
  }
  for (const BreachScope& scope :
       {BreachScope{.agent_ids = {5}}, BreachScope{.source_addresses = {many.address}}}) {
    auto report = Report(scope, {.with_proofs = false});
    ASSERT_OK(report);
    EXPECT_EQ(report->events.size(), static_cast<size_t>(kSearches));
    EXPECT_EQ(report->subjects.size(), static_cast<size_t>(kSearches));
  }
}

// The API's bound on one report's memory: the selection stops once it
// holds more events than allowed, with a message that says what to do.
TEST_F(BreachReportTest, AScopeHoldingMoreEventsThanAllowedIsRefused) {
  const uint64_t in_log = Scenario().size();
  for (const BreachScope& scope : {BreachScope{.agent_ids = {1}},            // by the agent index
                                   BreachScope{.session_ids = {11, 12}}}) {  // by a scan
    auto whole = Report(scope);
    ASSERT_OK(whole);
    ASSERT_GE(whole->events.size(), 2u);
    EXPECT_OK(Report(scope, {.max_events = in_log}));
    auto refused = Report(scope, {.max_events = whole->events.size() - 1});
    ASSERT_THAT(refused, ErrorCodeIs(ErrorCode::kInvalidArgument));
    EXPECT_THAT(refused.error().message(), ::testing::HasSubstr("vigie breach report"));
  }
}

TEST_F(BreachReportTest, AnAgentNamedTwiceIsCountedOnceAgainstTheLimit) {
  const uint64_t in_log = Scenario().size();
  uint64_t enough = 1;
  while (enough < in_log && !Report({.agent_ids = {1}}, {.max_events = enough})) ++enough;
  ASSERT_OK(Report({.agent_ids = {1}}, {.max_events = enough}));
  EXPECT_OK(Report({.agent_ids = {1, 1}}, {.max_events = enough}));
}

TEST_F(BreachReportTest, SubjectsAreHandedOverOnceWhileTheProofsAreBuilt) {
  int calls = 0;
  std::vector<int64_t> handed;
  auto report = Report({.agent_ids = {1}}, {.with_subjects = [&](std::vector<ExposedSubject>& subjects) {
    ++calls;
    for (ExposedSubject& s : subjects) {
      handed.push_back(s.person_id);
      if (s.person_id == 2) s.identity = SubjectIdentity{.surname = "Moreau"};
    }
    return Result<void>{};
  }});
  ASSERT_OK(report);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(handed, SubjectIds(*report));
  EXPECT_TRUE(report->events.front().proven);
  ASSERT_TRUE(Subject(*report, 2)->identity.has_value());
  EXPECT_EQ(Subject(*report, 2)->identity->surname, "Moreau");
  EXPECT_FALSE(Subject(*report, 1)->identity.has_value());

  // Its failure is the report's.
  auto failed = Report({.agent_ids = {1}}, {.with_subjects = [](std::vector<ExposedSubject>&) -> Result<void> {
    return Fail(ErrorCode::kUnavailable, "records database unreachable");
  }});
  EXPECT_THAT(failed, ErrorCodeIs(ErrorCode::kUnavailable));
}

TEST_F(BreachReportTest, LogWithoutCheckpointStillReports) {
  audit::testing::AuditLogFixture empty;
  auto db = empty.RawDatabase();
  ASSERT_OK(store::Migrate(*db, audit::AuditLogSchema(db->dialect())));
  auto report = ComputeBreachReport(*db, {.agent_ids = {1}}, empty.clock());
  ASSERT_OK(report);
  EXPECT_FALSE(report->checkpoint.has_value());
  EXPECT_THAT(report->subjects, IsEmpty());
}

}  // namespace
}  // namespace vigie::incident
