#pragma once
// The login tests' fixture: one active agent, PN-1001, with its TOTP seed,
// and helpers to log in and to check the one refusal every failure gives.
// Shared by login_test.cc and login_step_up_test.cc.

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "identity/internal/identity_testing.h"
#include "identity/login.h"

namespace vigie::identity::testing {

inline constexpr std::string_view kAddress = "192.0.2.10";

inline std::string Text(const crypto::SecretBytes& s) {
  return std::string(crypto::AsText(s.view()));
}

class LoginTest : public ::testing::Test {
 protected:
  void SetUp() override { seed_ = t_.AddActiveAgent("PN-1001"); }

  std::string CodeAt(int64_t unix_seconds) {
    return crypto::TotpCode(seed_, crypto::TotpStep(unix_seconds));
  }
  std::string CurrentCode() { return CodeAt(t_.Now()); }

  Result<LoginChallenge> Password(std::string_view password,
                                  std::string_view service_number = "PN-1001") {
    return t_.Login().VerifyPassword(service_number, password, kAddress);
  }
  Result<Agent> FullLogin(std::string_view code) {
    ASSIGN_OR_RETURN(LoginChallenge challenge, Password(kGoodPassword));
    return t_.Login().VerifySecondFactor(Text(challenge.token), code, kAddress);
  }
  AgentStatus Status() { return t_.Directory().FindAgent("PN-1001")->status; }
  int64_t FailuresWritten() { return t_.FailuresWritten(); }

  std::string StoredPasswordHash() {
    auto rows = t_.db->Prepare("SELECT password_hash FROM agent WHERE service_number = 'PN-1001'");
    if (!rows || !(*rows)->Step().value_or(false)) return "";
    std::string hash((*rows)->ColumnText(0));
    (void)(*rows)->Run();
    return hash;
  }

  void ExpectGenericRefusal(const auto& result) {
    ASSERT_THAT(result, ::vigie::testing::ErrorCodeIs(ErrorCode::kUnauthenticated));
    EXPECT_EQ(result.error().message(), kLoginFailed);
  }

  IdentityDb t_;
  std::vector<uint8_t> seed_;
};

}  // namespace vigie::identity::testing
