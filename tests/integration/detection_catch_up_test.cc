// A node stopped between an event's durability and its judgement (a crash,
// a kill) judges that event when it starts again: the decoy opened just
// then still raises its alert and suspends the agent, once. The test leaves
// what such a crash leaves - an event durable that no detection saw - by
// appending it to the log itself between two runs of `vigie serve`.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <regex>
#include <sstream>
#include <thread>

#include "audit/audit_event.h"
#include "cli/admin_portal.h"
#include "tests/support/command.h"
#include "tests/support/installation.h"
#include "tests/support/temp_dir.h"

namespace vigie {
namespace {

class DetectionCatchUpTest : public ::testing::Test {
 protected:
  testing::CommandResult Vigie(const std::string& args) {
    return testing::RunCommand(
        std::string(VIGIE_BINARY) + " --data-dir " + data().string() + " " + args, dir_.path());
  }
  std::filesystem::path data() const { return dir_ / "data"; }

  // `vigie init` on the suite's backend, with no metrics listener (other
  // tests' servers run beside this one).
  void Init() {
    auto initialised = Vigie("init" + installation_.InitArguments());
    ASSERT_EQ(initialised.exit_code, 0) << initialised.err;
    ASSERT_EQ(testing::RunCommand("sed -i 's/^metrics_port = .*/metrics_port = 0/' " +
                                      (data() / "vigie.toml").string(),
                                  dir_.path())
                  .exit_code,
              0);
  }

  // The first number `sql` prints on the records database (sqlite3 or psql).
  int64_t QueryNumber(const std::string& sql) {
    return FirstNumberOf(installation_.StoreSqlCommand(data(), sql, sql));
  }
  // The same on the audit log's database.
  int64_t AuditNumber(const std::string& sql) {
    return FirstNumberOf(installation_.AuditSqlCommand(data(), sql, sql));
  }
  int64_t FirstNumberOf(const std::string& command) {
    auto ran = testing::RunCommand(command, dir_.path());
    EXPECT_EQ(ran.exit_code, 0) << ran.err;
    std::smatch number;
    static const std::regex kNumberLine(R"((?:^|\n)\s*(-?\d+)\s*(?:\n|$))");
    return std::regex_search(ran.out, number, kNumberLine) ? std::stoll(number[1]) : -1;
  }

  // `vigie serve` until it says it serves (so it has caught up), then a
  // SIGTERM, and back once it has gone.
  void ServeThenStop() {
    const auto banner = dir_ / "serve.out", errors = dir_ / "serve.err", pid = dir_ / "serve.pid";
    std::filesystem::remove(banner);
    ASSERT_EQ(std::system(("(" + std::string(VIGIE_BINARY) + " --data-dir " + data().string() +
                           " serve --port 0 >" + banner.string() + " 2>" + errors.string() +
                           " </dev/null & echo $! >" + pid.string() + ")")
                              .c_str()),
              0);
    bool serving = false;
    for (int i = 0; i < 600 && !serving; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      serving = testing::ReadWholeFile(banner).find("Vigie serving") != std::string::npos;
    }
    const bool gone = testing::StopProcess(pid, std::chrono::seconds(30));
    ASSERT_TRUE(serving) << testing::ReadWholeFile(errors);
    ASSERT_TRUE(gone) << "still serving 30 s after SIGTERM";
  }

  // The canary alerts stored, as `vigie alert list --all --json` gives them.
  std::vector<boost::json::object> CanaryAlerts() {
    auto listed = Vigie("alert list --all --json");
    EXPECT_EQ(listed.exit_code, 0) << listed.err;
    std::vector<boost::json::object> alerts;
    std::istringstream lines(listed.out);
    for (std::string line; std::getline(lines, line);) {
      boost::json::object alert = boost::json::parse(line).as_object();
      if (alert.at("rule").as_string() == "canary") alerts.push_back(std::move(alert));
    }
    return alerts;
  }

  struct UnjudgedOpening {
    int64_t mark = 0;        // the node's mark before the opening
    uint64_t opened_at = 0;  // the opening's sequence
  };

