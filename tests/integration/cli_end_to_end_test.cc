// The `vigie` binary end to end: init → generate → import → search → show,
// and its refusals (exit code ≠ 0, a message, nothing changed).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

#include "audit/checkpoint.h"
#include "crypto/hash.h"
#include "crypto/keyring.h"
#include "crypto/signing.h"
#include "tests/support/command.h"
#include "tests/support/installation.h"
#include "tests/support/temp_dir.h"

namespace vigie {
namespace {

// A string field (the first string of an array field) of the first person
// of a generated JSON Lines file, as an agent would type it.
std::string FirstPersonField(const std::filesystem::path& file, const std::string& name) {
  std::ifstream in(file);
  std::string first;
  std::getline(in, first);
  auto at = first.find("\"" + name + "\":");
  at = first.find('"', at + name.size() + 3) + 1;
  return first.substr(at, first.find('"', at) - at);
}

using testing::CommandResult;

class CliTest : public ::testing::Test {
 protected:
  CommandResult Vigie(const std::string& args) {
    return testing::RunCommand(
        std::string(VIGIE_BINARY) + " --data-dir " + data().string() + " " + args, dir_.path());
  }
  std::filesystem::path data() const { return dir_ / "data"; }
  // `vigie init` on the suite's backend.
  CommandResult Init() { return Vigie("init" + init_arguments_); }
  // init, then `persons` synthetic persons generated and imported.
  void InstallWithPersons(int persons, int seed) {
    ASSERT_EQ(Init().exit_code, 0);
    const std::string file = (dir_ / "people.jsonl").string();
    ASSERT_EQ(Vigie("generate --persons " + std::to_string(persons) + " --seed " +
                    std::to_string(seed) + " --out " + file)
                  .exit_code,
              0);
    ASSERT_EQ(Vigie("import " + file).exit_code, 0);
  }
  // A leaked-sample CSV naming the first `count` persons of people.jsonl.
  std::string SampleOfFirstPersons(int count) {
    std::ifstream in(dir_ / "people.jsonl");
    std::string sample = "Nom;Prénoms;Date de naissance\n";
    int persons = 0;
    for (std::string line; persons < count && std::getline(in, line);) {
      if (line.find("\"kind\":\"person\"") == std::string::npos) continue;
      auto text = [&](const std::string& name, char end) {
        auto at = line.find("\"" + name + "\":") + name.size() + 3;
        std::string value = line.substr(at, line.find(end, at + 1) - at);
        std::erase(value, '"');
        std::erase(value, '[');
        return value;
      };
      sample += text("surname", '"') + ";\"" + text("given_names", ']') + "\";" +
                text("birth_date", '"') + "\n";
      ++persons;
    }
    return sample;
  }
  // `vigie witness init` in `witness_dir` with this log's keys as they are
  // now (`audit public-keys`); `witness_key`: the witness's public key.
  void InitWitness(const std::string& witness_dir, std::string& witness_key) {
    auto keys = Vigie("audit public-keys");
    ASSERT_EQ(keys.exit_code, 0) << keys.err;
    std::ofstream(dir_ / "log-keys.txt") << keys.out;
    auto init =
        testing::RunCommand(std::string(VIGIE_BINARY) + " witness init --dir " + witness_dir +
                                " --log-keys " + (dir_ / "log-keys.txt").string(),
                            dir_.path());
    ASSERT_EQ(init.exit_code, 0) << init.err;
    const size_t key_at = init.out.find("its public key: ");
    ASSERT_NE(key_at, std::string::npos) << init.out;
    witness_key = init.out.substr(key_at + 16, 64);
  }
  // A `vigie witness serve` process, stopped when this goes.
  struct ServedWitness {
    std::filesystem::path pid;
    std::string port;
    // Returns once the process is gone (its lock on the directory with it).
    void Stop() {
      if (pid.empty()) return;
      const std::string process = "$(cat " + pid.string() + ")";
      (void)std::system(("kill " + process + " 2>/dev/null").c_str());
      for (int i = 0; i < 100; ++i) {
        if (std::system(("kill -0 " + process + " 2>/dev/null").c_str()) != 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      pid.clear();
    }
    ~ServedWitness() { Stop(); }
  };
  // Serves `witness_dir` on a port of its own choosing (its log in
  // witness.out and witness.err) and names it in vigie.toml.
  void ServeWitness(const std::string& witness_dir, const std::string& witness_key,
                    ServedWitness& served) {
    const auto banner_file = dir_ / "witness.out", alarms = dir_ / "witness.err";
    served.pid = dir_ / "witness.pid";
    std::filesystem::remove(banner_file);  // a restart's banner, not the last one's
    ASSERT_EQ(std::system(("(" + std::string(VIGIE_BINARY) + " witness serve --dir " + witness_dir +
                           " --port 0 >" + banner_file.string() + " 2>" + alarms.string() +
                           " & echo $! >" + served.pid.string() + ")")
                              .c_str()),
              0);
    served.port.clear();
    for (int i = 0; i < 200 && served.port.empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      const std::string banner = testing::ReadWholeFile(banner_file);
      const size_t at = banner.find("http://127.0.0.1:");
      if (at != std::string::npos) {
        served.port = banner.substr(at + 17, banner.find(' ', at) - at - 17);
      }
    }
    ASSERT_FALSE(served.port.empty()) << testing::ReadWholeFile(alarms);
    ASSERT_EQ(testing::RunCommand(
                  "sed -i -e 's|^witness_url = .*|witness_url = \"http://127.0.0.1:" + served.port +
                      "\"|' -e 's|^witness_public_key = .*|" + "witness_public_key = \"" +
                      witness_key + "\"|' " + (data() / "vigie.toml").string(),
                  dir_.path())
                  .exit_code,
              0);
  }

  testing::TempDir dir_;
  testing::TestInstallation installation_;
  std::string init_arguments_ = installation_.InitArguments();
};

TEST_F(CliTest, InitGenerateImportSearchShow) {
  auto init = Init();
  ASSERT_EQ(init.exit_code, 0) << init.err;
  struct stat st {};
  ASSERT_EQ(::stat((data() / "vigie.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(data().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  auto file = (dir_ / "people.jsonl").string();
  auto gen = Vigie("generate --persons 2000 --seed 7 --out " + file);
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  EXPECT_NE(gen.out.find("Generated 2000 persons"), std::string::npos);
  EXPECT_TRUE(gen.err.empty()) << "progress must stay quiet off a terminal: " << gen.err;

  auto imp = Vigie("import " + file);
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  EXPECT_NE(imp.out.find("persons 2000 new"), std::string::npos) << imp.out;
  auto again = Vigie("import " + file);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("persons 0 new, 2000 updated"), std::string::npos) << again.out;

  // Take the first person of the file and search for them as an agent would.
  auto field = [&](const std::string& name) { return FirstPersonField(file, name); };
  std::string surname = field("surname"), given = field("given_names"), birth = field("birth_date");
  auto found = Vigie("search --surname \"" + surname + "\" --given \"" + given + "\" --birth " +
                     birth.substr(0, 4) + " --json");
  ASSERT_EQ(found.exit_code, 0) << found.err;
  EXPECT_NE(found.out.find("\"surname\":\"" + surname + "\""), std::string::npos) << found.out;
  EXPECT_NE(found.out.find("\"person_id\":1,"), std::string::npos) << found.out;

  auto text = Vigie("search -s \"" + surname + "\" -b " + birth.substr(0, 4));
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("surname exact"), std::string::npos) << text.out;

  auto show = Vigie("show 1");
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find(surname), std::string::npos);
  EXPECT_NE(show.out.find("Criminal-record entries:"), std::string::npos);
  auto show_json = Vigie("show 1 --json");
  EXPECT_NE(show_json.out.find("\"wanted_notices\":["), std::string::npos);
}

// A purpose of the fixed list shows what an investigator's consultation
// would under it, and the log says so: a street check sees wanted persons
// and their notices in force only; an inquiry needs a case reference. Bad
// input is refused before anything is read or logged.
TEST_F(CliTest, TheStatedPurposeDecidesWhatTheOperatorSees) {
  ASSERT_EQ(Init().exit_code, 0);
  const auto file = dir_ / "two.jsonl";
  std::ofstream(file)
      << R"({"kind":"person","id":"A","surname":"Roux","given_names":["Luc"],"birth_date":"1980-02-03"})"
      << "\n"
      << R"({"kind":"person","id":"B","surname":"Roux","given_names":["Lucie"],"birth_date":"1980-02-03"})"
      << "\n"
      << R"({"kind":"wanted_notice","id":"W1","person_id":"A","reason":"witness","issuing_authority":"TJ Nice","reference":"TR-1","valid_from":"2020-01-01","conduct":"inform_authority"})"
      << "\n"
      << R"({"kind":"record_entry","id":"R1","person_id":"A","category":"vandalism","date":"2017-08-21","role":"victim","case_reference":"2017/449996","recording_service":"Commissariat de Maubeuge"})"
      << "\n"
      << R"({"kind":"record_entry","id":"R2","person_id":"B","category":"vandalism","date":"2018-08-21","role":"suspect","case_reference":"2018/1","recording_service":"Commissariat de Nice"})"
      << "\n";
  ASSERT_EQ(Vigie("import " + file.string()).exit_code, 0);

  // The operator's own consultation (no purpose): both persons, entries too.
  auto everything = Vigie("search -s Roux -b 1980");
  ASSERT_EQ(everything.exit_code, 0) << everything.err;
  EXPECT_NE(everything.out.find("Lucie"), std::string::npos) << everything.out;
  EXPECT_NE(everything.out.find("entries"), std::string::npos) << everything.out;

  // A street check: the wanted person only, no entries, no count of them.
  auto check = Vigie("search -s Roux -b 1980 --purpose identity_check --json");
  ASSERT_EQ(check.exit_code, 0) << check.err;
  EXPECT_NE(check.out.find("\"Luc\""), std::string::npos) << check.out;
  EXPECT_EQ(check.out.find("Lucie"), std::string::npos) << check.out;
  EXPECT_EQ(check.out.find("record_entries"), std::string::npos) << check.out;
  auto wanted = Vigie("show 1 --purpose identity_check");
  ASSERT_EQ(wanted.exit_code, 0) << wanted.err;
  EXPECT_NE(wanted.out.find("Wanted notices: 1"), std::string::npos) << wanted.out;
  EXPECT_EQ(wanted.out.find("Criminal-record entries"), std::string::npos) << wanted.out;
  EXPECT_EQ(Vigie("show 2 --purpose identity_check").exit_code, 3);  // on file, not wanted

  // An inquiry: everything, under its case reference.
  EXPECT_EQ(Vigie("show 2 --purpose judicial_investigation").exit_code, 2);
  EXPECT_EQ(Vigie("show 2 --purpose judicial_investigation --case '<x>'").exit_code, 2);
  auto inquiry = Vigie("show 2 --purpose judicial_investigation --case 2026/00412-PJ");
  ASSERT_EQ(inquiry.exit_code, 0) << inquiry.err;
  EXPECT_NE(inquiry.out.find("Criminal-record entries: 1"), std::string::npos) << inquiry.out;

  // Not of the list: refused, and not logged.
  for (const char* purpose : {"''", "curiosity", "IDENTITY_CHECK"}) {
    auto refused = Vigie(std::string("show 1 --purpose ") + purpose);
    EXPECT_EQ(refused.exit_code, 2) << purpose;
    EXPECT_NE(refused.err.find("--purpose"), std::string::npos) << refused.err;
    EXPECT_EQ(refused.out, "");
  }
  auto logged = Vigie("audit search --type file_opening");
  ASSERT_EQ(logged.exit_code, 0) << logged.err;
  std::vector<std::string> purposes;
  std::istringstream lines(logged.out);
  for (std::string line; std::getline(lines, line);) {
    const boost::json::object event = boost::json::parse(line).as_object();
    purposes.emplace_back(event.at("purpose").as_string());
  }
  EXPECT_THAT(purposes, ::testing::UnorderedElementsAre("identity_check", "identity_check",
                                                        "judicial_investigation"));
}

TEST_F(CliTest, RefusalsHaveExitCodesAndMessages) {
  auto none = Vigie("search -s Martin -g Jean");
  EXPECT_EQ(none.exit_code, 3);
  EXPECT_NE(none.err.find("vigie init"), std::string::npos);

  // An unreachable database fails `vigie init` and leaves nothing that
  // would refuse the next try (the key file it had made above all).
  auto unreachable =
      Vigie("init --store-url 'postgresql://vigie@127.0.0.1:1/none?connect_timeout=2'");
  EXPECT_EQ(unreachable.exit_code, 6) << unreachable.err;
  EXPECT_FALSE(std::filesystem::exists(data() / "vigie.key"));
  EXPECT_FALSE(std::filesystem::exists(data() / "vigie.toml"));

  ASSERT_EQ(Init().exit_code, 0);
  auto twice = Init();
  EXPECT_EQ(twice.exit_code, 5);
  EXPECT_NE(twice.err.find("already holds an installation"), std::string::npos);

  auto blank = Vigie("search -s Martin");
  EXPECT_EQ(blank.exit_code, 2);
  EXPECT_NE(blank.err.find("given name or a birth date"), std::string::npos);
  EXPECT_EQ(Vigie("search -s 'Mar*' -g Jean").exit_code, 2);
  EXPECT_EQ(Vigie("search -s Martin -b 1990-13").exit_code, 2);
  EXPECT_EQ(Vigie("show 42").exit_code, 3);
  EXPECT_EQ(Vigie("show -3").exit_code, 2);
  EXPECT_EQ(Vigie("frobnicate").exit_code, 2);
  EXPECT_EQ(Vigie("generate --audit-events -1").exit_code, 2);
  auto both = Vigie("generate --audit-events 5 --out " + (dir_ / "both.jsonl").string());
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.err.find("one or the other"), std::string::npos) << both.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "both.jsonl"));
  std::ofstream(dir_ / "no-surnames.txt").close();
  auto unnamed = Vigie("generate -n 3 --out " + (dir_ / "unnamed.jsonl").string() + " --surnames " +
                       (dir_ / "no-surnames.txt").string());
  EXPECT_EQ(unnamed.exit_code, 2);
  EXPECT_NE(unnamed.err.find("lists no surname"), std::string::npos) << unnamed.err;

