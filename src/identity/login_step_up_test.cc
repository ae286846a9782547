// Step-up: a fresh code from a session already open, and how lock-outs
// bear on it.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "identity/internal/login_test_fixture.h"
#include "identity/login.h"

namespace vigie::identity {
namespace {

using testing::kAddress;
using testing::kGoodPassword;
using testing::LoginTest;
using testing::Text;

TEST_F(LoginTest, StepUpNeedsAFreshCode) {
  ASSERT_OK(FullLogin(CurrentCode()));
  int64_t id = t_.Directory().FindAgent("PN-1001")->id;
  Authenticator login = t_.Login();
  // The code just used for login is refused; the next step's is accepted once.
  ExpectGenericRefusal(login.VerifyFreshSecondFactor(id, CurrentCode(), kAddress));
  t_.clock.Advance(std::chrono::seconds(30));
  EXPECT_OK(login.VerifyFreshSecondFactor(id, CurrentCode(), kAddress));
  ExpectGenericRefusal(login.VerifyFreshSecondFactor(id, CurrentCode(), kAddress));
  ExpectGenericRefusal(login.VerifyFreshSecondFactor(9999, CurrentCode(), kAddress));
  // Wrong step-up codes count towards lock-out.
  std::string wrong = CurrentCode() == "000000" ? "111111" : "000000";
  for (int i = 0; i < 5; ++i) {
    ExpectGenericRefusal(login.VerifyFreshSecondFactor(id, wrong, kAddress));
  }
  EXPECT_EQ(Status(), AgentStatus::kLocked);
  t_.clock.Advance(std::chrono::seconds(30));
  ExpectGenericRefusal(login.VerifyFreshSecondFactor(id, CurrentCode(), kAddress));
}

// A step-up proves a live session and a code, nothing about the failures
// counted before it: someone holding the password and guessing codes keeps
// one budget, however often the agent steps up meanwhile.
TEST_F(LoginTest, AStepUpDoesNotForgetTheFailuresCountedBeforeIt) {
  ASSERT_OK(FullLogin(CurrentCode()));
  int64_t id = t_.Directory().FindAgent("PN-1001")->id;
  std::string wrong = CurrentCode() == "000000" ? "111111" : "000000";
  for (int i = 0; i < 4; ++i) {
    auto challenge = Password(kGoodPassword);
    ASSERT_OK(challenge);
    ExpectGenericRefusal(t_.Login().VerifySecondFactor(Text(challenge->token), wrong, kAddress));
  }
  t_.clock.Advance(std::chrono::seconds(30));
  EXPECT_OK(t_.Login().VerifyFreshSecondFactor(id, CurrentCode(), kAddress));
  EXPECT_EQ(Status(), AgentStatus::kActive);
  auto challenge = Password(kGoodPassword);
  ASSERT_OK(challenge);
  ExpectGenericRefusal(t_.Login().VerifySecondFactor(Text(challenge->token), wrong, kAddress));
  EXPECT_EQ(Status(), AgentStatus::kLocked) << "the fifth failure of the window locks";
}

// A lock-out stops logins, not the live session: anyone who knows the
// service number can lock the account with wrong passwords, and must not
// leave the agent's session unable to step up. The lock stays; once a code
// is wrong too, the step-up is refused like the login.
TEST_F(LoginTest, AnAgentLockedByWrongPasswordsCanStillStepUp) {
  ASSERT_OK(FullLogin(CurrentCode()));
  int64_t id = t_.Directory().FindAgent("PN-1001")->id;
  for (int i = 0; i < 5; ++i) ExpectGenericRefusal(Password("wrong-password-123"));
  ASSERT_EQ(Status(), AgentStatus::kLocked);
  t_.clock.Advance(std::chrono::seconds(30));
  Authenticator login = t_.Login();
  EXPECT_OK(login.VerifyFreshSecondFactor(id, CurrentCode(), kAddress));
  EXPECT_EQ(Status(), AgentStatus::kLocked) << "the lock stays";
  ExpectGenericRefusal(Password(kGoodPassword));
  // A code still works once.
  ExpectGenericRefusal(login.VerifyFreshSecondFactor(id, CurrentCode(), kAddress));
  std::string wrong = CurrentCode() == "000000" ? "111111" : "000000";
  ExpectGenericRefusal(login.VerifyFreshSecondFactor(id, wrong, kAddress));
  t_.clock.Advance(std::chrono::seconds(30));
  // A wrong code counted: locked by a second factor too.
  ExpectGenericRefusal(login.VerifyFreshSecondFactor(id, CurrentCode(), kAddress));
}

// The wrong codes a lock counted are remembered as long as it lasts, however
// many password attempts come meanwhile (each prunes what the window no
// longer counts): the lock is still known for one a second factor caused.
TEST_F(LoginTest, ALockCountingWrongCodesStillRefusesStepUpAfterLaterAttempts) {
  ASSERT_OK(FullLogin(CurrentCode()));
  int64_t id = t_.Directory().FindAgent("PN-1001")->id;
  Authenticator login = t_.Login();
  std::string wrong = CurrentCode() == "000000" ? "111111" : "000000";
  for (int i = 0; i < 4; ++i)
    ExpectGenericRefusal(login.VerifyFreshSecondFactor(id, wrong, kAddress));
  t_.clock.Advance(std::chrono::minutes(10));
  ExpectGenericRefusal(Password("wrong-password-123"));
  ASSERT_EQ(Status(), AgentStatus::kLocked);
  t_.clock.Advance(std::chrono::minutes(6));
  ExpectGenericRefusal(Password("wrong-password-123"));  // prunes the window's past
  ExpectGenericRefusal(login.VerifyFreshSecondFactor(id, CurrentCode(), kAddress));
  EXPECT_EQ(Status(), AgentStatus::kLocked);
}

}  // namespace
}  // namespace vigie::identity
