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
// leave the agent's session unable to step up, nor end it with one typo of
// the agent's. The lock stays; wrong codes enough to lock on their own
// refuse the step-up like the login, and the one that gets there ends the
// session.
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
  EXPECT_FALSE(login.step_up_locked_out()) << "one typo";
  t_.clock.Advance(std::chrono::seconds(30));
  EXPECT_OK(login.VerifyFreshSecondFactor(id, CurrentCode(), kAddress));
  for (int i = 0; i < 2; ++i) {  // the replayed code and the typo counted already
    ExpectGenericRefusal(login.VerifyFreshSecondFactor(id, wrong, kAddress));
    EXPECT_FALSE(login.step_up_locked_out());
  }
  ExpectGenericRefusal(login.VerifyFreshSecondFactor(id, wrong, kAddress));
  EXPECT_TRUE(login.step_up_locked_out()) << "five wrong codes: locked by a second factor too";
  t_.clock.Advance(std::chrono::seconds(30));
  ExpectGenericRefusal(login.VerifyFreshSecondFactor(id, CurrentCode(), kAddress));
}

// Four wrong passwords from anyone, then one mistyped step-up code: the
// account locks, but the session neither ends nor loses its step-up.
TEST_F(LoginTest, WrongPasswordsAndOneStepUpTypoDoNotEndTheSession) {
  ASSERT_OK(FullLogin(CurrentCode()));
  int64_t id = t_.Directory().FindAgent("PN-1001")->id;
  for (int i = 0; i < 4; ++i) ExpectGenericRefusal(Password("wrong-password-123"));
  Authenticator login = t_.Login();
  std::string wrong = CurrentCode() == "000000" ? "111111" : "000000";
  t_.clock.Advance(std::chrono::seconds(30));
  ExpectGenericRefusal(login.VerifyFreshSecondFactor(id, wrong, kAddress));
  EXPECT_EQ(Status(), AgentStatus::kLocked);
  EXPECT_EQ(login.locked_agent(), id) << "the lock is still told, for its audit event";
  EXPECT_FALSE(login.step_up_locked_out());
  EXPECT_OK(login.VerifyFreshSecondFactor(id, CurrentCode(), kAddress));
  EXPECT_EQ(Status(), AgentStatus::kLocked) << "the lock stays";
}

// Five wrong step-up codes lock the account; the fifth says the session ends.
TEST_F(LoginTest, WrongStepUpCodesLockingOnTheirOwnEndTheSession) {
  ASSERT_OK(FullLogin(CurrentCode()));
  int64_t id = t_.Directory().FindAgent("PN-1001")->id;
  Authenticator login = t_.Login();
  std::string wrong = CurrentCode() == "000000" ? "111111" : "000000";
  for (int i = 0; i < 4; ++i) {
    ExpectGenericRefusal(login.VerifyFreshSecondFactor(id, wrong, kAddress));
    EXPECT_FALSE(login.step_up_locked_out());
  }
  ExpectGenericRefusal(login.VerifyFreshSecondFactor(id, wrong, kAddress));
  EXPECT_EQ(Status(), AgentStatus::kLocked);
  EXPECT_TRUE(login.step_up_locked_out());
}

// On a node whose clock is behind the one that logged the agent in, wrong
// step-up codes still count: a thief holding the session gets five guesses,
// not as many as the clocks' gap allows.
TEST_F(LoginTest, WrongStepUpCodesCountOnAClockBehindTheLastSuccess) {
  ASSERT_OK(FullLogin(CurrentCode()));
  int64_t id = t_.Directory().FindAgent("PN-1001")->id;
  t_.clock.Advance(-std::chrono::seconds(20));
  Authenticator login = t_.Login();
  std::string wrong = CurrentCode() == "000000" ? "111111" : "000000";
  for (int i = 0; i < 5; ++i) {
    ExpectGenericRefusal(login.VerifyFreshSecondFactor(id, wrong, kAddress));
  }
  EXPECT_EQ(Status(), AgentStatus::kLocked);
  EXPECT_TRUE(login.step_up_locked_out());
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
  wrong = CurrentCode() == "000000" ? "111111" : "000000";
  ExpectGenericRefusal(login.VerifyFreshSecondFactor(id, wrong, kAddress));
  ASSERT_EQ(Status(), AgentStatus::kLocked);
  t_.clock.Advance(std::chrono::minutes(6));
  ExpectGenericRefusal(Password("wrong-password-123"));  // prunes the window's past
  ExpectGenericRefusal(login.VerifyFreshSecondFactor(id, CurrentCode(), kAddress));
  EXPECT_EQ(Status(), AgentStatus::kLocked);
}

}  // namespace
}  // namespace vigie::identity