  auto bad = dir_ / "bad.jsonl";
  std::ofstream(bad) << R"({"kind":"person","id":"A","surname":"Roux","given_names":["Luc"]})"
                     << "\n{\"kind\":\"person\",\"id\":\"B\"}\n";
  auto refused = Vigie("import " + bad.string());
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("bad.jsonl:2: missing field 'surname'"), std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("nothing was written"), std::string::npos);
  EXPECT_EQ(Vigie("search -s Roux -g Luc --json").out.find("Roux"), std::string::npos);
  auto skipped = Vigie("import --skip-bad-lines " + bad.string());
  EXPECT_EQ(skipped.exit_code, 0);
  EXPECT_NE(Vigie("search -s Roux -g Luc --json").out.find("Roux"), std::string::npos);
  // Skipping bad lines does not make a refused CSV header an import: none
  // of the lines under it was read.
  auto misnamed = dir_ / "misnamed.csv";
  std::ofstream(misnamed) << "id,surname,given_name\nC,Vidal,Anne\n";
  auto header = Vigie("import --kind person --skip-bad-lines " + misnamed.string());
  EXPECT_EQ(header.exit_code, 2);
  EXPECT_NE(header.err.find("misnamed.csv:1: CSV header: unknown CSV column 'given_name'"),
            std::string::npos)
      << header.err;
  EXPECT_NE(header.err.find("the CSV header was refused"), std::string::npos) << header.err;
  EXPECT_EQ(header.out, "");
  EXPECT_EQ(Vigie("search -s Vidal -g Anne --json").out.find("Vidal"), std::string::npos);
  // A file that cannot be read to its end is not imported as far as it went
  // (reading a directory fails as a failing disk does).
  std::filesystem::create_directory(dir_ / "unreadable.jsonl");
  auto unreadable = Vigie("import " + (dir_ / "unreadable.jsonl").string());
  EXPECT_EQ(unreadable.exit_code, 6) << unreadable.out;
  EXPECT_NE(unreadable.err.find("unreadable.jsonl failed: Is a directory"), std::string::npos)
      << unreadable.err;
  EXPECT_EQ(unreadable.out, "");

