// The `vigie keys` commands end to end: rotation, activation (the witness
// asked first), and an old signing key's retirement.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <vector>

#include "audit/checkpoint.h"
#include "crypto/hash.h"
#include "crypto/keyring.h"
#include "crypto/signing.h"
#include "tests/integration/cli_test.h"

namespace vigie {
namespace {

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

// Each keys command reads the key file and writes it back whole: two at once
// would undo one another (a retirement lost). While one holds the file (here
// flock(1) holds its lock), another is refused and changes nothing.
TEST_F(CliTest, OneKeysCommandChangesTheKeyFileAtATime) {
  ASSERT_NO_FATAL_FAILURE(InstallWithPersons(5, 1));
  const std::string lock = (data() / "keys.lock").string();
  const std::string vigie = std::string(VIGIE_BINARY) + " --data-dir " + data().string();
  const std::string before = testing::ReadWholeFile(data() / "vigie.key");
  // The lock files are made only once the installation's owner checks have
  // passed: one made by a wrong user (sudo) would bar the right one, and a
  // mistyped --data-dir must not get one.
  ASSERT_EQ(::chmod((data() / "vigie.toml").c_str(), 0666), 0);
  EXPECT_NE(Vigie("keys rotate").exit_code, 0);
  ASSERT_EQ(::chmod((data() / "vigie.toml").c_str(), 0600), 0);
  EXPECT_FALSE(std::filesystem::exists(lock));
  const auto elsewhere = dir_ / "not-an-installation";
  std::filesystem::create_directory(elsewhere);
  for (const std::string command :
       {"keys rotate",
        "migrate-store --to-store postgresql://v@127.0.0.1:1/a --to-audit "
        "postgresql://v@127.0.0.1:1/b"}) {
    auto refused = testing::RunCommand(
        std::string(VIGIE_BINARY) + " --data-dir " + elsewhere.string() + " " + command,
        dir_.path());
    EXPECT_EQ(refused.exit_code, 3) << command << ": " << refused.err;
    EXPECT_TRUE(std::filesystem::is_empty(elsewhere)) << command;
  }
  for (const std::string command :
       {"keys rotate", "keys activate --without-witness-check", "keys retire 1"}) {
    auto held =
        testing::RunCommand("flock --exclusive " + lock + " " + vigie + " " + command, dir_.path());
    EXPECT_EQ(held.exit_code, 5) << command << ": " << held.err;
    EXPECT_NE(held.err.find("another `vigie keys` command"), std::string::npos) << held.err;
  }
  EXPECT_EQ(testing::ReadWholeFile(data() / "vigie.key"), before);
  EXPECT_EQ(Vigie("keys list").exit_code, 0) << "reading needs no lock";
  EXPECT_EQ(Vigie("keys rotate").exit_code, 0) << "once it is free";
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
  const std::string retirement =
      "keys retire: key " + old_id + " retired after tree size " + size[1].str();
  const size_t first = logged.out.find(retirement);
  EXPECT_NE(first, std::string::npos) << logged.out;
  EXPECT_EQ(logged.out.find(retirement, first + 1), std::string::npos)
      << "the refused second retirement is not logged as one: " << logged.out;
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
