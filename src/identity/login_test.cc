#include "identity/login.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <latch>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "identity/internal/identity_testing.h"
#include "identity/internal/login_test_fixture.h"
#include "store/retry.h"

namespace vigie::identity {
namespace {

using testing::IdentityDb;
using testing::kAddress;
using testing::kGoodPassword;
using testing::LoginTest;
using testing::Text;
using ::vigie::testing::ErrorCodeIs;

// What the configuration allows at most (Config::Auth).
constexpr crypto::Argon2Params kCeiling{.t_cost = 10, .m_cost_kib = 1u << 20};

// Counts the Argon2id computations login asks for.
class CountingHasher final : public PasswordHasher {
 public:
  Result<std::string> Hash(std::string_view password, const crypto::Argon2Params& p) override {
    ++hashes;
    return inner.Hash(password, p);
  }
  Result<bool> Verify(std::string_view phc, std::string_view password) override {
    ++verifies;
    return inner.Verify(phc, password);
  }
  InlinePasswordHasher inner;
  int hashes = 0;
  int verifies = 0;
};

// Stands for a burst of concurrent guesses: `meanwhile` runs once, while
// the first password is being hashed (an attempt's writes are committed
// before its hash, so others interleave there). Counts the checks against
// the agent's real hash.
class BurstHasher final : public PasswordHasher {
 public:
  Result<std::string> Hash(std::string_view password, const crypto::Argon2Params& p) override {
    return inner.Hash(password, p);
  }
  Result<bool> Verify(std::string_view phc, std::string_view password) override {
    if (phc == real_hash) ++real_checks;
    if (auto run = std::exchange(meanwhile, nullptr)) run();
    return inner.Verify(phc, password);
  }
  InlinePasswordHasher inner;
  std::string real_hash;
  std::function<void()> meanwhile;
  int real_checks = 0;
};

TEST_F(LoginTest, PasswordThenTotpLogsIn) {
  auto challenge = Password(kGoodPassword);
  ASSERT_OK(challenge);
  EXPECT_EQ(challenge->expires_at, t_.Now() + 300);
  EXPECT_EQ(challenge->token.size(), 43u);
  auto agent = t_.Login().VerifySecondFactor(Text(challenge->token), CurrentCode(), kAddress);
  ASSERT_OK(agent);
  EXPECT_EQ(agent->service_number, "PN-1001");
  EXPECT_EQ(agent->status, AgentStatus::kActive);
  // The challenge is spent.
  t_.clock.Advance(std::chrono::seconds(30));
  ExpectGenericRefusal(
      t_.Login().VerifySecondFactor(Text(challenge->token), CurrentCode(), kAddress));
}

// After `vigie keys rotate` + `activate`, new seeds are sealed under the new
// "totp-seeds" key; agents enrolled before still log in with theirs.
TEST_F(LoginTest, ASeedSealedBeforeAKeyRotationStillOpens) {
  SeededRandom random(31);
  auto rotated = t_.keyring.AddDataKey(kPurposeTotpSeeds, random);
  ASSERT_OK(rotated);
  const crypto::DataKey& current = **t_.keyring.Current(kPurposeTotpSeeds);
  ASSERT_EQ(current.id, *rotated);
  auto login = [&](bool accept_earlier) -> Result<Agent> {
    Authenticator authenticator(*t_.db, t_.clock, current, t_.hasher, t_.options);
    if (accept_earlier) authenticator.AcceptEarlierSeedKeys(t_.keyring);
    ASSIGN_OR_RETURN(LoginChallenge challenge,
                     authenticator.VerifyPassword("PN-1001", kGoodPassword, kAddress));
    return authenticator.VerifySecondFactor(Text(challenge.token), CurrentCode(), kAddress);
  };
  // Only the current key: the old seed cannot be opened.
  EXPECT_FALSE(login(false).has_value());
  t_.clock.Advance(std::chrono::seconds(30));
  ASSERT_OK(login(true));
}

TEST_F(LoginTest, ASeedUnderAKeyThisNodeLacksIsDataLoss) {
  ASSERT_OK(t_.db->ExecuteScript("UPDATE agent SET totp_key_id = 999"));
  Authenticator authenticator = t_.Login();
  authenticator.AcceptEarlierSeedKeys(t_.keyring);
  auto challenge = authenticator.VerifyPassword("PN-1001", kGoodPassword, kAddress);
  ASSERT_OK(challenge);
  auto agent = authenticator.VerifySecondFactor(Text(challenge->token), CurrentCode(), kAddress);
  ASSERT_THAT(agent, ErrorCodeIs(ErrorCode::kDataLoss));
  EXPECT_NE(agent.error().message().find("key 999"), std::string::npos) << agent.error().message();
  // Named for the log (not charged to the address's anonymous refusals).
  EXPECT_EQ(authenticator.refused_agent(),
            std::optional<int64_t>(t_.Directory().FindAgent("PN-1001")->id));
  EXPECT_FALSE(authenticator.locked_agent().has_value());
}

TEST_F(LoginTest, ServiceNumberIsCaseInsensitive) { EXPECT_OK(Password(kGoodPassword, "pn-1001")); }

TEST_F(LoginTest, EveryRefusalLooksTheSameAndCostsOneHash) {
  CountingHasher counting;
  // Warm the dummy hash so the first refusal costs what later ones cost.
  ExpectGenericRefusal(Authenticator(*t_.db, t_.clock, *t_.totp_key, counting, t_.options)
                           .VerifyPassword("PN-0", "x", kAddress));
  t_.AddAgent("PN-PENDING");
  t_.AddActiveAgent("PN-SUSPENDED");
  ASSERT_OK(t_.Directory().Suspend("PN-SUSPENDED"));
  t_.AddActiveAgent("PN-DISABLED");
  ASSERT_OK(t_.Directory().Disable("PN-DISABLED", {}));
  Authenticator login(*t_.db, t_.clock, *t_.totp_key, counting, t_.options);
  struct Case {
    std::string_view service_number;
    std::string_view password;
  };
  for (const Case& c :
       {Case{"PN-404", kGoodPassword}, Case{"PN-1001", "wrong-password-123"},
        Case{"PN-PENDING", kGoodPassword}, Case{"PN-SUSPENDED", kGoodPassword},
        Case{"PN-DISABLED", kGoodPassword}, Case{"not a number!", "x"}, Case{"", ""}}) {
    counting.verifies = 0;
    counting.hashes = 0;
    const int64_t failures_before = FailuresWritten();
    ExpectGenericRefusal(login.VerifyPassword(c.service_number, c.password, kAddress));
    EXPECT_EQ(counting.verifies, 1) << c.service_number;
    EXPECT_EQ(counting.hashes, 0) << c.service_number;
    // The same write too: whether the service number exists is not in the time.
    EXPECT_EQ(FailuresWritten(), failures_before + 1) << c.service_number;
  }
  // A wrong TOTP code, an unknown challenge: the same answer.
  auto challenge = login.VerifyPassword("PN-1001", kGoodPassword, kAddress);
  ASSERT_OK(challenge);
  std::string wrong = CurrentCode() == "000000" ? "111111" : "000000";
  ExpectGenericRefusal(login.VerifySecondFactor(Text(challenge->token), wrong, kAddress));
  ExpectGenericRefusal(login.VerifySecondFactor("no-such-challenge", CurrentCode(), kAddress));
  ExpectGenericRefusal(login.VerifySecondFactor("", CurrentCode(), kAddress));
  ExpectGenericRefusal(login.VerifySecondFactor(std::string(1000, 'A'), CurrentCode(), kAddress));
}

TEST_F(LoginTest, FailuresNamingNoAgentAreKeptForTheWindowOnly) {
  ExpectGenericRefusal(Password(kGoodPassword, "PN-404"));
  auto rows = t_.db->Prepare("SELECT at, source_address FROM unknown_login_failure");
  ASSERT_TRUE(*(*rows)->Step());
  EXPECT_EQ((*rows)->ColumnInt(0), t_.Now());
  EXPECT_EQ((*rows)->ColumnText(1), kAddress);
  ASSERT_OK((*rows)->Run());
  t_.clock.Advance(std::chrono::minutes(15) - std::chrono::seconds(1));
  ExpectGenericRefusal(Password(kGoodPassword, "PN-405"));
  EXPECT_EQ(FailuresWritten(), 2);  // a refusal only inserts
  t_.clock.Advance(std::chrono::seconds(1));
  // A successful login drops what is older than the window: the first.
  ASSERT_OK(FullLogin(CurrentCode()));
  EXPECT_EQ(FailuresWritten(), 1);
}

TEST_F(LoginTest, FiveFailuresLockForFifteenMinutes) {
  for (int i = 0; i < 4; ++i) {
    ExpectGenericRefusal(Password("wrong-password-123"));
    t_.clock.Advance(std::chrono::minutes(1));
  }
  EXPECT_EQ(Status(), AgentStatus::kActive);
  ExpectGenericRefusal(Password("wrong-password-123"));
  EXPECT_EQ(Status(), AgentStatus::kLocked);
  EXPECT_EQ(t_.Directory().FindAgent("PN-1001")->locked_until, t_.Now() + 15 * 60);
  // The right password gets the same answer while locked.
  ExpectGenericRefusal(Password(kGoodPassword));
  t_.clock.Advance(std::chrono::minutes(15) - std::chrono::seconds(1));
  ExpectGenericRefusal(Password(kGoodPassword));
  t_.clock.Advance(std::chrono::seconds(1));
  EXPECT_EQ(Status(), AgentStatus::kActive);
  // Failures are recorded with their address and factor...
  auto rows = t_.db->Prepare(
      "SELECT count(*), min(source_address), min(factor) FROM "
      "login_failure");
  ASSERT_TRUE(*(*rows)->Step());
  EXPECT_GE((*rows)->ColumnInt(0), 1);
  EXPECT_EQ((*rows)->ColumnText(1), kAddress);
  EXPECT_EQ((*rows)->ColumnText(2), "password");
  ASSERT_OK((*rows)->Run());
  ASSERT_OK(FullLogin(CurrentCode()));
  // ...and forgotten once the agent logs in.
  rows = t_.db->Prepare("SELECT count(*) FROM login_failure");
  ASSERT_TRUE(*(*rows)->Step());
  EXPECT_EQ((*rows)->ColumnInt(0), 0);
  ASSERT_OK((*rows)->Run());
}

// A burst of wrong passwords at once, for a real agent and for an unknown
// service number: on PostgreSQL no refusal met a transaction conflict (whose
// retry, only ever on the real agent's path, made its answers slower), and
// the failures were all counted: the one that reached the threshold locked.
TEST_F(LoginTest, SimultaneousRefusalsTakeTurnsWithoutConflicts) {
  constexpr int kAttempts = 6;
  t_.options.lockout_threshold = kAttempts;
  auto burst = [&](std::string_view service_number) {
    std::latch start(kAttempts);
    std::vector<std::string> answers(kAttempts);
    std::vector<std::optional<int64_t>> locked(kAttempts);
    std::vector<std::jthread> attempts;
    for (int i = 0; i < kAttempts; ++i) {
      attempts.emplace_back([&, i] {
        auto db = store::Open(t_.database.url());
        ASSERT_OK(db);
        Authenticator login(**db, t_.clock, *t_.totp_key, t_.hasher, t_.options);
        start.arrive_and_wait();
        auto answer = login.VerifyPassword(service_number, "wrong-password-123", kAddress);
        answers[i] = answer ? "a challenge" : answer.error().ToString();
        locked[i] = login.locked_agent();
      });
    }
    attempts.clear();  // joins
    for (const std::string& answer : answers) {
      EXPECT_EQ(answer, Error(ErrorCode::kUnauthenticated, std::string(kLoginFailed)).ToString());
    }
    return std::ranges::count_if(locked, [](const auto& agent) { return agent.has_value(); });
  };
  const int64_t conflicts_before = store::TransactionConflictsSeen();
  EXPECT_EQ(burst("PN-404"), 0);
  EXPECT_EQ(burst("PN-1001"), 1);
  EXPECT_EQ(store::TransactionConflictsSeen(), conflicts_before);
  EXPECT_EQ(Status(), AgentStatus::kLocked);
  EXPECT_EQ(FailuresWritten(), 2 * kAttempts);
}

// Another node suspends the agent between the count of its failures and
// the lock (simulated by a trigger on the failure's insert): the lock must
// not overwrite the suspension, or it would lapse into an active account.
TEST_F(LoginTest, ALockDoesNotOverwriteASuspensionMadeMeanwhile) {
  // On SQLite the failure is counted by a statement of its own, after the
  // trigger: the count already sees the suspension and the lock is never
  // tried. PostgreSQL counts in the insert's statement, from a snapshot
  // taken before the trigger: there the lock's own guard is what holds.
  if (t_.db->dialect() != store::Dialect::kPostgres) {
    GTEST_SKIP() << "the guard is only reached on PostgreSQL (postgres/ run)";
  }
  t_.options.lockout_threshold = 1;
  ASSERT_OK(t_.db->ExecuteScript(
      "CREATE FUNCTION suspend_meanwhile() RETURNS trigger LANGUAGE plpgsql AS "
      "$$ BEGIN UPDATE agent SET status = 'suspended' WHERE id = NEW.agent_id; "
      "RETURN NEW; END $$; "
      "CREATE TRIGGER suspend_meanwhile AFTER INSERT ON login_failure "
      "FOR EACH ROW EXECUTE FUNCTION suspend_meanwhile();"));
  Authenticator login = t_.Login();
  ExpectGenericRefusal(login.VerifyPassword("PN-1001", "wrong-password-123", kAddress));
  EXPECT_EQ(Status(), AgentStatus::kSuspended);
  EXPECT_FALSE(login.locked_agent().has_value());
}

// Concurrent guesses each take a place under the threshold before their
// hash runs: a burst of seven is five tries, not seven, and those past the
// lock are not checked against the real hash (their answer's time would
// tell a right guess).
TEST_F(LoginTest, GuessesArrivingWhileOneHashesAreNotCheckedPastTheThreshold) {
  BurstHasher hasher;
  hasher.real_hash = StoredPasswordHash();
  ASSERT_FALSE(hasher.real_hash.empty());
  Authenticator login(*t_.db, t_.clock, *t_.totp_key, hasher, t_.options);
  hasher.meanwhile = [&] {
    for (int i = 0; i < 6; ++i) {
      ExpectGenericRefusal(
          login.VerifyPassword("PN-1001", "wrong-password-" + std::to_string(i), kAddress));
    }
  };
  ExpectGenericRefusal(login.VerifyPassword("PN-1001", "wrong-password-first", kAddress));
  EXPECT_EQ(hasher.real_checks, t_.options.lockout_threshold);
  EXPECT_EQ(Status(), AgentStatus::kLocked);
  EXPECT_EQ(FailuresWritten(), 7);
}

// The guess that reaches the threshold is the right one: it locks while it
// hashes, refusing the guesses behind it, then takes its lock and failure
// back. The failures before it still count.
TEST_F(LoginTest, ARightPasswordReachingTheThresholdTakesItsLockBack) {
  for (int i = 0; i < 4; ++i) ExpectGenericRefusal(Password("wrong-password-123"));
  BurstHasher hasher;
  hasher.real_hash = StoredPasswordHash();
  Authenticator login(*t_.db, t_.clock, *t_.totp_key, hasher, t_.options);
  hasher.meanwhile = [&] {
    EXPECT_EQ(Status(), AgentStatus::kLocked);
    ExpectGenericRefusal(Password("wrong-password-456"));
  };
  ASSERT_OK(login.VerifyPassword("PN-1001", kGoodPassword, kAddress));
  EXPECT_EQ(hasher.real_checks, 1);
  EXPECT_EQ(Status(), AgentStatus::kActive);
  EXPECT_FALSE(login.locked_agent().has_value());
  EXPECT_EQ(FailuresWritten(), 5);  // four before, one meanwhile; the right one's is gone
  ExpectGenericRefusal(Password("wrong-password-123"));
  EXPECT_EQ(Status(), AgentStatus::kLocked);
}

TEST_F(LoginTest, AfterALockTheCountStartsAgain) {
  for (int i = 0; i < 5; ++i) ExpectGenericRefusal(Password("wrong-password-123"));
  EXPECT_EQ(Status(), AgentStatus::kLocked);
  // Attempts during the lock do not extend it or count afterwards.
  for (int i = 0; i < 5; ++i) ExpectGenericRefusal(Password("wrong-password-123"));
  t_.clock.Advance(std::chrono::minutes(15));
  EXPECT_EQ(Status(), AgentStatus::kActive);
  ExpectGenericRefusal(Password("wrong-password-123"));
  EXPECT_EQ(Status(), AgentStatus::kActive);  // one failure, not a new lock
  ASSERT_OK(Password(kGoodPassword));
}

TEST_F(LoginTest, FailuresOutsideTheWindowDoNotCount) {
  for (int i = 0; i < 4; ++i) ExpectGenericRefusal(Password("wrong-password-123"));
  t_.clock.Advance(std::chrono::minutes(15));
  ExpectGenericRefusal(Password("wrong-password-123"));
  EXPECT_EQ(Status(), AgentStatus::kActive);
}

TEST_F(LoginTest, ASuccessfulLoginResetsTheCount) {
  for (int i = 0; i < 4; ++i) ExpectGenericRefusal(Password("wrong-password-123"));
  ASSERT_OK(FullLogin(CurrentCode()));
  ExpectGenericRefusal(Password("wrong-password-123"));
  EXPECT_EQ(Status(), AgentStatus::kActive);
}

// A success written by a node whose clock runs ahead (or before this one's
// stepped back) does not make the next right password fail.
TEST_F(LoginTest, ARightPasswordIsTakenOnAClockBehindTheLastSuccess) {
  ASSERT_OK(FullLogin(CurrentCode()));
  t_.clock.Advance(-std::chrono::seconds(20));
  ASSERT_OK(Password(kGoodPassword));
  for (int i = 0; i < 4; ++i) ExpectGenericRefusal(Password("wrong-password-123"));
  EXPECT_EQ(Status(), AgentStatus::kActive);
  ExpectGenericRefusal(Password("wrong-password-123"));
  EXPECT_EQ(Status(), AgentStatus::kLocked) << "its failures count too";
}

TEST_F(LoginTest, LockOutFiguresAreConfigurable) {
  t_.options.lockout_threshold = 2;
  t_.options.lockout_duration = std::chrono::minutes(1);
  ExpectGenericRefusal(Password("wrong-password-123"));
  ExpectGenericRefusal(Password("wrong-password-123"));
  EXPECT_EQ(Status(), AgentStatus::kLocked);
  t_.clock.Advance(std::chrono::minutes(1));
  EXPECT_OK(Password(kGoodPassword));
}

TEST_F(LoginTest, TheFailureThatLocksSaysWhomItLocked) {
  for (int i = 0; i < 4; ++i) {
    auto login = t_.Login();
    ExpectGenericRefusal(login.VerifyPassword("PN-1001", "wrong-password-123", kAddress));
    EXPECT_FALSE(login.locked_agent().has_value());
  }
  auto login = t_.Login();
  ExpectGenericRefusal(login.VerifyPassword("PN-1001", "wrong-password-123", kAddress));
  ASSERT_TRUE(login.locked_agent().has_value());
  EXPECT_EQ(*login.locked_agent(), t_.Directory().FindAgent("PN-1001")->id);
  // Refusals while locked lock nothing new.
  auto again = t_.Login();
  ExpectGenericRefusal(again.VerifyPassword("PN-1001", "wrong-password-123", kAddress));
  EXPECT_FALSE(again.locked_agent().has_value());
}

TEST_F(LoginTest, WrongTotpCodesCountTowardsLockOut) {
  std::string wrong = CurrentCode() == "000000" ? "111111" : "000000";
  for (int i = 0; i < 5; ++i) {
    auto challenge = Password(kGoodPassword);
    ASSERT_OK(challenge);
    ExpectGenericRefusal(t_.Login().VerifySecondFactor(Text(challenge->token), wrong, kAddress));
  }
  EXPECT_EQ(Status(), AgentStatus::kLocked);
  ExpectGenericRefusal(Password(kGoodPassword));
}

TEST_F(LoginTest, AdministratorCanLiftALock) {
  for (int i = 0; i < 5; ++i) ExpectGenericRefusal(Password("wrong-password-123"));
  ASSERT_EQ(Status(), AgentStatus::kLocked);
  EXPECT_EQ(t_.Directory().Reinstate("PN-1001")->status, AgentStatus::kActive);
  EXPECT_OK(FullLogin(CurrentCode()));
}

TEST_F(LoginTest, ACodeWorksOnce) {
  std::string code = CurrentCode();
  ASSERT_OK(FullLogin(code));
  ExpectGenericRefusal(FullLogin(code));
  t_.clock.Advance(std::chrono::seconds(30));
  ExpectGenericRefusal(FullLogin(CodeAt(t_.Now() - 30)));
  EXPECT_OK(FullLogin(CurrentCode()));
}

// A code never used, still inside the window but of a step before the last
// one accepted, is refused: whoever saw it cannot use it once the agent has
// logged in with a later one.
TEST_F(LoginTest, AnUnusedCodeOlderThanTheLastAcceptedIsRefused) {
  const int64_t now = t_.Now();
  ASSERT_OK(FullLogin(CodeAt(now + 30)));  // one step of drift ahead
  ExpectGenericRefusal(FullLogin(CodeAt(now)));
  ExpectGenericRefusal(FullLogin(CodeAt(now - 30)));
  const int64_t id = t_.Directory().FindAgent("PN-1001")->id;
  ExpectGenericRefusal(t_.Login().VerifyFreshSecondFactor(id, CodeAt(now), kAddress));
}

TEST_F(LoginTest, AcceptsOneStepOfDriftButNotTwo) {
  int64_t now = t_.Now();
  EXPECT_OK(FullLogin(CodeAt(now - 30)));
  t_.clock.Advance(std::chrono::seconds(60));
  now = t_.Now();
  EXPECT_OK(FullLogin(CodeAt(now + 30)));
  t_.clock.Advance(std::chrono::seconds(120));
  now = t_.Now();
  ExpectGenericRefusal(FullLogin(CodeAt(now + 60)));
  ExpectGenericRefusal(FullLogin(CodeAt(now - 60)));
  EXPECT_OK(FullLogin(CodeAt(now)));
}

TEST_F(LoginTest, LastStepIsPersisted) {
  ASSERT_OK(FullLogin(CurrentCode()));
  auto row = t_.db->Prepare("SELECT totp_last_step FROM agent WHERE service_number = 'PN-1001'");
  ASSERT_TRUE(*(*row)->Step());
  EXPECT_EQ((*row)->ColumnInt(0), crypto::TotpStep(t_.Now()));
  ASSERT_OK((*row)->Run());
}

TEST_F(LoginTest, ChallengeExpiresAndHasLimitedAttempts) {
  auto challenge = Password(kGoodPassword);
  ASSERT_OK(challenge);
  EXPECT_NE(t_.Login().LiveChallengeAgent(Text(challenge->token)).value_or(std::nullopt),
            std::nullopt);
  EXPECT_EQ(t_.Login().LiveChallengeAgent("not-a-challenge").value_or(0), std::nullopt);
  t_.clock.Advance(std::chrono::minutes(5));
  EXPECT_EQ(t_.Login().LiveChallengeAgent(Text(challenge->token)).value_or(0), std::nullopt)
      << "expired";
  ExpectGenericRefusal(
      t_.Login().VerifySecondFactor(Text(challenge->token), CurrentCode(), kAddress));

  challenge = Password(kGoodPassword);
  ASSERT_OK(challenge);
  std::string wrong = CurrentCode() == "000000" ? "111111" : "000000";
  for (int i = 0; i < 3; ++i) {
    ExpectGenericRefusal(t_.Login().VerifySecondFactor(Text(challenge->token), wrong, kAddress));
  }
  // Spent after three wrong codes: even the right one fails now.
  EXPECT_EQ(t_.Login().LiveChallengeAgent(Text(challenge->token)).value_or(0), std::nullopt)
      << "spent";
  ExpectGenericRefusal(
      t_.Login().VerifySecondFactor(Text(challenge->token), CurrentCode(), kAddress));
}

TEST_F(LoginTest, SuspensionBetweenStepsStopsTheLogin) {
  auto challenge = Password(kGoodPassword);
  ASSERT_OK(challenge);
  ASSERT_OK(t_.Directory().Suspend("PN-1001"));
  ExpectGenericRefusal(
      t_.Login().VerifySecondFactor(Text(challenge->token), CurrentCode(), kAddress));
}

TEST_F(LoginTest, ChallengeTokenIsStoredOnlyAsAHash) {
  auto challenge = Password(kGoodPassword);
  ASSERT_OK(challenge);
  auto row = t_.db->Prepare("SELECT token_hash FROM login_challenge");
  ASSERT_TRUE(*(*row)->Step());
  auto stored = (*row)->ColumnBlob(0);
  EXPECT_EQ(stored.size(), 32u);
  EXPECT_EQ(crypto::AsText(stored).find(Text(challenge->token)), std::string_view::npos);
  ASSERT_OK((*row)->Run());
}

TEST_F(LoginTest, HashIsUpgradedWhenParametersChange) {
  auto read_hash = [&] {
    auto row = t_.db->Prepare("SELECT password_hash FROM agent WHERE service_number='PN-1001'");
    EXPECT_TRUE(*(*row)->Step());
    std::string phc((*row)->ColumnText(0));
    EXPECT_OK((*row)->Run());
    return phc;
  };
  std::string before = read_hash();
  EXPECT_TRUE(before.starts_with("$argon2id$v=19$m=8,t=1,p=1$"));
  // Same parameters: no re-hash.
  ASSERT_OK(Password(kGoodPassword));
  EXPECT_EQ(read_hash(), before);

  t_.options.argon2 = {.t_cost = 2, .m_cost_kib = 16};
  ASSERT_OK(Password(kGoodPassword));
  std::string after = read_hash();
  EXPECT_TRUE(after.starts_with("$argon2id$v=19$m=16,t=2,p=1$")) << after;
  EXPECT_FALSE(crypto::NeedsRehash(after, t_.options.argon2));
  EXPECT_TRUE(*crypto::VerifyPassword(after, kGoodPassword));
  // A wrong password does not re-hash anything.
  t_.options.argon2 = {.t_cost = 3, .m_cost_kib = 16};
  ExpectGenericRefusal(Password("wrong-password-123"));
  EXPECT_EQ(read_hash(), after);
  ASSERT_OK(FullLogin(CurrentCode()));
}

// Two logins of one agent right after the parameters were raised: the one
// that commits first upgrades the hash; the other, checked against the old
// hash, is still taken (its password matches the new one); against a hash
// of another password it is refused.
TEST_F(LoginTest, ALoginRacingAnotherThatUpgradesTheHashIsStillTaken) {
  t_.options.argon2 = {.t_cost = 2, .m_cost_kib = 16};
  BurstHasher hasher;
  Authenticator login(*t_.db, t_.clock, *t_.totp_key, hasher, t_.options);
  hasher.meanwhile = [&] { ASSERT_OK(login.VerifyPassword("PN-1001", kGoodPassword, kAddress)); };
  ASSERT_OK(login.VerifyPassword("PN-1001", kGoodPassword, kAddress));
  EXPECT_FALSE(crypto::NeedsRehash(StoredPasswordHash(), t_.options.argon2));

  // A hash of another password set meanwhile: the old password is refused.
  hasher.meanwhile = [&] {
    auto other = crypto::HashPassword("another-long-password", t_.options.argon2);
    ASSERT_OK(other);
    auto update = t_.db->Prepare("UPDATE agent SET password_hash = $1 WHERE service_number = $2");
    ASSERT_OK(update);
    (*update)->BindText(1, *other).BindText(2, "PN-1001");
    ASSERT_OK((*update)->Run());
  };
  ExpectGenericRefusal(login.VerifyPassword("PN-1001", kGoodPassword, kAddress));
  EXPECT_TRUE(*crypto::VerifyPassword(StoredPasswordHash(), "another-long-password"));
}

// Runs `meanwhile` at its first check against `real_hash`; full
// (ResourceExhausted) from its second reservation on.
class FullOnSecondCheckHasher final : public PasswordHasher {
 public:
  Result<std::string> Hash(std::string_view password, const crypto::Argon2Params& p) override {
    return inner.Hash(password, p);
  }
  Result<bool> Verify(std::string_view phc, std::string_view password) override {
    if (phc == real_hash) {
      if (auto run = std::exchange(meanwhile, nullptr)) run();
    }
    return inner.Verify(phc, password);
  }
  Result<Room> Reserve() override {
    if (++reservations > 1) return Fail(ErrorCode::kResourceExhausted, "the hasher is full");
    return PasswordHasher::Reserve();
  }
  InlinePasswordHasher inner;
  std::string real_hash;
  std::function<void()> meanwhile;
  int reservations = 0;
};

// The same race, the hasher full when the password is checked against the
// upgraded hash: the refusal is ours, and the right password's failure
// (counted before its check) is taken back, not left against the agent.
TEST_F(LoginTest, ARightPasswordTheHasherCannotCheckAgainIsNotLeftCountedAsAFailure) {
  t_.options.argon2 = {.t_cost = 2, .m_cost_kib = 16};
  FullOnSecondCheckHasher hasher;
  hasher.real_hash = StoredPasswordHash();
  Authenticator login(*t_.db, t_.clock, *t_.totp_key, hasher, t_.options);
  hasher.meanwhile = [&] {
    ASSERT_OK(t_.Login().VerifyPassword("PN-1001", kGoodPassword, kAddress));
  };
  EXPECT_THAT(login.VerifyPassword("PN-1001", kGoodPassword, kAddress),
              ErrorCodeIs(ErrorCode::kResourceExhausted));
  EXPECT_FALSE(crypto::NeedsRehash(StoredPasswordHash(), t_.options.argon2)) << "the race happened";
  EXPECT_EQ(FailuresWritten(), 0);
  EXPECT_EQ(Status(), AgentStatus::kActive);
  EXPECT_FALSE(login.locked_agent().has_value());
}

// Verifies as InlinePasswordHasher does, taking longer for costlier
// parameters (as Argon2id does): 5 ms at t=1, 80 ms at t=3; a password too
// long to hash is refused at once.
class ParameterPacedHasher final : public PasswordHasher {
 public:
  Result<std::string> Hash(std::string_view password, const crypto::Argon2Params& p) override {
    return inner.Hash(password, p);
  }
  Result<bool> Verify(std::string_view phc, std::string_view password) override {
    ++verifies;
    if (password.size() <= crypto::kMaxPasswordBytes) {
      std::this_thread::sleep_for(
          std::chrono::milliseconds(phc.find(",t=3,") != std::string_view::npos ? 80 : 5));
    }
    return inner.Verify(phc, password);
  }
  // Waits `queue_wait` for a worker first, as a pool's caller behind others.
  Result<bool> VerifyInRoom(Room& room, std::string_view phc, std::string_view password,
                            std::chrono::nanoseconds* hashing = nullptr) override {
    std::this_thread::sleep_for(queue_wait);
    return PasswordHasher::VerifyInRoom(room, phc, password, hashing);
  }
  InlinePasswordHasher inner;
  int verifies = 0;
  std::chrono::milliseconds queue_wait{0};
};

// Login with a ParameterPacedHasher, timing its refusals.
class PacedLoginTest : public LoginTest {
 protected:
  std::chrono::steady_clock::duration TimedRefusal(std::string_view service_number) {
    Authenticator login(*t_.db, t_.clock, *t_.totp_key, paced, t_.options);
    const auto started = std::chrono::steady_clock::now();
    ExpectGenericRefusal(login.VerifyPassword(service_number, "wrong-password-123", kAddress));
    return std::chrono::steady_clock::now() - started;
  }
  ParameterPacedHasher paced;
};

// After the parameters are raised, an agent who has not logged in since
// holds a cheaper hash: their wrong password is refused no sooner than an
// unknown service number is (which is verified against a dummy hash made
// under the current parameters).
TEST_F(PacedLoginTest, ARefusalAgainstAnOlderCheaperHashLastsAsLongAsACurrentOne) {
  t_.options.argon2 = {.t_cost = 3, .m_cost_kib = 16};
  const auto unknown = TimedRefusal("PN-404");
  EXPECT_GE(unknown, std::chrono::milliseconds(80));
  paced.verifies = 0;
  const auto older_hash = TimedRefusal("PN-1001");  // hashed at t=1 when it was activated
  EXPECT_GE(older_hash, std::chrono::milliseconds(75));
  EXPECT_EQ(paced.verifies, 1) << "waited out, not hashed twice";
}

// A password too long to hash is refused at once, whoever it is for: its
// few microseconds do not become the time the next refusal against a
// cheaper hash is padded to, nor is it padded itself for such an agent.
TEST_F(PacedLoginTest, AnOverlongPasswordIsRefusedAtOnceAndPadsNothingLater) {
  t_.options.argon2 = {.t_cost = 3, .m_cost_kib = 16};
  EXPECT_GE(TimedRefusal("PN-404"), std::chrono::milliseconds(80));
  const std::string overlong(crypto::kMaxPasswordBytes + 1, 'x');
  const auto overlong_refusal = [&](std::string_view service_number) {
    Authenticator login(*t_.db, t_.clock, *t_.totp_key, paced, t_.options);
    const auto started = std::chrono::steady_clock::now();
    ExpectGenericRefusal(login.VerifyPassword(service_number, overlong, kAddress));
    return std::chrono::steady_clock::now() - started;
  };
  (void)overlong_refusal("PN-404");
  EXPECT_GE(TimedRefusal("PN-1001"), std::chrono::milliseconds(75));  // its hash: t=1
  // Not held to the 80 ms an unknown service number's takes.
  EXPECT_LT(overlong_refusal("PN-1001"), std::chrono::milliseconds(60));
}

// Refusals against a cheaper hash are padded to the dummy's hashing time,
// not to how long it waited for a worker: a burst of unknown service
// numbers that made the dummy wait must not stretch the next refusal of a
// dormant agent, which an idle hasher answers as fast as an unknown's.
TEST_F(PacedLoginTest, ARefusalIsPaddedToHashingTimeNotToAWaitForAWorker) {
  t_.options.argon2 = {.t_cost = 3, .m_cost_kib = 24};  // a dummy of its own
  paced.queue_wait = std::chrono::milliseconds(1000);
  EXPECT_GE(TimedRefusal("PN-404"), std::chrono::milliseconds(1080));
  paced.queue_wait = std::chrono::milliseconds(0);
  const auto dormant = TimedRefusal("PN-1001");  // its hash: t=1
  EXPECT_GE(dormant, std::chrono::milliseconds(75));
  EXPECT_LT(dormant, std::chrono::milliseconds(600)) << "padded to the dummy's wait";
}

// After the parameters are lowered, an agent who has not logged in since
// holds a costlier hash. Refusals are priced at it: an unknown service
// number, and an agent with a current hash, are refused no sooner than that
// dormant agent is.
TEST_F(PacedLoginTest, AfterTheParametersAreLoweredEveryRefusalCostsTheCostliestStoredHash) {
  t_.options.argon2 = {.t_cost = 3, .m_cost_kib = 16};
  t_.AddActiveAgent("PN-2002");  // activated before the parameters were lowered
  t_.options.argon2 = {.t_cost = 1, .m_cost_kib = 8};
  auto refusal = CostliestPasswordParams(*t_.db, t_.options.argon2, kCeiling);
  ASSERT_OK(refusal);
  EXPECT_EQ(refusal->params.t_cost, 3u);
  EXPECT_EQ(refusal->params.m_cost_kib, 16u);
  EXPECT_TRUE(refusal->beyond_ceiling.empty());
  t_.options.refusal_argon2 = refusal->params;

  EXPECT_GE(TimedRefusal("PN-2002"), std::chrono::milliseconds(80));
  EXPECT_GE(TimedRefusal("PN-404"), std::chrono::milliseconds(80));
  paced.verifies = 0;
  EXPECT_GE(TimedRefusal("PN-1001"), std::chrono::milliseconds(75));  // its hash: t=1
  EXPECT_EQ(paced.verifies, 1) << "waited out, not hashed twice";
}

// The seed from the enrolment, fed to the independent oathtool, gives codes
// Vigie accepts.
TEST(LoginOathtoolTest, CodesFromOathtoolAreAccepted) {
  if (std::system("command -v oathtool >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "oathtool is not installed";
  }
  IdentityDb t;
  AgentWithCode added = t.AddAgent();
  auto activated = t.Activator().Activate(Text(added.activation.code), kGoodPassword);
  ASSERT_OK(activated);
  std::string secret(activated->enrolment.secret_base32());
  for (int i = 0; i < 3; ++i) {
    t.clock.Advance(std::chrono::seconds(30));
    std::time_t now = static_cast<std::time_t>(t.Now());
    std::tm utc{};
    gmtime_r(&now, &utc);
    char when[64];
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &utc);
    std::string command = "oathtool --totp -b " + secret + " --now '" + when + "'";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    ASSERT_TRUE(pipe);
    std::array<char, 32> out{};
    ASSERT_TRUE(fgets(out.data(), out.size(), pipe.get()));
    std::string code(out.data());
    while (!code.empty() && (code.back() == '\n' || code.back() == '\r')) code.pop_back();
    ASSERT_EQ(code.size(), 6u) << code;
    auto challenge = t.Login().VerifyPassword("PN-1001", kGoodPassword, kAddress);
    ASSERT_OK(challenge);
    auto agent = t.Login().VerifySecondFactor(Text(challenge->token), code, kAddress);
    EXPECT_TRUE(agent.has_value()) << "oathtool code " << code << " at " << when;
  }
}

}  // namespace
}  // namespace vigie::identity