  // A key file readable by others is refused, and so is a broken config.
  ASSERT_EQ(::chmod((data() / "vigie.key").c_str(), 0644), 0);
  auto exposed = Vigie("show 1");
  EXPECT_EQ(exposed.exit_code, 4);
  EXPECT_NE(exposed.err.find("vigie.key"), std::string::npos) << exposed.err;
  ASSERT_EQ(::chmod((data() / "vigie.key").c_str(), 0600), 0);
  std::ofstream(data() / "vigie.toml", std::ios::trunc) << "[search]\nmax_resluts = 3\n";
  auto config = Vigie("show 1");
  EXPECT_EQ(config.exit_code, 2);
  EXPECT_NE(config.err.find("unknown key 'search.max_resluts'"), std::string::npos) << config.err;
}

// vigie.toml chooses the key file and the databases, and the data directory
// holds the databases' files: both are made owner-only whatever the umask,
// and a command refuses to run on either once others may write the one or
// enter the other. The group may read (a backup group), not write.
TEST_F(CliTest, AConfigurationOrDataDirectoryOthersCanChangeIsRefused) {
  auto init = testing::RunCommand("umask 000; " + std::string(VIGIE_BINARY) + " --data-dir " +
                                      data().string() + " init" + init_arguments_,
                                  dir_.path());
  ASSERT_EQ(init.exit_code, 0) << init.err;
  const auto config = data() / "vigie.toml";
  auto mode = [](const std::filesystem::path& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? st.st_mode & 07777 : 07777u;
  };
  EXPECT_EQ(mode(config), 0600u);
  EXPECT_EQ(mode(data()), 0700u);
  ASSERT_EQ(Vigie("keys list").exit_code, 0);

  for (const auto& [path, exposed] : {std::pair{config, 0620}, std::pair{config, 0604},
                                      std::pair{data(), 0770}, std::pair{data(), 0701}}) {
    ASSERT_EQ(::chmod(path.c_str(), exposed), 0);
    auto refused = Vigie("keys list");
    EXPECT_EQ(refused.exit_code, 4) << path << " " << std::oct << exposed;
    EXPECT_NE(refused.err.find("chmod go-w,o-rwx " + path.string()), std::string::npos)
        << refused.err;
    EXPECT_EQ(refused.out, "") << "nothing read";
    ASSERT_EQ(::chmod(path.c_str(), path == config ? 0600 : 0700), 0);
  }
  ASSERT_EQ(::chmod(config.c_str(), 0640), 0);
  ASSERT_EQ(::chmod(data().c_str(), 0750), 0);
  EXPECT_EQ(Vigie("keys list").exit_code, 0) << "the group may read";
}