  // Agent A-1 and a decoy; a first run leaves its mark (how far it judged);
  // then what a crash between durability and judgement leaves: the agent's
  // opening of the decoy is durable, above the mark, and no detection saw it.
  // `before` events are appended just before the opening, which is stamped
  // `later` than now.
  void OpenADecoyUnjudged(UnjudgedOpening& out, std::vector<audit::AuditEvent> before = {},
                          std::chrono::microseconds later = {}) {
    ASSERT_NO_FATAL_FAILURE(Init());
    ASSERT_EQ(Vigie("unit add --code BR-75 --name Brigade --kind police").exit_code, 0);
    ASSERT_EQ(
        Vigie("agent add --service-number A-1 --name Agent --unit BR-75 --role agent").exit_code,
        0);
    auto planted = Vigie("canary plant --count 1");
    ASSERT_EQ(planted.exit_code, 0) << planted.err;
    const int64_t canary = std::stoll(Vigie("canary list").out);
    const int64_t agent = QueryNumber("SELECT id FROM agent WHERE service_number = 'A-1';");
    ASSERT_GT(agent, 0);

    ASSERT_NO_FATAL_FAILURE(ServeThenStop());
    out.mark = QueryNumber("SELECT next_sequence FROM detection_judged;");
    ASSERT_GT(out.mark, 0);

    auto admin = cli::AdminPortal::Open(data());
    ASSERT_TRUE(admin.has_value()) << admin.error().message();
    if (!before.empty()) {
      auto appended = (*admin)->audit->AppendAll(std::move(before));
      ASSERT_TRUE(appended.has_value()) << appended.error().message();
    }
    audit::AuditEvent opening;
    opening.time_unix_micros = NowMicros() + later.count();
    opening.type = audit::AuditEventType::kFileOpening;
    opening.actor = {.agent_id = agent, .service_number = "A-1"};
    opening.source_address = "192.0.2.7";
    opening.purpose = "identity_check";
    opening.person_ids = {canary};
    auto appended = (*admin)->audit->Append(opening);
    ASSERT_TRUE(appended.has_value()) << appended.error().message();
    out.opened_at = *appended;
    ASSERT_GE(out.opened_at, static_cast<uint64_t>(out.mark));
  }

  // A PostgreSQL trigger on the records database (on the audit log's with
  // `on_audit_log`) that says the disk is full when `when` (a condition in
  // PL/pgSQL) holds, BEFORE `what` ("UPDATE ON agent") for each row: a
  // failure that may pass.
  void RefuseWhile(const std::string& what, const std::string& when, bool on_audit_log = false) {
    const std::string refuse =
        "CREATE SEQUENCE refusals; "
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS \\$\\$ BEGIN IF " +
        when +
        " THEN RAISE EXCEPTION 'no room' USING ERRCODE = '53100'; END IF; RETURN NEW; "
        "END \\$\\$; CREATE TRIGGER refuse BEFORE " +
        what + " FOR EACH ROW EXECUTE FUNCTION refuse(); SELECT 1;";
    ASSERT_EQ(on_audit_log ? AuditNumber(refuse) : QueryNumber(refuse), 1);
  }
  void RefuseNoMore(const std::string& table, bool on_audit_log = false) {
    const std::string drop = "DROP TRIGGER refuse ON " + table + "; SELECT 1;";
    ASSERT_EQ(on_audit_log ? AuditNumber(drop) : QueryNumber(drop), 1);
  }

  // `vigie serve`, which must stop before it serves: its catch-up could
  // not judge the unjudged event (`doing`, when given, is what failed). The
  // mark stays below it, and no alert.
  void ExpectTheStartStopped(const UnjudgedOpening& unjudged, const std::string& doing = {}) {
    auto refused = testing::RunCommand("timeout 120 " + std::string(VIGIE_BINARY) + " --data-dir " +
                                           data().string() + " serve --port 0 </dev/null",
                                       dir_.path());
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_NE(refused.exit_code, 124) << "served, the event passed over";
    EXPECT_NE(refused.err.find("detection catch-up"), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find(doing), std::string::npos) << refused.err;
    EXPECT_EQ(refused.out.find("Vigie serving"), std::string::npos);
    EXPECT_EQ(QueryNumber("SELECT next_sequence FROM detection_judged;"), unjudged.mark);
    EXPECT_TRUE(CanaryAlerts().empty());
  }

  // After a start: the decoy's opening raised one alert, the agent is
  // suspended, and the suspension is in the audit log once.
  void ExpectJudgedOnce(const UnjudgedOpening& unjudged) {
    auto alerts = CanaryAlerts();
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0].at("event_sequence").as_int64(), static_cast<int64_t>(unjudged.opened_at));
    EXPECT_EQ(alerts[0].at("action").as_string(), "suspend");
    EXPECT_NE(Vigie("agent show A-1").out.find("suspended"), std::string::npos);
    EXPECT_EQ(Suspensions(), 1);
  }

