#include "identity/password_policy.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/matchers.h"
#include "tests/support/temp_dir.h"

namespace vigie::identity {
namespace {

using ::vigie::testing::ErrorCodeIs;

const std::filesystem::path kShippedList =
    std::filesystem::path(VIGIE_SOURCE_DIR) / "data" / "common-passwords.txt";

PasswordPolicy Policy() {
  auto common = CommonPasswords::Parse("# comment\n\npassword123456\r\nMotDePasse1234\n");
  EXPECT_OK(common);
  return PasswordPolicy(std::move(*common));
}

constexpr PasswordOwner kOwner{.service_number = "PN-204817", .display_name = "Hélène Le Moreau"};

void ExpectRefused(const PasswordPolicy& policy, std::string_view password, std::string_view rule) {
  auto checked = policy.Check(password, kOwner);
  ASSERT_THAT(checked, ErrorCodeIs(ErrorCode::kInvalidArgument)) << password;
  EXPECT_NE(checked.error().message().find(rule), std::string::npos) << checked.error().message();
  EXPECT_EQ(checked.error().message().find(password), std::string::npos)
      << "the message must not repeat the password";
}

TEST(PasswordPolicyTest, AcceptsAGoodPassword) {
  EXPECT_OK(Policy().Check("correct-Lantern-57-Orbit", kOwner));
}

TEST(PasswordPolicyTest, CountsCodePointsNotBytes) {
  PasswordPolicy policy = Policy();
  // 11 code points but 22 bytes: too short.
  ExpectRefused(policy, "ééééééééééé", "at least 12 characters");
  EXPECT_OK(policy.Check("éééééééééééé", kOwner));
  ExpectRefused(policy, "short", "at least 12 characters");
}

TEST(PasswordPolicyTest, RefusesInvalidUtf8AndHugePasswords) {
  PasswordPolicy policy = Policy();
  ExpectRefused(policy, "abcdefghijkl\xC3", "UTF-8");
  ExpectRefused(policy, std::string(4097, 'x'), "longer than");
}

TEST(PasswordPolicyTest, RefusesCommonPasswordsWhateverTheirCase) {
  PasswordPolicy policy = Policy();
  ExpectRefused(policy, "password123456", "commonly used");
  ExpectRefused(policy, "PASSWORD123456", "commonly used");
  ExpectRefused(policy, "motdepasse1234", "commonly used");
}

TEST(PasswordPolicyTest, RefusesTheServiceNumberOrItsParts) {
  PasswordPolicy policy = Policy();
  ExpectRefused(policy, "my-pn-204817-pass", "service number");
  ExpectRefused(policy, "xxPN204817yyyy", "service number");
  ExpectRefused(policy, "lantern204817orbit", "service number");
  // "PN" is under 3 characters: it alone does not count.
  EXPECT_OK(policy.Check("pn-lantern-orbit-57", kOwner));
}

TEST(PasswordPolicyTest, RefusesNamePartsCaselessAndAccentless) {
  PasswordPolicy policy = Policy();
  ExpectRefused(policy, "iloveHELENE2024!", "name");
  ExpectRefused(policy, "Hélène-rides-bikes", "name");
  ExpectRefused(policy, "lantern-moreau-57", "name");
  ExpectRefused(policy, "lantern-MOREAU-57", "name");
  // "Le" has 2 characters: allowed inside a password.
  EXPECT_OK(policy.Check("lantern-le-orbit-57", kOwner));
  // Names past Latin-1 fold too.
  const PasswordOwner polish{.service_number = "PN-1", .display_name = "Łukasz Dvořák"};
  EXPECT_THAT(policy.Check("lukasz-lantern-2024", polish),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(policy.Check("lantern-DVORAK-2024", polish),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(policy.Check("łukasz-lantern-2024", polish),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
}

TEST(PasswordPolicyTest, LoadsTheShippedList) {
  auto list = CommonPasswords::Load(kShippedList);
  ASSERT_OK(list);
  EXPECT_GE(list->size(), 500u);
  EXPECT_TRUE(list->Contains("123456"));
  EXPECT_TRUE(list->Contains("Azerty123456"));
  EXPECT_TRUE(list->Contains("QWERTYUIOP123"));
  EXPECT_FALSE(list->Contains("correct-Lantern-57-Orbit"));
  PasswordPolicy policy(std::move(*list));
  ExpectRefused(policy, "password1234", "commonly used");
  ExpectRefused(policy, "1q2w3e4r5t6y", "commonly used");
}

TEST(PasswordPolicyTest, ShippedListIsLowerCaseAndUnique) {
  std::ifstream in(kShippedList);
  ASSERT_TRUE(in);
  std::set<std::string> seen;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    for (char c : line) EXPECT_FALSE(c >= 'A' && c <= 'Z') << line;
    EXPECT_TRUE(seen.insert(line).second) << "duplicate " << line;
  }
}

TEST(PasswordPolicyTest, MissingOrBinaryListIsAnError) {
  vigie::testing::TempDir dir;
  EXPECT_THAT(CommonPasswords::Load(dir / "absent.txt"), ErrorCodeIs(ErrorCode::kNotFound));
  std::ofstream(dir / "bad.txt") << "abc\xff\n";
  EXPECT_THAT(CommonPasswords::Load(dir / "bad.txt"), ErrorCodeIs(ErrorCode::kDataLoss));
}

}  // namespace
}  // namespace vigie::identity
