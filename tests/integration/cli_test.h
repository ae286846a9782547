#pragma once
// The fixture of the `vigie` binary's end-to-end tests (cli_*_test.cc): an
// installation in a temporary directory, the commands run as an operator
// would, and a witness served beside it when a test needs one.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "tests/support/command.h"
#include "tests/support/installation.h"
#include "tests/support/temp_dir.h"

// Named, not anonymous: the tests of one suite, spread over several files,
// must share one fixture type.
namespace vigie {

// A string field (the first string of an array field) of the first person
// of a generated JSON Lines file, as an agent would type it.
inline std::string FirstPersonField(const std::filesystem::path& file, const std::string& name) {
  std::ifstream in(file);
  std::string first;
  std::getline(in, first);
  auto at = first.find("\"" + name + "\":");
  at = first.find('"', at + name.size() + 3) + 1;
  return first.substr(at, first.find('"', at) - at);
}

// A fresh data directory beside the `vigie` binary under test, on the
// suite's backend (SQLite, or PostgreSQL for the postgres/ variants).
class CliTest : public ::testing::Test {
 protected:
  testing::CommandResult Vigie(const std::string& args) {
    return testing::RunCommand(
        std::string(VIGIE_BINARY) + " --data-dir " + data().string() + " " + args, dir_.path());
  }
  std::filesystem::path data() const { return dir_ / "data"; }
  // `vigie init` on the suite's backend.
  testing::CommandResult Init() { return Vigie("init" + init_arguments_); }
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
  // Makes the audit log refuse every new event (a trigger, as a failing disk
  // would), or take them again.
  void RefuseAuditEvents(bool refuse) {
    const std::string sqlite_sql = refuse
                                       ? "CREATE TRIGGER refuse_event BEFORE INSERT ON audit_event "
                                         "BEGIN SELECT RAISE(ABORT, 'disk trouble'); END;"
                                       : "DROP TRIGGER refuse_event;";
    const std::string pg_sql =
        refuse ? "CREATE OR REPLACE FUNCTION refuse_event() RETURNS trigger AS 'BEGIN RAISE "
                 "EXCEPTION ''disk trouble''; END' LANGUAGE plpgsql; CREATE TRIGGER refuse_event "
                 "BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION refuse_event();"
               : "DROP TRIGGER refuse_event ON audit_event;";
    auto ran =
        testing::RunCommand(installation_.AuditSqlCommand(data(), sqlite_sql, pg_sql), dir_.path());
    ASSERT_EQ(ran.exit_code, 0) << ran.err;
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
      (void)testing::StopProcess(pid, std::chrono::seconds(5));
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

}  // namespace vigie