  // The agent_suspended events in the log.
  int64_t Suspensions() {
    return AuditNumber("SELECT count(*) FROM audit_event WHERE type = " +
                       std::to_string(static_cast<int>(audit::AuditEventType::kAgentSuspended)) +
                       ";");
  }

  static int64_t NowMicros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  // Appends `event` to the log as the command line would.
  void Append(const audit::AuditEvent& event) {
    auto admin = cli::AdminPortal::Open(data());
    ASSERT_TRUE(admin.has_value()) << admin.error().message();
    auto appended = (*admin)->audit->Append(event);
    ASSERT_TRUE(appended.has_value()) << appended.error().message();
  }

  // An event of another node, stamped `later` than now.
  static audit::AuditEvent AnotherNodesEvent(std::chrono::microseconds later) {
    audit::AuditEvent event;
    event.time_unix_micros = NowMicros() + later.count();
    event.type = audit::AuditEventType::kLoginPasswordFailed;
    event.node_id = "another-node";
    event.actor.service_number = "B-2";
    event.source_address = "192.0.2.8";
    return event;
  }

  testing::TempDir dir_;
  testing::TestInstallation installation_;
};

TEST_F(DetectionCatchUpTest, AnEventNeverJudgedIsJudgedWhenTheNodeStartsAgainAndOnlyOnce) {
  UnjudgedOpening unjudged;
  ASSERT_NO_FATAL_FAILURE(OpenADecoyUnjudged(unjudged));
  const int64_t mark = unjudged.mark;
  const uint64_t opened_at = unjudged.opened_at;
  EXPECT_TRUE(CanaryAlerts().empty());
  EXPECT_NE(Vigie("agent show A-1").out.find("pending_activation"), std::string::npos);

  ASSERT_NO_FATAL_FAILURE(ServeThenStop());
  ExpectJudgedOnce(unjudged);
  EXPECT_GT(QueryNumber("SELECT next_sequence FROM detection_judged;"),
            static_cast<int64_t>(opened_at));

  // Started again, with the mark set back as a crash right after the alert
  // would leave it: the alert already raised is not raised twice.
  QueryNumber("UPDATE detection_judged SET next_sequence = " + std::to_string(mark) +
              "; SELECT 1;");
  ASSERT_NO_FATAL_FAILURE(ServeThenStop());
  ExpectJudgedOnce(unjudged);
}

// The read ends at the node's own first event stamped after it stopped
// (its mark plus slack): that one came from a later process.
TEST_F(DetectionCatchUpTest, AnEventOfTheNodeStampedAfterItStoppedEndsTheCatchUp) {
  UnjudgedOpening unjudged;
  ASSERT_NO_FATAL_FAILURE(OpenADecoyUnjudged(unjudged, {}, std::chrono::hours(1)));
  ASSERT_NO_FATAL_FAILURE(ServeThenStop());
  EXPECT_TRUE(CanaryAlerts().empty());
  EXPECT_GT(QueryNumber("SELECT next_sequence FROM detection_judged;"),
            static_cast<int64_t>(unjudged.opened_at))
      << "read up to it, and the mark past it";
}

// Another node's event stamped an hour ahead (its clock jumped) does not
// end the read before the node's own unjudged events.
TEST_F(DetectionCatchUpTest, AnotherNodesClockAheadDoesNotEndTheCatchUp) {
  UnjudgedOpening unjudged;
  ASSERT_NO_FATAL_FAILURE(OpenADecoyUnjudged(unjudged, {AnotherNodesEvent(std::chrono::hours(1))}));
  ASSERT_NO_FATAL_FAILURE(ServeThenStop());
  ExpectJudgedOnce(unjudged);
}

