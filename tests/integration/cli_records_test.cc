// The `vigie` binary end to end: init → generate → import → search → show,
// the command line's refusals (exit code ≠ 0, a message, nothing changed),
// operator commands logged before they act, and a copy to PostgreSQL.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <vector>

#include "crypto/keyring.h"
#include "tests/integration/cli_test.h"

namespace vigie {
namespace {

TEST_F(CliTest, InitGenerateImportSearchShow) {
  auto init = Init();
  ASSERT_EQ(init.exit_code, 0) << init.err;
  struct stat st {};
  ASSERT_EQ(::stat((data() / "vigie.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(data().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  // A new installation's log is there, empty: verified, and searched.
  auto verified = Vigie("audit verify");
  EXPECT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_NE(verified.out.find("audit log verified: 0 events"), std::string::npos) << verified.out;
  auto searched = Vigie("audit search");
  EXPECT_EQ(searched.exit_code, 0) << searched.err;
  EXPECT_EQ(searched.out, "");

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

  // Ids are decimal: 010 is person 10, not 8 (strtoll's base 0); 0x1 and
  // -0 are refused before anything is read or logged.
  auto leading_zero = Vigie("show 010 --json");
  ASSERT_EQ(leading_zero.exit_code, 0) << leading_zero.err;
  EXPECT_NE(leading_zero.out.find("{\"person_id\":10,"), std::string::npos) << leading_zero.out;
  auto hexadecimal = Vigie("show 0x1");
  EXPECT_EQ(hexadecimal.exit_code, 2);
  EXPECT_NE(hexadecimal.err.find("decimal digits"), std::string::npos) << hexadecimal.err;
  EXPECT_EQ(Vigie("audit search --after -0").exit_code, 2);
  // An id nobody has: refused, and the log says which id was asked for.
  EXPECT_EQ(Vigie("show 999999").exit_code, 3);
  auto asked = Vigie("audit search --type file_opening");  // oldest first, a line each
  ASSERT_EQ(asked.exit_code, 0) << asked.err;
  ASSERT_FALSE(asked.out.empty());
  const std::string last = asked.out.substr(asked.out.rfind('\n', asked.out.size() - 2) + 1);
  EXPECT_NE(last.find("\"subject\":\"person 999999\""), std::string::npos) << asked.out;
  EXPECT_NE(last.find("\"outcome\":\"refused\""), std::string::npos) << asked.out;
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

  // One database for the records and the log is refused before anything is
  // made (both keep a schema version: each would read the other's).
  const bool had_data_dir = std::filesystem::exists(data());
  auto shared = Vigie("init --store-url sqlite:v.db --audit-url sqlite:v.db");
  EXPECT_EQ(shared.exit_code, 2) << shared.err;
  EXPECT_NE(shared.err.find("of its own"), std::string::npos) << shared.err;
  EXPECT_EQ(std::filesystem::exists(data()), had_data_dir);

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
  // Options that would be ignored are refused rather than taken silently.
  for (const std::string ignored :
       {"generate -n 50 --audit-events 5", "audit prove --event 1 --to 3",
        "breach report --agent-id 1 --json --measures reset",
        "import --kind wanted_notice x.jsonl"}) {
    auto refused = Vigie(ignored);
    EXPECT_EQ(refused.exit_code, 2) << ignored << ": " << refused.err;
    EXPECT_NE(refused.err.find(ignored.starts_with("import") ? "--kind is for CSV" : "excludes"),
              std::string::npos)
        << ignored << ": " << refused.err;
  }
  auto both = Vigie("generate --audit-events 5 --out " + (dir_ / "both.jsonl").string());
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.err.find("one or the other"), std::string::npos) << both.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "both.jsonl"));
  std::ofstream(dir_ / "no-surnames.txt").close();
  auto unnamed = Vigie("generate -n 3 --out " + (dir_ / "unnamed.jsonl").string() + " --surnames " +
                       (dir_ / "no-surnames.txt").string());
  EXPECT_EQ(unnamed.exit_code, 2);
  EXPECT_NE(unnamed.err.find("lists no surname"), std::string::npos) << unnamed.err;
  // An existing file (an export waiting to be imported) is not written over.
  std::ofstream(dir_ / "waiting.jsonl") << "keep";
  auto over = Vigie("generate -n 3 --out " + (dir_ / "waiting.jsonl").string());
  EXPECT_EQ(over.exit_code, 5);
  EXPECT_NE(over.err.find("exists"), std::string::npos) << over.err;
  EXPECT_EQ(testing::ReadWholeFile(dir_ / "waiting.jsonl"), "keep");

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
  auto vidal = Vigie("search -s Vidal -g Anne --json");
  EXPECT_EQ(vidal.exit_code, 0) << vidal.err;
  EXPECT_EQ(vidal.out, "{\"total_matches\":0,\"results\":[]}\n");
  // A file that cannot be read to its end is not imported as far as it went
  // (reading a directory fails as a failing disk does).
  std::filesystem::create_directory(dir_ / "unreadable.jsonl");
  auto unreadable = Vigie("import " + (dir_ / "unreadable.jsonl").string());
  EXPECT_EQ(unreadable.exit_code, 6) << unreadable.out;
  EXPECT_NE(unreadable.err.find("unreadable.jsonl failed: Is a directory"), std::string::npos)
      << unreadable.err;
  EXPECT_EQ(unreadable.out, "");
  // A file that cannot be opened says why, with the exit code of its reason.
  auto absent = Vigie("import " + (dir_ / "absent.jsonl").string());
  EXPECT_EQ(absent.exit_code, 3) << absent.err;
  EXPECT_NE(absent.err.find("absent.jsonl: No such file"), std::string::npos) << absent.err;
  std::filesystem::create_symlink(dir_ / "loop-b.jsonl", dir_ / "loop-a.jsonl");
  std::filesystem::create_symlink(dir_ / "loop-a.jsonl", dir_ / "loop-b.jsonl");
  auto looping = Vigie("import " + (dir_ / "loop-a.jsonl").string());
  EXPECT_EQ(looping.exit_code, 2) << looping.err;
  EXPECT_NE(looping.err.find("Too many levels of symbolic links"), std::string::npos)
      << looping.err;
  // An empty CSV file (a transfer cut short) is no import of nothing.
  std::ofstream(dir_ / "empty.csv").close();
  auto empty = Vigie("import --kind person " + (dir_ / "empty.csv").string());
  EXPECT_EQ(empty.exit_code, 2) << empty.out << empty.err;
  EXPECT_NE(empty.err.find("CSV header: missing"), std::string::npos) << empty.err;
  EXPECT_EQ(empty.out, "");

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

// A second node copies the first one's key file; `vigie init` there would
// seal and sign with keys nobody else holds.
// An init that made the installation but could not finish it says so, and
// the way out (the next init is refused: vigie.toml exists).
TEST_F(CliTest, AnInitThatCannotFinishSaysWhatItLeftAndTheWayOut) {
  std::filesystem::create_directories(data() / "dpop-proofs.log");  // no file can go there
  auto init = Init();
  EXPECT_NE(init.exit_code, 0);
  EXPECT_NE(init.err.find("the installation was created but cannot be served; remove"),
            std::string::npos)
      << init.err;
}

TEST_F(CliTest, InitTakesNoDatabaseAnotherInstallationUses) {
  ASSERT_EQ(Init().exit_code, 0);
  ASSERT_EQ(Vigie("unit add --code PN-75 --name Paris --kind police").exit_code, 0);
  const std::filesystem::path other = dir_ / "other";
  // Fresh databases for the half that is not shared.
  store::testing::SuiteDatabase fresh;
  const std::string fresh_url = installation_.postgres() ? fresh.url() : "sqlite:fresh.db";
  const std::pair<std::string, std::string> attempts[] = {
      {installation_.StoreUrl(data()), "records"}, {installation_.AuditUrl(data()), "audit log"}};
  for (const auto& [taken, what] : attempts) {
    const bool store_taken = what == "records";
    const std::string store_url = store_taken ? taken : fresh_url;
    const std::string audit_url = store_taken ? fresh_url : taken;
    auto refused = testing::RunCommand(std::string(VIGIE_BINARY) + " --data-dir " + other.string() +
                                           " init --store-url '" + store_url + "' --audit-url '" +
                                           audit_url + "'",
                                       dir_.path());
    EXPECT_EQ(refused.exit_code, 5) << refused.err;
    EXPECT_NE(refused.err.find("the " + what + " database already holds"), std::string::npos)
        << refused.err;
    EXPECT_FALSE(std::filesystem::exists(other)) << what;
  }
  // The first installation is untouched.
  EXPECT_EQ(Vigie("audit verify").exit_code, 0);
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
  // Owned by another user, who may rewrite it whatever its mode (only root
  // can give a file away: run as a user, this part has nothing to try).
  if (::geteuid() == 0) {
    constexpr uid_t kNobody = 65534;
    ASSERT_EQ(::chown(config.c_str(), kNobody, static_cast<gid_t>(-1)), 0);
    auto refused = Vigie("keys list");
    EXPECT_EQ(refused.exit_code, 4) << refused.err;
    EXPECT_NE(refused.err.find("is owned by user 65534"), std::string::npos) << refused.err;
    ASSERT_EQ(::chown(config.c_str(), 0, static_cast<gid_t>(-1)), 0);
    EXPECT_EQ(Vigie("keys list").exit_code, 0);
  }
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

  ASSERT_NO_FATAL_FAILURE(RefuseAuditEvents(true));
  auto import = Vigie("import " + more);
  EXPECT_EQ(import.exit_code, 6) << import.out << import.err;
  EXPECT_NE(import.err.find("audit log"), std::string::npos) << import.err;
  EXPECT_NE(Vigie("canary plant --count 2").exit_code, 0);
  EXPECT_NE(Vigie("keys rotate").exit_code, 0);
  ASSERT_NO_FATAL_FAILURE(RefuseAuditEvents(false));
  EXPECT_FALSE(persons()) << "nothing imported";
  auto canaries = Vigie("canary list");
  EXPECT_EQ(canaries.exit_code, 0) << canaries.err;
  EXPECT_EQ(canaries.out, "") << "no decoy planted";
  EXPECT_EQ(Vigie("keys list").out, keys_before) << "no key staged";

  // A log that cannot even be opened is found before the file is read (an
  // import may run for hours): the log's trouble is reported, not the lines.
  std::ofstream(dir_ / "bad.jsonl") << "{\"kind\":\"person\",\"id\":\"B\"}\n";
  const std::string away = "ALTER TABLE audit_event RENAME TO audit_event_away;";
  const std::string back = "ALTER TABLE audit_event_away RENAME TO audit_event;";
  ASSERT_NO_FATAL_FAILURE(run_sql(away, away));
  auto early = Vigie("import " + (dir_ / "bad.jsonl").string());
  auto plant = Vigie("canary plant --count 1");
  ASSERT_NO_FATAL_FAILURE(run_sql(back, back));
  EXPECT_NE(early.exit_code, 0);
  EXPECT_EQ(early.exit_code, plant.exit_code) << "the log's own error, as for other commands";
  EXPECT_NE(early.err.find("the audit log cannot record this"), std::string::npos) << early.err;
  EXPECT_EQ(early.err.find("bad.jsonl:1:"), std::string::npos) << early.err;

  // An import refused for a bad line changes nothing, so it leaves no event.
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

  // The last SQLite server stopped 45 s ago, a proof of that second its
  // last: PostgreSQL's memory of used proofs starts empty, so the move
  // switches the configuration only once no node would take it (60 s).
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::ofstream(data() / "dpop-proofs.log", std::ios::app)
      << "serving\nstopped " << (now - 45) << "\n";
  auto moved = Vigie("migrate-store" + targets);
  ASSERT_EQ(moved.exit_code, 0) << moved.err;
  EXPECT_NE(moved.err.find("migrate_store_waits_for_dpop_proofs"), std::string::npos) << moved.err;
  EXPECT_EQ(moved.err.find("waiting for"), std::string::npos)
      << "progress must stay quiet off a terminal: " << moved.err;
  EXPECT_GT(std::chrono::duration_cast<std::chrono::seconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count(),
            now - 45 + 60)
      << "vigie.toml switched while the proof was young enough";
  EXPECT_EQ(testing::ReadWholeFile(data() / "dpop-proofs.log")
                .ends_with("stopped " + std::to_string(now - 45) + "\n"),
            true)
      << "no server ran: the next SQLite start need not wait as after a crash";
  EXPECT_NE(moved.out.find("records database:"), std::string::npos) << moved.out;
  EXPECT_NE(moved.out.find("audit log verified on PostgreSQL: 5 events"), std::string::npos)
      << moved.out;  // the import, a search, two openings, the move itself
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
  EXPECT_NE(verified.out.find("audit log verified: 7 events"), std::string::npos) << verified.out;
  // Who moved the installation, and where to (no user, password or parameters).
  auto logged = Vigie("audit search --type operator_command");
  const size_t move_event = logged.out.find("\"subject\":\"migrate-store: records database to ");
  ASSERT_NE(move_event, std::string::npos) << logged.out;
  const std::string subject =
      logged.out.substr(move_event, logged.out.find('}', move_event) - move_event);
  EXPECT_NE(subject.find(", audit log to postgresql://"), std::string::npos) << subject;
  EXPECT_EQ(subject.find_first_of("@?"), std::string::npos) << subject;

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

}  // namespace
}  // namespace vigie