// A key file lacking a purpose's key is damaged or another installation's:
// refused, never completed (a node that made up its own key would seal what
// the other nodes cannot open).
TEST_F(CliTest, AKeyFileLackingAPurposesKeyIsRefusedNotCompleted) {
  ASSERT_EQ(Init().exit_code, 0);
  const auto key_file = data() / "vigie.key";
  ASSERT_TRUE(std::filesystem::remove(key_file));
  ASSERT_TRUE(crypto::Keyring::CreateKeyFile(key_file).has_value());  // records and index keys
  auto contents = [&] {
    std::ifstream in(key_file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const std::string before = contents();
  auto refused = Vigie("keys list");
  EXPECT_EQ(refused.exit_code, 7) << refused.err;
  EXPECT_NE(refused.err.find("has no current totp-seeds key"), std::string::npos) << refused.err;
  EXPECT_EQ(contents(), before) << "no key added";
}

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
              "RAISE EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full'; END \\$\\$; CREATE "
              "TRIGGER disk_full BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION "
              "disk_full();"),
      dir_.path());
  ASSERT_EQ(config.exit_code, 0) << config.err;
  CommandResult refused;
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

// A staged signing key the witness does not list would have every
// checkpoint refused once active: `keys activate` asks the witness first.
TEST_F(CliTest, KeysActivateAsksTheWitnessWhetherItKnowsTheNewSigningKey) {
  ASSERT_NO_FATAL_FAILURE(InstallWithPersons(20, 3));
  const std::string witness_dir = (dir_ / "witness").string();
  std::string witness_key;
  ASSERT_NO_FATAL_FAILURE(InitWitness(witness_dir, witness_key));  // the first keys only
  ServedWitness served;
  ASSERT_NO_FATAL_FAILURE(ServeWitness(witness_dir, witness_key, served));
  ASSERT_EQ(Vigie("keys rotate").exit_code, 0);

  auto unknown = Vigie("keys activate");
  EXPECT_EQ(unknown.exit_code, 5) << unknown.out << unknown.err;
  EXPECT_NE(unknown.err.find("does not know staged signing key"), std::string::npos) << unknown.err;
  served.Stop();
  auto unreachable = Vigie("keys activate");
  EXPECT_EQ(unreachable.exit_code, 6) << unreachable.out << unreachable.err;
  EXPECT_NE(unreachable.err.find("--without-witness-check"), std::string::npos) << unreachable.err;
  EXPECT_THAT(Vigie("keys list").out, ::testing::ContainsRegex("audit-signing +staged"))
      << "nothing activated";

  // The witness's operator adds the staged key, as the rotation says.
  auto keys = Vigie("audit public-keys");
  ASSERT_EQ(keys.exit_code, 0) << keys.err;
  std::ofstream(std::filesystem::path(witness_dir) / "log-keys.txt") << keys.out;
  ASSERT_NO_FATAL_FAILURE(ServeWitness(witness_dir, witness_key, served));
  auto activated = Vigie("keys activate");
  ASSERT_EQ(activated.exit_code, 0) << activated.err;
  ASSERT_EQ(Vigie("show 1").exit_code, 0);  // a checkpoint under the new key
  auto witnessed = Vigie("audit witness");
  EXPECT_EQ(witnessed.exit_code, 0) << witnessed.err;
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
  auto announced = Vigie("audit search --type operator_command");
  EXPECT_NE(announced.out.find("3000 synthetic audit events"), std::string::npos) << announced.out;
  auto accesses = Vigie("audit search --person 7 --limit 100000");
  ASSERT_EQ(accesses.exit_code, 0) << accesses.err;
  // 20 persons, ~2 700 consultations naming up to 20 of them each.
  EXPECT_GT(std::count(accesses.out.begin(), accesses.out.end(), '\n'), 50);
  std::istringstream lines(accesses.out);
  for (std::string line; std::getline(lines, line);) {
    const bool names_7 = line.find("[7,") != std::string::npos ||
                         line.find("[7]") != std::string::npos ||
                         line.find(",7,") != std::string::npos ||
                         line.find(",7]") != std::string::npos;
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

// Every command's output, not only the breach report's: an export cut short
// by a full disk fails, however it was printed.
TEST_F(CliTest, AnyCommandToAFullOutputFails) {
  ASSERT_NO_FATAL_FAILURE(InstallWithPersons(5, 1));  // the import is an event to print
  ASSERT_NE(Vigie("audit search").out, "");
  for (const std::string command : {"audit search", "keys list"}) {
    auto full = testing::RunCommand("(" + std::string(VIGIE_BINARY) + " --data-dir " +
                                        data().string() + " " + command + " > /dev/full)",
                                    dir_.path());
    EXPECT_EQ(full.exit_code, 6) << command << ": " << full.err;
    EXPECT_NE(full.err.find("cannot write to standard output"), std::string::npos) << full.err;
  }
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
  auto audit_sql = [&](const std::string& sqlite_sql, const std::string& pg_sql) {
    auto ran =
        testing::RunCommand(installation_.AuditSqlCommand(data(), sqlite_sql, pg_sql), dir_.path());
    ASSERT_EQ(ran.exit_code, 0) << ran.err;
  };
  ASSERT_NO_FATAL_FAILURE(
      audit_sql("CREATE TRIGGER refuse_event BEFORE INSERT ON audit_event "
                "BEGIN SELECT RAISE(ABORT, 'disk trouble'); END;",
                "CREATE FUNCTION refuse_event() RETURNS trigger AS 'BEGIN RAISE EXCEPTION ''disk "
                "trouble''; END' LANGUAGE plpgsql; CREATE TRIGGER refuse_event BEFORE INSERT ON "
                "audit_event FOR EACH ROW EXECUTE FUNCTION refuse_event();"));
  const std::string release = "incident release " + id[1].str() + " --reinstate --reason done";
  auto refused = Vigie(release);
  EXPECT_EQ(refused.exit_code, 6) << refused.out << refused.err;  // the log unavailable
  EXPECT_NE(Vigie("agent show A-1").out.find("suspended"), std::string::npos);

  ASSERT_NO_FATAL_FAILURE(
      audit_sql("DROP TRIGGER refuse_event;", "DROP TRIGGER refuse_event ON audit_event;"));
  auto finished = Vigie(release);
  EXPECT_EQ(finished.exit_code, 0) << finished.out << finished.err;
  EXPECT_NE(Vigie("agent show A-1").out.find("pending"), std::string::npos);
  auto logged = Vigie("audit search --type agent_reinstated");
  ASSERT_EQ(logged.exit_code, 0) << logged.err;
  EXPECT_EQ(std::count(logged.out.begin(), logged.out.end(), '\n'), 1) << logged.out;
  EXPECT_NE(logged.out.find("A-1"), std::string::npos) << logged.out;
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
  // Reading which persons are decoys is itself in the log.
  EXPECT_NE(Vigie("audit search --type audit_search").out.find("canary list: 3 decoys"),
            std::string::npos);
}

// After a rotation the old signing key is retired once the new one has
// signed: held to the largest size it signed, in the key file, in the lines
// for the witness, and in the log's own record of who retired it.
TEST_F(CliTest, AnOldSigningKeyIsRetiredOnceTheNewOneHasSigned) {
  ASSERT_NO_FATAL_FAILURE(InstallWithPersons(50, 5));
  auto signing_key_ids = [&] {
    std::vector<std::string> ids;
    std::istringstream lines(Vigie("audit public-keys").out);
    for (std::string line; std::getline(lines, line);)
      ids.push_back(line.substr(0, line.find(' ')));
    return ids;
  };
  const std::vector<std::string> before = signing_key_ids();
  ASSERT_EQ(before.size(), 1u);
  const std::string old_id = before[0];
  EXPECT_EQ(Vigie("keys retire " + old_id).exit_code, 5) << "still current";
  ASSERT_EQ(Vigie("keys rotate").exit_code, 0);
  ASSERT_EQ(signing_key_ids().size(), 2u) << "the staged key is for the witness too";
  ASSERT_EQ(Vigie("keys activate").exit_code, 0);
  // The activation's own checkpoint was signed with the old key.
  auto too_soon = Vigie("keys retire " + old_id);
  EXPECT_EQ(too_soon.exit_code, 5) << too_soon.out << too_soon.err;
  EXPECT_NE(too_soon.err.find("signed the latest checkpoint"), std::string::npos) << too_soon.err;
  ASSERT_EQ(Vigie("show 1").exit_code, 0);  // a consultation: a checkpoint by the new key

  auto retired = Vigie("keys retire " + old_id);
  ASSERT_EQ(retired.exit_code, 0) << retired.out << retired.err;
  std::smatch size;
  ASSERT_TRUE(std::regex_search(retired.out, size, std::regex(R"(after tree size (\d+))")))
      << retired.out;
  const std::string witness_line = old_id + " " + (R"(\S+ retired-after )" + size[1].str());
  EXPECT_TRUE(std::regex_search(retired.out, std::regex(witness_line))) << retired.out;
  EXPECT_TRUE(std::regex_search(Vigie("audit public-keys").out, std::regex(witness_line)));
  EXPECT_NE(Vigie("keys list").out.find("retired (retired after tree size " + size[1].str()),
            std::string::npos);
  EXPECT_EQ(Vigie("keys retire " + old_id).exit_code, 5) << "retired already";
  EXPECT_EQ(Vigie("keys retire 1").exit_code, 2) << "a records key opens old data";
  EXPECT_EQ(Vigie("keys retire 9999").exit_code, 3);

  auto verified = Vigie("audit verify");
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  auto logged = Vigie("audit search --type operator_command");
  EXPECT_NE(
      logged.out.find("keys retire: key " + old_id + " retired after tree size " + size[1].str()),
      std::string::npos)
      << logged.out;
}

// Someone who can write the database, holding the leaked old signing key,
// plants checkpoints to stretch that key's retirement: one "by" it with a
// junk signature at a huge size, and one it truly signed, in place of one
// of the new key's. The retirement is bounded by what the key signed
// before the new key took over, whatever the plants.
TEST_F(CliTest, PlantedCheckpointsDoNotSetAKeysRetirement) {
  ASSERT_NO_FATAL_FAILURE(InstallWithPersons(50, 5));
  std::istringstream lines(Vigie("audit public-keys").out);
  std::string old_id;
  ASSERT_TRUE(std::getline(lines, old_id));
  old_id = old_id.substr(0, old_id.find(' '));
  ASSERT_EQ(Vigie("keys rotate").exit_code, 0);
  ASSERT_EQ(Vigie("keys activate").exit_code, 0);
  for (const char* id : {"1", "2", "3"}) ASSERT_EQ(Vigie(std::string("show ") + id).exit_code, 0);
  // What each key signed, from the witness file.
  uint64_t old_last = 0;
  std::vector<uint64_t> new_sizes;
  std::ifstream witness(data() / "audit-witness.jsonl");
  for (std::string line; std::getline(witness, line);) {
    auto checkpoint = audit::ParseWitnessLine(line);
    ASSERT_TRUE(checkpoint.has_value()) << line;
    if (std::to_string(checkpoint->key_id) == old_id) {
      old_last = std::max(old_last, checkpoint->tree_size);
    } else {
      new_sizes.push_back(checkpoint->tree_size);
    }
  }
  std::sort(new_sizes.begin(), new_sizes.end());
  ASSERT_GE(new_sizes.size(), 3u);
  // The forgery takes the place of the new key's second checkpoint.
  auto keyring = crypto::Keyring::LoadKeyFile(data() / "vigie.key");
  ASSERT_TRUE(keyring.has_value()) << keyring.error().message();
  auto old_key = keyring->ById(static_cast<uint32_t>(std::stoul(old_id)));
  ASSERT_TRUE(old_key.has_value());
  audit::Checkpoint forged{.tree_size = new_sizes[1], .key_id = (*old_key)->id};
  audit::SignCheckpoint(crypto::Ed25519KeyPair::FromSeed((*old_key)->bytes()), forged);
  const std::string signature = crypto::HexEncode(forged.signature);
  const std::string size = std::to_string(forged.tree_size);
  const std::string insert =
      "INSERT INTO audit_checkpoint (tree_size, time_us, root, chain_hash, key_id, signature) "
      "VALUES ";
  auto ran = testing::RunCommand(
      installation_.AuditSqlCommand(
          data(),
          "DROP TRIGGER audit_checkpoint_no_delete; DELETE FROM audit_checkpoint WHERE tree_size "
          "= " +
              size + "; " + insert + "(" + size + ", 0, zeroblob(32), zeroblob(32), " + old_id +
              ", X'" + signature + "'), (1000000000, 0, zeroblob(32), zeroblob(32), " + old_id +
              ", zeroblob(64))",
          "ALTER TABLE audit_checkpoint DISABLE TRIGGER audit_checkpoint_no_update; DELETE FROM "
          "audit_checkpoint WHERE tree_size = " +
              size + "; " + insert + "(" + size +
              ", 0, decode(repeat('00', 32), 'hex'), decode(repeat('00', 32), 'hex'), " + old_id +
              ", decode('" + signature +
              "', 'hex')), (1000000000, 0, decode(repeat('00', 32), "
              "'hex'), decode(repeat('00', 32), 'hex'), " +
              old_id + ", decode(repeat('00', 64), 'hex'))"),
      dir_.path());
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  auto retired = Vigie("keys retire " + old_id);
  ASSERT_EQ(retired.exit_code, 0) << retired.out << retired.err;
  EXPECT_NE(retired.out.find("retired after tree size " + std::to_string(old_last) + ":"),
            std::string::npos)
      << retired.out << " (the old key last signed " << old_last << ")";
  EXPECT_NE(retired.err.find("1 checkpoints ignored"), std::string::npos) << retired.err;
}

// After the Argon2id parameters are lowered, a dormant agent's hash is
// costlier than the current ones: login refusals are priced at it (so that
// their time does not single that agent out), and the operator is told.
TEST_F(CliTest, ACostlierStoredPasswordHashIsNamedWhenThePortalOpens) {
  ASSERT_EQ(Init().exit_code, 0);
  ASSERT_EQ(Vigie("unit add --code BR-75 --name Brigade --kind police").exit_code, 0);
  ASSERT_EQ(
      Vigie("agent add --service-number A-1 --name Agent --unit BR-75 --role agent").exit_code, 0);
  EXPECT_EQ(Vigie("agent show A-1").err.find("password_refusals_cost_a_stored_hash"),
            std::string::npos);
  // Made at t=3, m=64 MiB; the installation hashes at t=2, m=19 MiB.
  const std::string update =
      "UPDATE agent SET status = 'active', password_hash = "
      "'\\$argon2id\\$v=19\\$m=65536,t=3,p=1\\$c2FsdHNhbHRzYWx0c2FsdA"
      "\\$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g' WHERE service_number = 'A-1'";
  ASSERT_EQ(std::system(installation_.StoreSqlCommand(data(), update, update).c_str()), 0);
  const std::string warned = Vigie("agent show A-1").err;
  EXPECT_NE(warned.find("password_refusals_cost_a_stored_hash"), std::string::npos) << warned;
  EXPECT_NE(warned.find("65536"), std::string::npos) << warned;
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
  ASSERT_NO_FATAL_FAILURE(run(installation_.AuditSqlCommand(
      data(),
      "CREATE TRIGGER refuse_event BEFORE INSERT ON audit_event "
      "BEGIN SELECT RAISE(ABORT, 'disk trouble'); END;",
      "CREATE FUNCTION refuse_event() RETURNS trigger AS 'BEGIN RAISE EXCEPTION ''disk "
      "trouble''; END' LANGUAGE plpgsql; CREATE TRIGGER refuse_event BEFORE INSERT ON "
      "audit_event FOR EACH ROW EXECUTE FUNCTION refuse_event();")));
  auto refused = Vigie("alert ack 1 --note seen");
  EXPECT_EQ(refused.exit_code, 6) << refused.out << refused.err;
  ASSERT_NO_FATAL_FAILURE(run(installation_.AuditSqlCommand(
      data(), "DROP TRIGGER refuse_event;", "DROP TRIGGER refuse_event ON audit_event;")));
  EXPECT_NE(Vigie("alert list").out.find("decoy person returned"), std::string::npos)
      << "still open";
  auto acknowledged = Vigie("alert ack 1 --note seen");
  ASSERT_EQ(acknowledged.exit_code, 0) << acknowledged.err;
  EXPECT_EQ(Vigie("alert list").out, "");
  auto logged = Vigie("audit search --type alert_acknowledged");
  ASSERT_EQ(logged.exit_code, 0) << logged.err;
  EXPECT_EQ(std::count(logged.out.begin(), logged.out.end(), '\n'), 1) << logged.out;
}

// What the local operator changes from the command line - records
// imported, decoys planted, keys rotated - is in the log before it happens:
// with the log unwritable nothing changes; once it is, each command leaves
// an `operator_command` event, the import naming its file's SHA-256.
TEST_F(CliTest, OperatorCommandsThatChangeTheInstallationAreLoggedFirst) {
  ASSERT_NO_FATAL_FAILURE(InstallWithPersons(50, 5));
  const std::string more = (dir_ / "more.jsonl").string();
  ASSERT_EQ(Vigie("generate --persons 60 --seed 6 --out " + more).exit_code, 0);
  auto run_sql = [&](const std::string& sqlite_sql, const std::string& pg_sql) {
    auto ran =
        testing::RunCommand(installation_.AuditSqlCommand(data(), sqlite_sql, pg_sql), dir_.path());
    ASSERT_EQ(ran.exit_code, 0) << ran.err;
  };
  auto persons = [&] { return Vigie("show 55 --json").exit_code == 0; };
  ASSERT_FALSE(persons());
  const std::string keys_before = Vigie("keys list").out;

  ASSERT_NO_FATAL_FAILURE(
      run_sql("CREATE TRIGGER refuse_event BEFORE INSERT ON audit_event "
              "BEGIN SELECT RAISE(ABORT, 'disk trouble'); END;",
              "CREATE FUNCTION refuse_event() RETURNS trigger AS 'BEGIN RAISE EXCEPTION ''disk "
              "trouble''; END' LANGUAGE plpgsql; CREATE TRIGGER refuse_event BEFORE INSERT ON "
              "audit_event FOR EACH ROW EXECUTE FUNCTION refuse_event();"));
  auto import = Vigie("import " + more);
  EXPECT_EQ(import.exit_code, 6) << import.out << import.err;
  EXPECT_NE(import.err.find("audit log"), std::string::npos) << import.err;
  EXPECT_NE(Vigie("canary plant --count 2").exit_code, 0);
  EXPECT_NE(Vigie("keys rotate").exit_code, 0);
  ASSERT_NO_FATAL_FAILURE(
      run_sql("DROP TRIGGER refuse_event;", "DROP TRIGGER refuse_event ON audit_event;"));
  EXPECT_FALSE(persons()) << "nothing imported";
  EXPECT_EQ(Vigie("canary list").out, "") << "no decoy planted";
  EXPECT_EQ(Vigie("keys list").out, keys_before) << "no key staged";

  // An import refused for a bad line changes nothing, so it leaves no event.
  std::ofstream(dir_ / "bad.jsonl") << "{\"kind\":\"person\",\"id\":\"B\"}\n";
  EXPECT_EQ(Vigie("import " + (dir_ / "bad.jsonl").string()).exit_code, 2);

  auto imported = Vigie("import " + more);
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  std::smatch counts;
  ASSERT_TRUE(
      std::regex_search(imported.out, counts, std::regex(R"(persons (\d+) new, (\d+) updated)")))
      << imported.out;
  ASSERT_EQ(Vigie("canary plant --count 2").exit_code, 0);
  ASSERT_EQ(Vigie("keys rotate").exit_code, 0);
  ASSERT_EQ(Vigie("keys activate").exit_code, 0);
  auto logged = Vigie("audit search --type operator_command");
  ASSERT_EQ(logged.exit_code, 0) << logged.err;
  std::vector<std::string> subjects;
  std::istringstream lines(logged.out);
  for (std::string line; std::getline(lines, line);) {
    const auto event = boost::json::parse(line).as_object();
    EXPECT_EQ(event.at("service_number").as_string(), "local-operator") << line;
    subjects.emplace_back(event.at("subject").as_string());
  }
  // In the order they ran; the SHA-256 checked against coreutils' own.
  const std::string sha = testing::RunCommand("sha256sum " + more, dir_.path()).out.substr(0, 64);
  ASSERT_EQ(subjects.size(), 5u) << logged.out;
  EXPECT_THAT(subjects[0], ::testing::StartsWith("import sha256="));
  EXPECT_THAT(subjects[1],
              ::testing::StartsWith("import sha256=" + sha +
                                    " bytes=" + std::to_string(std::filesystem::file_size(more)) +
                                    " persons=" + counts[1].str() + "+" + counts[2].str() + " "));
  EXPECT_THAT(subjects[1], ::testing::EndsWith(" skipped=0 file=more.jsonl"));
  EXPECT_EQ(subjects[2], "canary plant: 2 decoys");
  EXPECT_EQ(subjects[3], "keys rotate: new keys staged for 3 purposes");
  EXPECT_EQ(subjects[4], "keys activate: 3 staged keys");
  EXPECT_TRUE(persons());
  auto verified = Vigie("audit verify");
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
}

// `vigie migrate-store`: an SQLite installation moved to PostgreSQL, which
// then serves searches, openings and `audit verify`; refusals change nothing.
TEST_F(CliTest, MigrateStoreCopiesAnInstallationToPostgresqlAndItStillVerifies) {
  if (installation_.postgres()) GTEST_SKIP() << "the source of a migration must be SQLite";
  store::testing::TestDatabase records(store::testing::Backend::kPostgres);
  store::testing::TestDatabase audit(store::testing::Backend::kPostgres);
  if (!records.skip_reason().empty()) GTEST_SKIP() << records.skip_reason();
  ASSERT_TRUE(records.error().empty()) << records.error();
  ASSERT_TRUE(audit.error().empty()) << audit.error();
  ASSERT_NO_FATAL_FAILURE(InstallWithPersons(300, 3));
  auto field = [&](const std::string& name) {
    return FirstPersonField(dir_ / "people.jsonl", name);
  };
  const std::string search = "search -s \"" + field("surname") + "\" -g \"" + field("given_names") +
                             "\" -b " + field("birth_date").substr(0, 4);
  ASSERT_EQ(Vigie(search).exit_code, 0);
  ASSERT_EQ(Vigie("show 1").exit_code, 0);
  ASSERT_EQ(Vigie("show 2").exit_code, 0);
  const std::string config = testing::ReadWholeFile(data() / "vigie.toml");
  const std::string targets =
      " --to-store '" + records.url() + "' --to-audit '" + audit.url() + "'";

  auto not_postgres =
      Vigie("migrate-store --to-store sqlite:other.db --to-audit '" + audit.url() + "'");
  EXPECT_EQ(not_postgres.exit_code, 2);
  EXPECT_NE(not_postgres.err.find("--to-store must be a postgresql:// URL"), std::string::npos)
      << not_postgres.err;
  EXPECT_EQ(Vigie("migrate-store --to-store '" + audit.url() + "' --to-audit '" + audit.url() + "'")
                .exit_code,
            2);

  // A server left running on the SQLite files would go on writing its
  // consultations' events there, unseen by the copied log: its lease (held
  // here by flock(1), the lock `vigie serve` takes) stops the move, and a
  // server does not start during one.
  const std::string lease = (data() / "serve.lock").string();
  const std::string vigie = std::string(VIGIE_BINARY) + " --data-dir " + data().string();
  auto while_serving = testing::RunCommand(
      "flock --shared " + lease + " " + vigie + " migrate-store" + targets, dir_.path());
  EXPECT_EQ(while_serving.exit_code, 5) << while_serving.err;
  EXPECT_NE(while_serving.err.find("`vigie serve` is running on this installation"),
            std::string::npos)
      << while_serving.err;
  EXPECT_EQ(testing::ReadWholeFile(data() / "vigie.toml"), config) << "refused: nothing changed";
  auto serve_while_moving = testing::RunCommand(
      "timeout 30 flock --exclusive " + lease + " " + vigie + " serve", dir_.path());
  EXPECT_EQ(serve_while_moving.exit_code, 5) << serve_while_moving.err;
  EXPECT_NE(serve_while_moving.err.find("`vigie migrate-store` is moving this installation"),
            std::string::npos)
      << serve_while_moving.err;
  // Nor does any other command: one that opened the log before the move
  // and wrote after it would write into the old files.
  auto show_while_moving =
      testing::RunCommand("flock --exclusive " + lease + " " + vigie + " show 1", dir_.path());
  EXPECT_EQ(show_while_moving.exit_code, 5) << show_while_moving.err;
  EXPECT_NE(show_while_moving.err.find("`vigie migrate-store` is moving this installation"),
            std::string::npos)
      << show_while_moving.err;
  EXPECT_EQ(show_while_moving.out, "");

  // The copy is held to the witness file as `audit verify` holds the log: one
  // that cannot be read stops the move before anything is copied.
  const auto witness_file = data() / "audit-witness.jsonl";
  ASSERT_TRUE(std::filesystem::exists(witness_file));
  std::filesystem::rename(witness_file, data() / "witness.moved");
  std::filesystem::create_directory(witness_file);
  auto unreadable = Vigie("migrate-store" + targets);
  EXPECT_EQ(unreadable.exit_code, 3) << unreadable.err;
  EXPECT_NE(unreadable.err.find("cannot read witness file"), std::string::npos) << unreadable.err;
  EXPECT_EQ(testing::ReadWholeFile(data() / "vigie.toml"), config) << "refused: nothing changed";
  std::filesystem::remove(witness_file);
  std::filesystem::rename(data() / "witness.moved", witness_file);

  auto moved = Vigie("migrate-store" + targets);
  ASSERT_EQ(moved.exit_code, 0) << moved.err;
  EXPECT_TRUE(moved.err.empty()) << "progress must stay quiet off a terminal: " << moved.err;
  EXPECT_NE(moved.out.find("records database:"), std::string::npos) << moved.out;
  EXPECT_NE(moved.out.find("audit log verified on PostgreSQL: 4 events"), std::string::npos)
      << moved.out;  // the import, a search, two openings
  EXPECT_EQ(testing::ReadWholeFile(data() / "vigie.toml.before-migrate"), config);
  const std::string migrated = testing::ReadWholeFile(data() / "vigie.toml");
  EXPECT_NE(migrated.find("url = \"" + records.url() + "\""), std::string::npos) << migrated;
  EXPECT_NE(migrated.find("url = \"" + audit.url() + "\""), std::string::npos) << migrated;
  EXPECT_NE(migrated.find("# the audit log's own database"), std::string::npos) << "comments kept";

  // Now on PostgreSQL: the same answers, new events on the copied log.
  auto found = Vigie(search + " --json");
  ASSERT_EQ(found.exit_code, 0) << found.err;
  EXPECT_NE(found.out.find("\"person_id\":1,"), std::string::npos) << found.out;
  auto show = Vigie("show 1");
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find(field("surname")), std::string::npos);
  auto verified = Vigie("audit verify");
  ASSERT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("audit log verified: 6 events"), std::string::npos) << verified.out;

  auto again = Vigie("migrate-store" + targets);
  EXPECT_EQ(again.exit_code, 2) << "already on PostgreSQL";
  EXPECT_NE(again.err.find("not on SQLite"), std::string::npos) << again.err;
  // Back on the SQLite files: the targets hold Vigie data now.
  std::ofstream(data() / "vigie.toml", std::ios::trunc) << config;
  auto conflict = Vigie("migrate-store" + targets);
  EXPECT_EQ(conflict.exit_code, 5) << conflict.err;
  EXPECT_NE(conflict.err.find("already holds Vigie data"), std::string::npos) << conflict.err;
  EXPECT_EQ(testing::ReadWholeFile(data() / "vigie.toml"), config) << "refused: nothing changed";
}

