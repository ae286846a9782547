// The `vigie audit` commands end to end: consultations in the log, its
// verification, the witness's countersignature, and who consulted or searched.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/integration/cli_test.h"

namespace vigie {
namespace {

// The command line's consultations are audited as the local operator's; the
// log verifies, a changed event is named, and a log that cannot be written
// refuses the consultation with nothing printed.
TEST_F(CliTest, ConsultationsAreAuditedAndTheLogVerifies) {
  ASSERT_NO_FATAL_FAILURE(InstallWithPersons(300, 3));
  auto shown = Vigie("show 1 --purpose administrative_inquiry --case CTRL-7");
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  ASSERT_EQ(Vigie("show 2").exit_code, 0);
  auto verified = Vigie("audit verify --json");
  ASSERT_EQ(verified.exit_code, 0) << verified.err << verified.out;
  EXPECT_NE(verified.out.find("\"ok\":true"), std::string::npos) << verified.out;
  // The import's operator_command event, then the two openings.
  EXPECT_NE(verified.out.find("\"events\":3"), std::string::npos) << verified.out;
  // A witness file named on the command line must be there: a typo or a
  // lost copy is not "nothing to compare with".
  auto missing = Vigie("audit verify --witness " + (data() / "no-such-witness.jsonl").string());
  EXPECT_EQ(missing.exit_code, 3) << missing.out << missing.err;
  EXPECT_NE(missing.err.find("cannot read witness file"), std::string::npos) << missing.err;
  // A last line a crash (or the writer, that moment) left unfinished is no
  // checkpoint and no damage; a line the file goes on after must parse.
  const auto witness_file = data() / "audit-witness.jsonl";
  const std::string witnessed = testing::ReadWholeFile(witness_file);
  std::ofstream(witness_file, std::ios::app) << "{\"tree_size\":";
  auto unfinished = Vigie("audit verify");
  EXPECT_EQ(unfinished.exit_code, 0) << unfinished.out << unfinished.err;
  std::ofstream(witness_file, std::ios::app) << "\n" << witnessed;
  EXPECT_EQ(Vigie("audit verify").exit_code, 7);
  // A last line whole but damaged (a digit of its root no longer hex), its
  // newline gone: damage, not an unfinished append.
  std::string damaged = witnessed.substr(0, witnessed.size() - 1);
  damaged[damaged.rfind("\"root\":\"") + 9] = 'z';
  std::ofstream(witness_file, std::ios::trunc) << damaged;
  EXPECT_EQ(Vigie("audit verify").exit_code, 7);
  std::ofstream(witness_file, std::ios::trunc) << witnessed;

  // Proofs that check without Vigie: RFC 9162 inclusion under a signed
  // checkpoint, and consistency between two tree sizes.
  const std::string checker = std::string(VIGIE_SOURCE_DIR) + "/tools/audit-proof-check";
  auto included = Vigie("audit prove --event 1");
  ASSERT_EQ(included.exit_code, 0) << included.err;
  auto key_at = included.out.find("\"public_key\":\"");
  ASSERT_NE(key_at, std::string::npos) << included.out;
  const std::string key = included.out.substr(key_at + 14, 64);
  // The checker reads the proof on stdin (RunCommand's own </dev/null applies outside).
  auto check = [&](const std::string& proof, const std::string& options = "") {
    std::ofstream(dir_ / "proof.json") << proof;
    return testing::RunCommand(
        "(" + checker + " " + options + " < " + (dir_ / "proof.json").string() + ")", dir_.path());
  };
  auto checked = check(included.out, "--public-key " + key);
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  EXPECT_NE(checked.out.find("the checkpoint signs (signature checked)"), std::string::npos)
      << checked.out;
  // Without the key it still holds, and says the signature went unchecked.
  auto unkeyed = check(included.out);
  EXPECT_NE(unkeyed.out.find("signature NOT checked"), std::string::npos) << unkeyed.out;
  std::string forged = included.out;
  const size_t root_at = forged.find("\"root\":\"") + 8;
  forged[root_at] = forged[root_at] == '0' ? '1' : '0';
  EXPECT_EQ(check(forged).exit_code, 1);
  auto consistent = Vigie("audit prove --from 1 --to 2");
  ASSERT_EQ(consistent.exit_code, 0) << consistent.err;
  EXPECT_EQ(check(consistent.out).exit_code, 0) << consistent.out;
  EXPECT_EQ(Vigie("audit prove --event 99").exit_code, 3);

  // Someone with the database file changes the case reference of the first opening.
  auto tampered = testing::RunCommand(
      installation_.AuditSqlCommand(
          data(),
          "DROP TRIGGER audit_event_no_update; UPDATE audit_event SET event = "
          "CAST(replace(CAST(event AS TEXT), 'CTRL-7', 'CTRL-8') AS BLOB) WHERE sequence = 1;",
          "ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update; UPDATE audit_event "
          "SET event = overlay(event placing 'CTRL-8'::bytea from position('CTRL-7'::bytea in "
          "event) for 6) WHERE sequence = 1;"),
      dir_.path());
  ASSERT_EQ(tampered.exit_code, 0) << tampered.err;
  auto caught = Vigie("audit verify");
  EXPECT_EQ(caught.exit_code, 7);
  EXPECT_NE(caught.out.find("first bad event: 1"), std::string::npos) << caught.out;

  // A full disk, as a size cap the database is already past (SQLite), or the
  // server refusing every write (PostgreSQL): refused, nothing shown.
  auto config = testing::RunCommand(
      "sed -i 's/^max_size_mib = 0/max_size_mib = 1/' " + (data() / "vigie.toml").string() +
          " && " +
          installation_.AuditSqlCommand(
              data(),
              "CREATE TABLE filler (b BLOB); INSERT INTO filler VALUES (zeroblob(2000000));",
              "CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS \\$\\$ BEGIN "
              "RAISE EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full'; END \\$\\$; "
              "CREATE "
              "TRIGGER disk_full BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION "
              "disk_full();"),
      dir_.path());
  ASSERT_EQ(config.exit_code, 0) << config.err;
  testing::CommandResult refused;
  for (int i = 0; i < 100; ++i) {  // until an event needs a page the cap refuses
    refused = Vigie("show 3 --json");
    if (refused.exit_code != 0) break;
  }
  EXPECT_EQ(refused.exit_code, 6) << refused.err;
  EXPECT_TRUE(refused.out.empty()) << refused.out;
  EXPECT_NE(refused.err.find("audit log"), std::string::npos) << refused.err;
}

// The witness under another authority: it countersigns each checkpoint, and
// a log rewritten by whoever runs Vigie (database and local files replaced,
// same signing key) no longer passes - locally, at verify, or at the witness.
TEST_F(CliTest, TheWitnessCountersignsAndCatchesARewrittenLog) {
  ASSERT_NO_FATAL_FAILURE(InstallWithPersons(50, 5));
  const std::string witness_dir = (dir_ / "witness").string();
  const std::string vigie = VIGIE_BINARY;
  std::string witness_key;
  ASSERT_NO_FATAL_FAILURE(InitWitness(witness_dir, witness_key));
  EXPECT_EQ(testing::RunCommand(vigie + " witness init --dir " + witness_dir + " --log-keys " +
                                    (dir_ / "log-keys.txt").string(),
                                dir_.path())
                .exit_code,
            5);
  // A TLS key without its certificate is a mistake, not a wish for plain HTTP.
  auto half_tls = testing::RunCommand(vigie + " witness serve --dir " + witness_dir +
                                          " --port 0 --tls-key " + (dir_ / "key.pem").string(),
                                      dir_.path());
  EXPECT_EQ(half_tls.exit_code, 2) << half_tls.out;
  EXPECT_NE(half_tls.err.find("give both or neither"), std::string::npos) << half_tls.err;

  // The witness runs apart, on a port of its own choosing.
  const auto alarms = dir_ / "witness.err";
  ServedWitness served;
  ASSERT_NO_FATAL_FAILURE(ServeWitness(witness_dir, witness_key, served));

  ASSERT_EQ(Vigie("show 1").exit_code, 0);
  ASSERT_EQ(Vigie("show 2").exit_code, 0);
  auto first = Vigie("audit witness");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  // The import's event and the two openings.
  EXPECT_NE(first.out.find("tree size 3"), std::string::npos) << first.out;
  ASSERT_EQ(Vigie("show 3").exit_code, 0);
  auto second = Vigie("audit witness");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("tree size 4"), std::string::npos) << second.out;
  auto verified = Vigie("audit verify --json");
  ASSERT_EQ(verified.exit_code, 0) << verified.err << verified.out;
  EXPECT_NE(verified.out.find("\"cosigned_checkpoints\":2"), std::string::npos) << verified.out;
  EXPECT_NE(verified.out.find("\"witness_consulted\":true"), std::string::npos) << verified.out;

