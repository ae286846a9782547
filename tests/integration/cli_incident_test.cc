// The incident commands end to end: breach reports, claim checks,
// containment and its release, canaries, and alerts acknowledged.

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <vector>

#include "tests/integration/cli_test.h"

namespace vigie {
namespace {

// A breach report never overwrites a file and never writes through a link,
// not even a dangling one: refused before anything is written (exit 5), the
// link and its target as they were; then written whole, its three files.
TEST_F(CliTest, ABreachReportRefusesALinkInItsPlaceAndWritesItsThreeFiles) {
  ASSERT_EQ(Init().exit_code, 0);
  const auto out = dir_ / "report";
  std::filesystem::create_directory(out);
  const auto target = dir_ / "planted.html";
  std::filesystem::create_symlink(target, out / "report.html");
  auto files_in_out = [&] {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(out)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  };
  auto refused = Vigie("breach report --agent-id 1 --out " + out.string());
  EXPECT_EQ(refused.exit_code, 5) << refused.err;
  EXPECT_NE(refused.err.find("exists already"), std::string::npos) << refused.err;
  EXPECT_FALSE(std::filesystem::exists(target)) << "nothing written through the link";
  EXPECT_EQ(files_in_out(), std::vector<std::string>{"report.html"});

  std::filesystem::remove(out / "report.html");
  auto written = Vigie("breach report --agent-id 1 --out " + out.string());
  ASSERT_EQ(written.exit_code, 0) << written.err;
  EXPECT_EQ(files_in_out(),
            (std::vector<std::string>{"report.html", "report.json", "subjects.csv"}));
  EXPECT_EQ(
      std::filesystem::status(out / "subjects.csv").permissions() & std::filesystem::perms::all,
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_EQ(Vigie("breach report --agent-id 1 --out " + out.string()).exit_code, 5)
      << "a report is never overwritten";
}

// The command line's breach report is named in the log in the API's words
// for the same request, so one search finds both: the service numbers as
// given, not also the ids they were looked up to.
TEST_F(CliTest, ABreachReportIsLoggedInTheWordsTheApiUses) {
  ASSERT_EQ(Init().exit_code, 0);
  ASSERT_EQ(Vigie("unit add --code BR-75 --name Brigade --kind police").exit_code, 0);
  ASSERT_EQ(
      Vigie("agent add --service-number GN-1 --name Agent --unit BR-75 --role agent").exit_code,
      0);
  auto report = Vigie("breach report --agent GN-1 --json");
  ASSERT_EQ(report.exit_code, 0) << report.err;
  auto logged = Vigie("audit search --type audit_search");
  ASSERT_EQ(logged.exit_code, 0) << logged.err;
  EXPECT_NE(logged.out.find("\"breach report: agents GN-1;\""), std::string::npos) << logged.out;
  EXPECT_EQ(logged.out.find("agent ids"), std::string::npos) << logged.out;
}

// `breach report --json` to a full disk: an error and a non-zero exit,
// never a silent truncated report.
TEST_F(CliTest, ABreachReportToAFullOutputFails) {
  ASSERT_EQ(Init().exit_code, 0);
  auto full =
      testing::RunCommand("(" + std::string(VIGIE_BINARY) + " --data-dir " + data().string() +
                              " breach report --agent-id 1 --json" + " > /dev/full)",
                          dir_.path());
  EXPECT_NE(full.exit_code, 0);
  EXPECT_NE(full.err.find("cannot write to standard output"), std::string::npos) << full.err;
  auto written = Vigie("breach report --agent-id 1 --json");
  ASSERT_EQ(written.exit_code, 0) << written.err;
  EXPECT_NE(written.out.find("\"checkpoint\""), std::string::npos) << written.out;
}

// `vigie claim check`: a sample mixing persons the operator opened, one never
// consulted, a fabricated one and a bad row; verdicts per row and totals.
TEST_F(CliTest, ClaimCheckTellsRealAccessedFromFabricated) {
  ASSERT_NO_FATAL_FAILURE(InstallWithPersons(50, 3));
  ASSERT_EQ(Vigie("show 1").exit_code, 0);
  ASSERT_EQ(Vigie("show 2").exit_code, 0);
  // The first three persons of the file are persons 1, 2 and 3.
  std::string sample = SampleOfFirstPersons(3);
  sample += "Inventé;Personne;1901-01-01\nDupont;Anne;31/02/1980\n";
  std::ofstream(dir_ / "leak.csv") << sample;

  auto checked = Vigie("claim check " + (dir_ / "leak.csv").string());
  ASSERT_EQ(checked.exit_code, 0) << checked.err;
  std::istringstream rows(checked.out);
  std::vector<std::string> verdicts;
  for (std::string line; std::getline(rows, line);) {
    auto at = line.find("\"verdict\":\"") + 11;
    verdicts.push_back(line.substr(at, line.find('"', at) - at));
  }
  EXPECT_EQ(verdicts, (std::vector<std::string>{"real_and_accessed", "real_and_accessed",
                                                "real_never_accessed", "no_match", "invalid"}))
      << checked.out;
  EXPECT_NE(checked.out.find("\"service_number\":\"local-operator\""), std::string::npos);
  EXPECT_NE(checked.err.find("5 rows"), std::string::npos) << checked.err;

  auto json = Vigie("claim check " + (dir_ / "leak.csv").string() +
                    " --json --out-format csv --out " + (dir_ / "rows.csv").string());
  ASSERT_EQ(json.exit_code, 0) << json.err;
  // The first check named person 3 in the log; that is not an access: a
  // second check still finds them never consulted.
  EXPECT_NE(json.out.find("\"rows\":5,\"real_and_accessed\":2,\"real_never_accessed\":1,"
                          "\"no_match\":1,\"invalid\":1,\"persons_matched\":3,"
                          "\"persons_accessed\":2"),
            std::string::npos)
      << json.out;
  EXPECT_EQ(testing::ReadWholeFile(dir_ / "rows.csv").rfind("row,line,verdict,", 0), 0u);
  // Which persons are real is sensitive: the file is the operator's alone,
  // and results are never written over an existing file.
  EXPECT_EQ(std::filesystem::status(dir_ / "rows.csv").permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  const std::string first_rows = testing::ReadWholeFile(dir_ / "rows.csv");
  auto again = Vigie("claim check " + (dir_ / "leak.csv").string() + " --out " +
                     (dir_ / "rows.csv").string());
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("rows.csv"), std::string::npos) << again.err;
  EXPECT_EQ(testing::ReadWholeFile(dir_ / "rows.csv"), first_rows);

  // The real persons it named are in the log, for "who consulted this person".
  auto named = Vigie("audit search --person 3");
  EXPECT_NE(named.out.find("claim check: leak.csv: persons named, part 1 of 1"), std::string::npos)
      << named.out;

  std::ofstream(dir_ / "columns.csv") << "a,b\nDupont,Anne\n";
  auto refused = Vigie("claim check " + (dir_ / "columns.csv").string());
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("--column"), std::string::npos) << refused.err;
  auto mapped = Vigie("claim check " + (dir_ / "columns.csv").string() +
                      " --column surname=a --column given_names=b --column birth_date=b");
  EXPECT_EQ(mapped.exit_code, 0) << mapped.err;
  EXPECT_NE(mapped.out.find("\"verdict\":\"invalid\""), std::string::npos) << mapped.out;
  EXPECT_EQ(Vigie("claim check " + (dir_ / "absent.csv").string()).exit_code, 3);
  EXPECT_EQ(Vigie("claim check " + (dir_ / "columns.csv").string() + " --column nick=a").exit_code,
            2);
  // Only the checks made are logged as reads: not the sample refused for
  // its columns, nor the third leak.csv refused for its existing --out.
  const std::string reads = Vigie("audit search --type audit_search").out;
  auto count = [&](const std::string& subject) {
    size_t n = 0;
    for (size_t at = reads.find(subject); at != std::string::npos;
         at = reads.find(subject, at + 1)) {
      ++n;
    }
    return n;
  };
  EXPECT_EQ(count("\"subject\":\"claim check: columns.csv\""), 1u) << reads;
  EXPECT_EQ(count("\"subject\":\"claim check: leak.csv\""), 2u) << reads;
}

// More real persons than one audit event may list: named over several.
TEST_F(CliTest, AClaimCheckNamingManyPersonsRecordsThemAll) {
  ASSERT_NO_FATAL_FAILURE(InstallWithPersons(4200, 7));
  std::ofstream(dir_ / "big.csv") << SampleOfFirstPersons(4200);
  auto checked = Vigie("claim check " + (dir_ / "big.csv").string() + " --json --out " +
                       (dir_ / "rows.jsonl").string());
  ASSERT_EQ(checked.exit_code, 0) << checked.err;
  auto first = Vigie("audit search --person 1");
  EXPECT_NE(first.out.find("persons named, part 1 of 2"), std::string::npos) << first.out;
  auto last = Vigie("audit search --person 4200");
  EXPECT_NE(last.out.find("persons named, part 2 of 2"), std::string::npos) << last.out;
}

// One agent whose suspension fails does not leave the others uncontained,
// nor the log saying the containment was refused: the incident holds, the
// others are suspended, the failure is named, and containing again finishes.
TEST_F(CliTest, AContainmentFailingForOneAgentContainsTheOthersAndSaysWho) {
  ASSERT_EQ(Init().exit_code, 0);
  ASSERT_EQ(Vigie("unit add --code BR-75 --name Brigade --kind police").exit_code, 0);
  for (const char* agent : {"A-1", "A-2", "A-3"}) {
    auto added = Vigie(std::string("agent add --service-number ") + agent +
                       " --name Agent --unit BR-75 --role agent");
    ASSERT_EQ(added.exit_code, 0) << added.err;
  }
  // Writes to A-2's row fail, as a failing disk or database would.
  auto broken = testing::RunCommand(
      installation_.StoreSqlCommand(
          data(),
          "CREATE TRIGGER refuse_a2 BEFORE UPDATE ON agent WHEN OLD.service_number = 'A-2' "
          "BEGIN SELECT RAISE(ABORT, 'disk trouble'); END;",
          "CREATE FUNCTION refuse_a2() RETURNS trigger AS 'BEGIN IF OLD.service_number = "
          "''A-2'' THEN RAISE EXCEPTION ''disk trouble''; END IF; RETURN NEW; END' LANGUAGE "
          "plpgsql; CREATE TRIGGER refuse_a2 BEFORE UPDATE ON agent FOR EACH ROW EXECUTE "
          "FUNCTION refuse_a2();"),
      dir_.path());
  ASSERT_EQ(broken.exit_code, 0) << broken.err;

  auto contained =
      Vigie("incident contain --agent A-1 --agent A-2 --agent A-3 --reason sweep --json");
  EXPECT_EQ(contained.exit_code, 1) << contained.err;
  EXPECT_NE(contained.out.find("\"not_suspended\":[\"A-2\"]"), std::string::npos) << contained.out;
  for (const char* agent : {"A-1", "A-3"}) {
    EXPECT_NE(Vigie(std::string("agent show ") + agent).out.find("suspended"), std::string::npos);
  }
  EXPECT_NE(Vigie("agent show A-2").out.find("pending"), std::string::npos);
  auto logged = Vigie("audit search --type incident_action");
  EXPECT_NE(logged.out.find("1 not suspended"), std::string::npos) << logged.out;
  EXPECT_EQ(logged.out.find("\"refused\""), std::string::npos) << logged.out;
  auto suspensions = Vigie("audit search --type agent_suspended");
  EXPECT_NE(suspensions.out.find("A-1"), std::string::npos) << suspensions.out;
  EXPECT_NE(suspensions.out.find("A-3"), std::string::npos) << suspensions.out;
  EXPECT_EQ(suspensions.out.find("A-2"), std::string::npos) << suspensions.out;

  ASSERT_EQ(testing::RunCommand(installation_.StoreSqlCommand(data(), "DROP TRIGGER refuse_a2;",
                                                              "DROP TRIGGER refuse_a2 ON agent;"),
                                dir_.path())
                .exit_code,
            0);
  auto finished = Vigie("incident contain --agent A-2 --reason sweep");
  EXPECT_EQ(finished.exit_code, 0) << finished.err;
  EXPECT_NE(Vigie("agent show A-2").out.find("suspended"), std::string::npos);
}

// An agent is back in service only once its reinstatement is in the log:
// a release while the log refuses every event leaves the agent suspended
// (releasing again finishes), not reinstated with no trace.
TEST_F(CliTest, AReleaseReinstatesNobodyWhileTheAuditLogRefusesEvents) {
  ASSERT_NO_FATAL_FAILURE(InstallWithPersons(5, 1));
  ASSERT_EQ(Vigie("unit add --code BR-75 --name Brigade --kind police").exit_code, 0);
  ASSERT_EQ(
      Vigie("agent add --service-number A-1 --name Agent --unit BR-75 --role agent").exit_code, 0);
  auto contained = Vigie("incident contain --agent A-1 --reason sweep --json");
  ASSERT_EQ(contained.exit_code, 0) << contained.err;
  std::smatch id;
  ASSERT_TRUE(std::regex_search(contained.out, id, std::regex(R"re("id":(\d+))re")))
      << contained.out;
  ASSERT_NO_FATAL_FAILURE(RefuseAuditEvents(true));
  const std::string release = "incident release " + id[1].str() + " --reinstate --reason done";
  auto refused = Vigie(release);
  EXPECT_EQ(refused.exit_code, 6) << refused.out << refused.err;  // the log unavailable
  EXPECT_NE(Vigie("agent show A-1").out.find("suspended"), std::string::npos);

  ASSERT_NO_FATAL_FAILURE(RefuseAuditEvents(false));
  auto finished = Vigie(release + " --json");
  EXPECT_EQ(finished.exit_code, 0) << finished.out << finished.err;
  EXPECT_NE(Vigie("agent show A-1").out.find("pending"), std::string::npos);
  // The JSON names who is back in service, as the API's answer does.
  const boost::json::object answer = boost::json::parse(finished.out).as_object();
  EXPECT_EQ(answer.at("reinstated"), boost::json::array{"A-1"}) << finished.out;
  EXPECT_EQ(answer.at("reset"), boost::json::array{}) << finished.out;
  auto logged = Vigie("audit search --type agent_reinstated");
  ASSERT_EQ(logged.exit_code, 0) << logged.err;
  EXPECT_EQ(std::count(logged.out.begin(), logged.out.end(), '\n'), 1) << logged.out;
  EXPECT_NE(logged.out.find("A-1"), std::string::npos) << logged.out;
}

// A containment takes effect whatever the log: with the log refusing its
// events the agents are contained all the same, and the answer says both,
// rather than read as a containment refused (to be made again).
TEST_F(CliTest, AContainmentWhoseEventsTheLogRefusesStandsAndSaysSo) {
  ASSERT_EQ(Init().exit_code, 0);
  ASSERT_EQ(Vigie("unit add --code BR-75 --name Brigade --kind police").exit_code, 0);
  ASSERT_EQ(
      Vigie("agent add --service-number A-1 --name Agent --unit BR-75 --role agent").exit_code, 0);
  ASSERT_NO_FATAL_FAILURE(RefuseAuditEvents(true));
  auto contained = Vigie("incident contain --agent A-1 --reason sweep --json");
  EXPECT_EQ(contained.exit_code, 6) << contained.out << contained.err;  // the log unavailable
  EXPECT_NE(contained.out.find("\"id\":1,"), std::string::npos) << contained.out;
  EXPECT_NE(contained.out.find("\"events_recorded\":false"), std::string::npos) << contained.out;
  EXPECT_NE(contained.err.find("incident 1: done, but the audit log did not record its events"),
            std::string::npos)
      << contained.err;
  ASSERT_NO_FATAL_FAILURE(RefuseAuditEvents(false));
  EXPECT_NE(Vigie("agent show A-1").out.find("suspended"), std::string::npos);
  auto listed = Vigie("incident list --open");
  EXPECT_NE(listed.out.find("Incident 1 ("), std::string::npos) << listed.out;
}

// A unit exists only once its event is durable: with the log refusing
// events the unit is not added, and added once the log takes them, with one
// unit_added event.
TEST_F(CliTest, AUnitIsNotAddedWhileTheAuditLogRefusesEvents) {
  ASSERT_EQ(Init().exit_code, 0);
  ASSERT_NO_FATAL_FAILURE(RefuseAuditEvents(true));
  const std::string add = "unit add --code BR-75 --name Brigade --kind police";
  auto refused = Vigie(add);
  EXPECT_EQ(refused.exit_code, 6) << refused.out << refused.err;  // the log unavailable
  EXPECT_EQ(Vigie("unit list").out.find("BR-75"), std::string::npos) << "no unit added";

  ASSERT_NO_FATAL_FAILURE(RefuseAuditEvents(false));
  auto added = Vigie(add);
  EXPECT_EQ(added.exit_code, 0) << added.out << added.err;
  EXPECT_NE(Vigie("unit list").out.find("BR-75"), std::string::npos);
  auto logged = Vigie("audit search --type unit_added");
  ASSERT_EQ(logged.exit_code, 0) << logged.err;
  EXPECT_EQ(std::count(logged.out.begin(), logged.out.end(), '\n'), 1) << logged.out;
  EXPECT_NE(logged.out.find("BR-75"), std::string::npos) << logged.out;
}

// A reset asked for JSON gives JSON, its new activation code a field of it.
TEST_F(CliTest, AnAgentResetPrintsJsonWhenAsked) {
  ASSERT_EQ(Init().exit_code, 0);
  ASSERT_EQ(Vigie("unit add --code BR-75 --name Brigade --kind police").exit_code, 0);
  ASSERT_EQ(
      Vigie("agent add --service-number A-1 --name Agent --unit BR-75 --role agent").exit_code, 0);
  auto reset = Vigie("agent reset A-1 --json");
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_TRUE(std::regex_match(
      reset.out, std::regex(R"re(\{"service_number":"A-1",.*"status":"pending_activation",.*)re"
                            R"re("activation_code":"[^"]{8,}","activation_expires_at":\d+\}\n)re")))
      << reset.out;
}

// A suspension or a reset and the end of the agent's sessions are one
// transaction: when the sessions cannot be ended, the change does not stand
// either (refused, audited as such), so no session can outlive it and come
// back with a reinstatement or an activation.
TEST_F(CliTest, ASuspensionOrAResetStandsOnlyWithTheAgentsSessionsEnded) {
  ASSERT_NO_FATAL_FAILURE(InstallWithPersons(5, 1));
  ASSERT_EQ(Vigie("unit add --code BR-75 --name Brigade --kind police").exit_code, 0);
  ASSERT_EQ(
      Vigie("agent add --service-number A-1 --name Agent --unit BR-75 --role agent").exit_code, 0);
  const std::string now = std::to_string(std::time(nullptr));
  auto sql = [&](const std::string& sqlite_sql, const std::string& pg_sql) {
    auto ran =
        testing::RunCommand(installation_.StoreSqlCommand(data(), sqlite_sql, pg_sql), dir_.path());
    EXPECT_EQ(ran.exit_code, 0) << ran.err;
    return ran.out;
  };
  const std::string session =
      "INSERT INTO session (agent_id, jkt, created_at, last_seen_at, expires_at, step_up_at) "
      "SELECT id, 'k', " +
      now + ", " + now + ", " + now + " + 3600, " + now +
      " FROM agent WHERE service_number = 'A-1';";
  sql(session +
          "CREATE TRIGGER refuse_end BEFORE UPDATE ON session "
          "BEGIN SELECT RAISE(ABORT, 'disk trouble'); END;",
      session +
          "CREATE FUNCTION refuse_end() RETURNS trigger AS 'BEGIN RAISE EXCEPTION "
          "''disk trouble''; END' LANGUAGE plpgsql; CREATE TRIGGER refuse_end BEFORE "
          "UPDATE ON session FOR EACH ROW EXECUTE FUNCTION refuse_end();");
  const std::string live_sessions =
      "SELECT 'live=' || count(*) FROM session WHERE ended_at IS NULL;";
  const std::string status_before = Vigie("agent show A-1").out;
  ASSERT_EQ(status_before.find("suspended"), std::string::npos) << status_before;

  EXPECT_NE(Vigie("agent suspend A-1").exit_code, 0);
  EXPECT_NE(Vigie("agent reset A-1").exit_code, 0);
  EXPECT_EQ(Vigie("agent show A-1").out, status_before) << "neither change stands";
  EXPECT_NE(sql(live_sessions, live_sessions).find("live=1"), std::string::npos);
  for (const char* type : {"agent_suspended", "agent_reset"}) {
    auto logged = Vigie(std::string("audit search --type ") + type);
    ASSERT_EQ(logged.exit_code, 0) << logged.err;
    EXPECT_NE(logged.out.find(R"("outcome":"refused")"), std::string::npos) << logged.out;
    EXPECT_EQ(logged.out.find(R"("outcome":"ok")"), std::string::npos) << "nothing stood";
  }

  sql("DROP TRIGGER refuse_end;", "DROP TRIGGER refuse_end ON session;");
  ASSERT_EQ(Vigie("agent suspend A-1").exit_code, 0);
  EXPECT_NE(sql(live_sessions, live_sessions).find("live=0"), std::string::npos);
  EXPECT_NE(Vigie("agent show A-1").out.find("suspended"), std::string::npos);
}

// Canary persons are wanted today, so every consulting role's searches can
// find them; a plant that cannot register its decoys as canaries leaves no
// decoy behind (unwatched, they would pass for real persons).
TEST_F(CliTest, CanariesAreWantedAndPlantedWithTheirWatchOrNotAtAll) {
  ASSERT_NO_FATAL_FAILURE(InstallWithPersons(50, 4));
  auto count_persons = [&]() -> int {
    auto counted =
        testing::RunCommand(installation_.StoreSqlCommand(data(), "SELECT count(*) FROM person;",
                                                          "SELECT count(*) FROM person;"),
                            dir_.path());
    EXPECT_EQ(counted.exit_code, 0) << counted.err;
    std::smatch number;
    static const std::regex kNumberLine(R"((?:^|\n)\s*(\d+)\s*(?:\n|$))");
    return std::regex_search(counted.out, number, kNumberLine) ? std::stoi(number[1]) : -1;
  };
  const int before = count_persons();
  ASSERT_EQ(before, 50);
  auto broken = testing::RunCommand(
      installation_.StoreSqlCommand(
          data(),
          "CREATE TRIGGER refuse_canary BEFORE INSERT ON detect_canary "
          "BEGIN SELECT RAISE(ABORT, 'disk trouble'); END;",
          "CREATE FUNCTION refuse_canary() RETURNS trigger AS 'BEGIN RAISE EXCEPTION ''disk "
          "trouble''; END' LANGUAGE plpgsql; CREATE TRIGGER refuse_canary BEFORE INSERT ON "
          "detect_canary FOR EACH ROW EXECUTE FUNCTION refuse_canary();"),
      dir_.path());
  ASSERT_EQ(broken.exit_code, 0) << broken.err;
  EXPECT_NE(Vigie("canary plant --count 3").exit_code, 0);
  EXPECT_EQ(count_persons(), before) << "no decoy left unwatched";
  ASSERT_EQ(testing::RunCommand(installation_.StoreSqlCommand(data(), "DROP TRIGGER refuse_canary;",
                                                              "DROP TRIGGER refuse_canary ON "
                                                              "detect_canary;"),
                                dir_.path())
                .exit_code,
            0);

  auto planted = Vigie("canary plant --count 3");
  ASSERT_EQ(planted.exit_code, 0) << planted.err;
  char today[16];
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  std::strftime(today, sizeof today, "%F", gmtime_r(&now, &utc));
  EXPECT_EQ(count_persons(), before + 3);
  auto listed = Vigie("canary list");
  std::istringstream ids(listed.out);
  int shown = 0;
  for (std::string id; std::getline(ids, id);) {
    auto file = Vigie("show " + id + " --json");
    ASSERT_EQ(file.exit_code, 0) << file.err;
    const auto notices = boost::json::parse(file.out).as_object().at("wanted_notices").as_array();
    EXPECT_TRUE(std::ranges::any_of(notices, [&](const boost::json::value& notice) {
      const std::string from(notice.as_object().at("valid_from").as_string());
      const std::string until(notice.as_object().at("valid_until").as_string());
      return from <= today && (until.empty() || until >= today);
    })) << file.out;
    ++shown;
  }
  EXPECT_EQ(shown, 3);
  // Each decoy shown raised its alert: the command line's consultations are
  // judged as the API's (the local operator meets a decoy like anyone).
  auto alerts = Vigie("alert list --all --json");
  ASSERT_EQ(alerts.exit_code, 0) << alerts.err;
  int canary_alerts = 0;
  std::istringstream alert_lines(alerts.out);
  for (std::string line; std::getline(alert_lines, line);) {
    if (boost::json::parse(line).as_object().at("rule").as_string() == "canary") ++canary_alerts;
  }
  EXPECT_EQ(canary_alerts, 3) << alerts.out;
  // Reading which persons are decoys is itself in the log.
  EXPECT_NE(Vigie("audit search --type audit_search").out.find("canary list: 3 decoys"),
            std::string::npos);
}

// Acknowledging silences an alert, as a stolen officer account would want:
// never without its event. With the log unwritable the alert stays open.
TEST_F(CliTest, AnAlertIsAcknowledgedOnlyWithItsEventInTheLog) {
  ASSERT_NO_FATAL_FAILURE(InstallWithPersons(5, 1));
  auto run = [&](const std::string& command) {
    auto ran = testing::RunCommand(command, dir_.path());
    ASSERT_EQ(ran.exit_code, 0) << ran.err;
  };
  const std::string alert =
      "INSERT INTO detect_alert (raised_at, rule, severity, action, agent_id, service_number, "
      "session_id, source_address, detail, event_sequence) VALUES (1800000000, 'canary', "
      "'critical', 'suspend', 7, 'A-7', 3, '203.0.113.9', 'decoy person returned', 99)";
  ASSERT_NO_FATAL_FAILURE(run(installation_.StoreSqlCommand(data(), alert, alert)));
  ASSERT_NO_FATAL_FAILURE(RefuseAuditEvents(true));
  auto refused = Vigie("alert ack 1 --note seen");
  EXPECT_EQ(refused.exit_code, 6) << refused.out << refused.err;
  ASSERT_NO_FATAL_FAILURE(RefuseAuditEvents(false));
  EXPECT_NE(Vigie("alert list").out.find("decoy person returned"), std::string::npos)
      << "still open";
  auto acknowledged = Vigie("alert ack 1 --note seen");
  ASSERT_EQ(acknowledged.exit_code, 0) << acknowledged.err;
  EXPECT_EQ(Vigie("alert list").out, "");
  auto logged = Vigie("audit search --type alert_acknowledged");
  ASSERT_EQ(logged.exit_code, 0) << logged.err;
  EXPECT_EQ(std::count(logged.out.begin(), logged.out.end(), '\n'), 1) << logged.out;
}

}  // namespace
}  // namespace vigie