// Rotation in two steps: staged keys are listed but not written with; once
// activated, new data and checkpoints use them, and what was sealed and
// signed before stays readable and verifiable.
TEST_F(CliTest, KeysRotateThenActivateKeepsOldDataReadableAndOldCheckpointsVerifiable) {
  ASSERT_NO_FATAL_FAILURE(InstallWithPersons(200, 5));
  ASSERT_EQ(Vigie("show 1").exit_code, 0);  // a checkpoint under the first signing key
  auto before = Vigie("keys list");
  ASSERT_EQ(before.exit_code, 0) << before.err;
  EXPECT_EQ(before.out.find("staged"), std::string::npos) << before.out;
  EXPECT_EQ(Vigie("keys activate").exit_code, 3) << "nothing staged yet";

  auto rotated = Vigie("keys rotate");
  ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
  EXPECT_EQ(Vigie("keys rotate").exit_code, 5) << "one rotation at a time";
  auto staged = Vigie("keys list");
  for (const char* purpose : {"records", "totp-seeds", "audit-signing"}) {
    EXPECT_THAT(staged.out, ::testing::ContainsRegex(std::string(purpose) + " +staged"));
  }
  EXPECT_THAT(staged.out, ::testing::Not(::testing::ContainsRegex("search-index +staged")));
  ASSERT_EQ(Vigie("show 2").exit_code, 0);  // still signed with the first key

  ASSERT_EQ(Vigie("keys activate").exit_code, 0);
  auto after = Vigie("keys list");
  EXPECT_EQ(after.out.find("staged"), std::string::npos) << after.out;
  EXPECT_THAT(after.out, ::testing::ContainsRegex("1 +records +previous"));
  EXPECT_THAT(after.out, ::testing::ContainsRegex("6 +records +current"));
  // A re-import seals every person again, now under the new records key.
  ASSERT_EQ(Vigie("import " + (dir_ / "people.jsonl").string()).exit_code, 0);
  ASSERT_EQ(Vigie("show 1").exit_code, 0);
  ASSERT_EQ(Vigie("show 3").exit_code, 0);  // a checkpoint under the new signing key
  auto verified = Vigie("audit verify --json");
  ASSERT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("\"ok\":true"), std::string::npos) << verified.out;
  // Four consultations and four operator commands (two imports, rotate, activate).
  EXPECT_NE(verified.out.find("\"events\":8"), std::string::npos) << verified.out;
}

}  // namespace
}  // namespace vigie