// But 65 536 of them in a row end it: the node was down while the others
// went on, and a node down for a week does not read the week. One fewer
// does not.
TEST_F(DetectionCatchUpTest, ManyLaterEventsFromOtherNodesInARowEndTheCatchUp) {
  UnjudgedOpening unjudged;
  ASSERT_NO_FATAL_FAILURE(OpenADecoyUnjudged(
      unjudged, std::vector<audit::AuditEvent>(65'536, AnotherNodesEvent(std::chrono::hours(1)))));
  ASSERT_NO_FATAL_FAILURE(ServeThenStop());
  EXPECT_TRUE(CanaryAlerts().empty());
  EXPECT_GT(QueryNumber("SELECT next_sequence FROM detection_judged;"),
            static_cast<int64_t>(unjudged.opened_at));
}

TEST_F(DetectionCatchUpTest, OneFewerLaterEventFromOtherNodesDoesNotEndTheCatchUp) {
  UnjudgedOpening unjudged;
  ASSERT_NO_FATAL_FAILURE(OpenADecoyUnjudged(
      unjudged, std::vector<audit::AuditEvent>(65'535, AnotherNodesEvent(std::chrono::hours(1)))));
  ASSERT_NO_FATAL_FAILURE(ServeThenStop());
  ExpectJudgedOnce(unjudged);
}

// Another node's detection suspended the agent after the event, and an
// administrator reinstated them: the catch-up's suspension is a new one, in
// the log beside the first.
TEST_F(DetectionCatchUpTest, ASuspensionRecordedBeforeAReinstatementDoesNotHideANewOne) {
  UnjudgedOpening unjudged;
  ASSERT_NO_FATAL_FAILURE(OpenADecoyUnjudged(unjudged));
  audit::AuditEvent earlier = AnotherNodesEvent({});
  earlier.type = audit::AuditEventType::kAgentSuspended;
  earlier.actor.service_number = "vigie-detect";
  earlier.subject = "A-1";
  ASSERT_NO_FATAL_FAILURE(Append(earlier));
  ASSERT_NO_FATAL_FAILURE(ServeThenStop());
  EXPECT_NE(Vigie("agent show A-1").out.find("suspended"), std::string::npos);
  EXPECT_EQ(Suspensions(), 2) << "the earlier record and this one";
}

// A catch-up stopped after its suspension was recorded (the alert could
// not be stored) leaves the agent suspended and the record after the event:
// the next start, finding the agent suspended, finds that record and does
// not write another. Here the stopped start is played by hand: the agent
// suspended, then detection's record appended.
TEST_F(DetectionCatchUpTest, ASuspensionAlreadyRecordedAfterTheEventIsNotRecordedAgain) {
  UnjudgedOpening unjudged;
  ASSERT_NO_FATAL_FAILURE(OpenADecoyUnjudged(unjudged));
  auto suspended = Vigie("agent suspend A-1");
  ASSERT_EQ(suspended.exit_code, 0) << suspended.err;
  ASSERT_EQ(Suspensions(), 1) << "the command line's";
  audit::AuditEvent earlier = AnotherNodesEvent({});
  earlier.node_id.clear();  // this node's
  earlier.type = audit::AuditEventType::kAgentSuspended;
  earlier.actor.service_number = "vigie-detect";
  earlier.subject = "A-1";
  ASSERT_NO_FATAL_FAILURE(Append(earlier));
  ASSERT_NO_FATAL_FAILURE(ServeThenStop());
  EXPECT_EQ(CanaryAlerts().size(), 1u);
  EXPECT_EQ(Suspensions(), 2) << "the command line's and detection's, not a third";
}

TEST_F(DetectionCatchUpTest, ANodeWithDetectionOffForgetsItsMark) {
  ASSERT_NO_FATAL_FAILURE(Init());
  ASSERT_NO_FATAL_FAILURE(ServeThenStop());
  EXPECT_EQ(QueryNumber("SELECT count(*) FROM detection_judged;"), 1);
  ASSERT_EQ(
      testing::RunCommand("sed -i '/^\\[detect\\]/,/^\\[/ s/^enabled = true/enabled = false/' " +
                              (data() / "vigie.toml").string(),
                          dir_.path())
          .exit_code,
      0);
  ASSERT_NO_FATAL_FAILURE(ServeThenStop());
  EXPECT_EQ(QueryNumber("SELECT count(*) FROM detection_judged;"), 0)
      << "detection off: the next start with it on begins at the log's end";
}

// A catch-up whose database still fails after its patience - here the
// alert cannot be stored (PostgreSQL says its disk is full) - stops the
// start with the mark where it was; the start after judges the event.
TEST_F(DetectionCatchUpTest, ACatchUpThatCannotStoreItsAlertStopsTheStartAndKeepsItsMark) {
  if (store::testing::SuiteBackend() == store::testing::Backend::kSqlite) {
    GTEST_SKIP() << "the failure is injected by a PostgreSQL trigger";
  }
  UnjudgedOpening unjudged;
  ASSERT_NO_FATAL_FAILURE(OpenADecoyUnjudged(unjudged));
  ASSERT_NO_FATAL_FAILURE(RefuseWhile("INSERT ON detect_alert", "true"));
  ASSERT_NO_FATAL_FAILURE(ExpectTheStartStopped(unjudged));

  ASSERT_NO_FATAL_FAILURE(RefuseNoMore("detect_alert"));
  ASSERT_NO_FATAL_FAILURE(ServeThenStop());
  ExpectJudgedOnce(unjudged);
}

// The same when the action cannot be taken (the suspension is refused): no
// alert is stored either, which would have the next start pass the finding
// over with its action never taken.
TEST_F(DetectionCatchUpTest, ACatchUpThatCannotActStopsTheStartWithoutAnAlert) {
  if (store::testing::SuiteBackend() == store::testing::Backend::kSqlite) {
    GTEST_SKIP() << "the failure is injected by a PostgreSQL trigger";
  }
  UnjudgedOpening unjudged;
  ASSERT_NO_FATAL_FAILURE(OpenADecoyUnjudged(unjudged));
  ASSERT_NO_FATAL_FAILURE(RefuseWhile("UPDATE ON agent", "true"));
  ASSERT_NO_FATAL_FAILURE(ExpectTheStartStopped(unjudged));
  EXPECT_EQ(Vigie("agent show A-1").out.find("suspended"), std::string::npos);

  ASSERT_NO_FATAL_FAILURE(RefuseNoMore("agent"));
  ASSERT_NO_FATAL_FAILURE(ServeThenStop());
  ExpectJudgedOnce(unjudged);
}

// The same when the agent is suspended but the suspension cannot be
// recorded in the audit log (its database refuses detection's record): the
// start stops before the alert, so that the next start, finding the agent
// suspended and no record of it, records it - once - and raises the alert.
TEST_F(DetectionCatchUpTest, ACatchUpThatCannotRecordItsSuspensionStopsTheStart) {
  if (store::testing::SuiteBackend() == store::testing::Backend::kSqlite) {
    GTEST_SKIP() << "the failure is injected by a PostgreSQL trigger";
  }
  UnjudgedOpening unjudged;
  ASSERT_NO_FATAL_FAILURE(OpenADecoyUnjudged(unjudged));
  const std::string suspension =
      std::to_string(static_cast<int>(audit::AuditEventType::kAgentSuspended));
  ASSERT_NO_FATAL_FAILURE(
      RefuseWhile("INSERT ON audit_event", "NEW.type = " + suspension, /*on_audit_log=*/true));
  ASSERT_NO_FATAL_FAILURE(ExpectTheStartStopped(unjudged, "recording the suspension for event"));
  EXPECT_NE(Vigie("agent show A-1").out.find("suspended"), std::string::npos)
      << "the action was taken; only its record failed";

  ASSERT_NO_FATAL_FAILURE(RefuseNoMore("audit_event", /*on_audit_log=*/true));
  EXPECT_EQ(Suspensions(), 0) << "the refused record was not written later";
  ASSERT_NO_FATAL_FAILURE(ServeThenStop());
  ExpectJudgedOnce(unjudged);
}

// A failure that passes within the catch-up's patience (the first two
// attempts at the suspension refused) is tried again: the start goes on,
// the agent is suspended, and alert and suspension are recorded once.
TEST_F(DetectionCatchUpTest, ACatchUpActsAgainWhenAFailurePassesAndRecordsItOnce) {
  if (store::testing::SuiteBackend() == store::testing::Backend::kSqlite) {
    GTEST_SKIP() << "the failure is injected by a PostgreSQL trigger";
  }
  UnjudgedOpening unjudged;
  ASSERT_NO_FATAL_FAILURE(OpenADecoyUnjudged(unjudged));
  // nextval is not rolled back with the refused transaction.
  ASSERT_NO_FATAL_FAILURE(RefuseWhile("UPDATE ON agent", "nextval('refusals') <= 2"));
  ASSERT_NO_FATAL_FAILURE(ServeThenStop());
  EXPECT_GE(QueryNumber("SELECT last_value FROM refusals;"), 3) << "refused twice, then passed";
  ExpectJudgedOnce(unjudged);
}

}  // namespace
}  // namespace vigie