  // Whoever runs Vigie replaces the log and every local trace of it.
  ASSERT_EQ(testing::RunCommand(installation_.WipeAuditCommand(data()), dir_.path()).exit_code, 0);
  for (const char* name : {"audit-witness.jsonl", "audit-cosignatures.jsonl"}) {
    std::filesystem::remove(data() / name);
  }
  ASSERT_EQ(Vigie("show 4").exit_code, 0);
  auto shorter = Vigie("audit witness");
  EXPECT_EQ(shorter.exit_code, 7) << shorter.out;
  EXPECT_NE(shorter.err.find("no longer extends"), std::string::npos) << shorter.err;
  auto caught = Vigie("audit verify");
  EXPECT_EQ(caught.exit_code, 7) << caught.out << caught.err;
  for (int i = 5; i <= 8; ++i) ASSERT_EQ(Vigie("show " + std::to_string(i)).exit_code, 0);
  auto forked = Vigie("audit witness");
  EXPECT_EQ(forked.exit_code, 7) << forked.out;
  EXPECT_NE(forked.err.find("inconsistent"), std::string::npos) << forked.err;
  EXPECT_NE(testing::ReadWholeFile(alarms).find("witness_inconsistent_checkpoint"),
            std::string::npos);
}

// `generate --audit-events`: synthetic events through the real writer, for
// benchmarks; the log verifies and investigations find them.
TEST_F(CliTest, GeneratedAuditEventsVerifyAndAreSearchable) {
  ASSERT_NO_FATAL_FAILURE(InstallWithPersons(20, 2));
  auto generated = Vigie("generate --audit-events 3000 --seed 4");
  ASSERT_EQ(generated.exit_code, 0) << generated.err;
  EXPECT_NE(generated.out.find("3000 synthetic audit events"), std::string::npos) << generated.out;
  auto verified = Vigie("audit verify --json");
  ASSERT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  // After the operator_command events of the import and of the generation.
  EXPECT_NE(verified.out.find("\"events\":3002"), std::string::npos) << verified.out;
  // The next verification starts from the last signed checkpoint, as the
  // text says: only what follows it is read (from 2992, the multiple of 16
  // below, whose state is made of six stored subtrees).
  auto full = Vigie("audit verify");
  const size_t hint = full.out.find("--from ");
  ASSERT_NE(hint, std::string::npos) << full.out;
  const std::string from = full.out.substr(hint + 7, full.out.find('\n', hint) - hint - 7);
  EXPECT_EQ(from, "3002") << full.out;
  auto since = Vigie("audit verify --json --from " + from);
  ASSERT_EQ(since.exit_code, 0) << since.out << since.err;
  EXPECT_NE(since.out.find("\"events\":10,\"first_event\":2992"), std::string::npos) << since.out;
  auto nowhere = Vigie("audit verify --from 3003");
  EXPECT_EQ(nowhere.exit_code, 3) << nowhere.out;
  EXPECT_NE(nowhere.err.find("no signed checkpoint at tree size 3003 (the nearest: 3002)"),
            std::string::npos)
      << nowhere.err;
  // Every event before the read's own, once each, in order.
  auto exported = Vigie("audit search --limit 100000");
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  std::istringstream exported_lines(exported.out);
  uint64_t expected_sequence = 0;
  for (std::string line; std::getline(exported_lines, line); ++expected_sequence) {
    ASSERT_NE(line.find("\"sequence\":" + std::to_string(expected_sequence) + ","),
              std::string::npos)
        << line;
  }
  EXPECT_EQ(expected_sequence, 3002u);
  auto announced = Vigie("audit search --type operator_command");
  EXPECT_NE(announced.out.find("3000 synthetic audit events"), std::string::npos) << announced.out;
  auto accesses = Vigie("audit search --person 7 --limit 100000");
  ASSERT_EQ(accesses.exit_code, 0) << accesses.err;
  // 20 persons, ~2 700 consultations naming up to 20 of them each.
  EXPECT_GT(std::count(accesses.out.begin(), accesses.out.end(), '\n'), 50);
  std::istringstream lines(accesses.out);
  for (std::string line; std::getline(lines, line);) {
    const bool names_7 =
        line.find("[7,") != std::string::npos || line.find("[7]") != std::string::npos ||
        line.find(",7,") != std::string::npos || line.find(",7]") != std::string::npos;
    EXPECT_TRUE(names_7) << line;
  }
  EXPECT_EQ(Vigie("generate --seed 4").exit_code, 2);  // neither --out nor --audit-events
  // Not into a log of real agents: the synthetic ones would take their ids.
  ASSERT_EQ(Vigie("unit add --code BR-75 --name Brigade --kind police").exit_code, 0);
  ASSERT_EQ(
      Vigie("agent add --service-number A-1 --name Agent --unit BR-75 --role agent").exit_code, 0);
  // Added after them, the agent takes no id of theirs: nothing is put on it.
  auto blamed = Vigie("audit search --agent A-1");
  EXPECT_EQ(blamed.exit_code, 0) << blamed.err;
  EXPECT_EQ(blamed.out, "") << "synthetic consultations attributed to a real agent";
  auto events = [&] {
    const std::string report = Vigie("audit verify --json").out;
    const size_t at = report.find("\"events\":");
    return at == std::string::npos ? -1 : std::atoll(report.c_str() + at + 9);
  };
  const long long before = events();
  ASSERT_GT(before, 3000);
  auto refused = Vigie("generate --audit-events 10 --seed 5");
  EXPECT_EQ(refused.exit_code, 5);
  EXPECT_NE(refused.err.find("has agents"), std::string::npos) << refused.err;
  EXPECT_EQ(events(), before) << "nothing appended";
}

// An investigator's questions: who consulted this person, who searched for
// this name, what happened in a window — one JSON line per event.
TEST_F(CliTest, AuditSearchAnswersWhoConsultedAndWhoSearched) {
  ASSERT_NO_FATAL_FAILURE(InstallWithPersons(300, 5));
  ASSERT_EQ(Vigie("unit add --code PN-75 --name Paris --kind police").exit_code, 0);
  const std::string surname = FirstPersonField(dir_ / "people.jsonl", "surname");
  ASSERT_EQ(
      Vigie("search -s \"" + surname + "\" -b 1900 --purpose judicial_investigation --case T-1")
          .exit_code,
      0);
  ASSERT_EQ(Vigie("show 1").exit_code, 0);
  ASSERT_EQ(Vigie("show 2").exit_code, 0);
  auto lines = [](const std::string& out) { return std::count(out.begin(), out.end(), '\n'); };

  auto everything = Vigie("audit search");
  ASSERT_EQ(everything.exit_code, 0) << everything.err;
  // The import, the unit added, the search, two openings.
  EXPECT_EQ(lines(everything.out), 5) << everything.out;
  auto person = Vigie("audit search --person 2");
  EXPECT_EQ(lines(person.out), 1) << person.out;
  EXPECT_NE(person.out.find("\"type\":\"file_opening\""), std::string::npos);
  EXPECT_NE(person.out.find("\"service_number\":\"local-operator\""), std::string::npos);
  auto searched = Vigie("audit search --surname \"" + surname + "\"");
  EXPECT_EQ(lines(searched.out), 1) << searched.out;
  EXPECT_NE(searched.out.find("\"purpose\":\"judicial_investigation\""), std::string::npos);
  EXPECT_EQ(searched.out.find(surname), std::string::npos) << "terms stay hashed";
  EXPECT_EQ(lines(Vigie("audit search --surname Zzyzx-Unknown").out), 0);
  EXPECT_EQ(lines(Vigie("audit search --type unit_added").out), 1);
  EXPECT_EQ(lines(Vigie("audit search --since 2999-01-01").out), 0);
  // Resumable export (the reads above are in the log after it).
  EXPECT_EQ(lines(Vigie("audit search --after 4 --type file_opening").out), 1);
  EXPECT_EQ(Vigie("audit search --since yesterday").exit_code, 2);
  EXPECT_EQ(Vigie("audit search --type sudo").exit_code, 2);
  auto cef = Vigie("audit search --person 2 --format cef");
  EXPECT_EQ(cef.out.rfind("CEF:0|Vigie|Vigie|1|33|file_opening|3|", 0), 0u) << cef.out;
  auto syslog = Vigie("audit search --type unit_added --format syslog");
  EXPECT_EQ(syslog.out.rfind("<110>1 ", 0), 0u) << syslog.out;
  EXPECT_EQ(Vigie("audit search --format xml").exit_code, 2);
  EXPECT_EQ(Vigie("audit search --agent NOBODY-1").exit_code, 3);
  // Addresses are read as the server records them; a network or a window
  // ending before it starts is an error, not an empty answer.
  auto network = Vigie("audit search --address 127.0.0.0/8");
  EXPECT_EQ(network.exit_code, 2);
  EXPECT_NE(network.err.find("--address expects an IP address"), std::string::npos) << network.err;
  EXPECT_EQ(Vigie("audit search --address ::ffff:127.0.0.1").exit_code, 0);
  EXPECT_EQ(Vigie("audit search --since 2030-01-02 --until 2030-01-01").exit_code, 2);
  EXPECT_EQ(
      Vigie("breach report --address 127.000.000.001 --out " + (dir_ / "r").string()).exit_code, 2);
  // Each read of the log is itself in the log, as the operator's, a
  // surname asked about named only as given; a refused one is not a read.
  auto reads = Vigie("audit search --type audit_search");
  EXPECT_NE(reads.out.find("audit search: everything"), std::string::npos) << reads.out;
  EXPECT_NE(reads.out.find("audit search: person 2"), std::string::npos) << reads.out;
  EXPECT_NE(reads.out.find("audit search: surname given"), std::string::npos) << reads.out;
  EXPECT_EQ(reads.out.find(surname), std::string::npos) << reads.out;
  EXPECT_EQ(reads.out.find("NOBODY-1"), std::string::npos) << reads.out;
}

// A standard input that cannot be read (here a directory, whose read
// fails) is an error, not an empty or shorter input: neither a witness made
// with no log key read, nor a claim checked against part of its sample.
TEST_F(CliTest, AStandardInputThatFailsIsAnErrorNotAnEnd) {
  ASSERT_EQ(Init().exit_code, 0);
  const std::string vigie = VIGIE_BINARY;
  std::filesystem::create_directory(dir_ / "not-a-stream");
  // In a subshell: RunCommand gives the command /dev/null as its input.
  const std::string unreadable = " < " + (dir_ / "not-a-stream").string() + ")";
  auto witness = testing::RunCommand("(" + vigie + " witness init --dir " +
                                         (dir_ / "witness").string() + " --log-keys -" + unreadable,
                                     dir_.path());
  EXPECT_EQ(witness.exit_code, 6) << witness.err;
  EXPECT_NE(witness.err.find("error reading standard input"), std::string::npos) << witness.err;
  auto claim = testing::RunCommand(
      "(" + vigie + " --data-dir " + data().string() + " claim check - --format csv" + unreadable,
      dir_.path());
  EXPECT_EQ(claim.exit_code, 6) << claim.err;
  EXPECT_NE(claim.err.find("error reading standard input"), std::string::npos) << claim.err;
}

}  // namespace
}  // namespace vigie
