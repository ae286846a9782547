#include "identity/activation.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "identity/internal/identity_testing.h"

namespace vigie::identity {
namespace {

using testing::IdentityDb;
using testing::kGoodPassword;
using ::vigie::testing::ErrorCodeIs;

std::string Text(const crypto::SecretBytes& s) { return std::string(crypto::AsText(s.view())); }

// Everything a thief of the database gets (store/test_database.h).
std::string DatabaseBytes(const IdentityDb& t) { return t.database.StolenCopy(); }

AgentStatus StatusOf(IdentityDb& t, std::string_view service_number) {
  return t.Directory().FindAgent(service_number)->status;
}

TEST(ActivationTest, AFailureBeforeCommitChangesNothingAndTheCodeStillWorks) {
  IdentityDb t;
  AgentWithCode added = t.AddAgent();
  int64_t seen_agent = 0;
  auto refused = t.Activator().Activate(Text(added.activation.code), kGoodPassword,
                                        [&](const Agent& agent) -> Result<void> {
                                          seen_agent = agent.id;
                                          EXPECT_EQ(agent.status, AgentStatus::kActive);
                                          return Fail(ErrorCode::kUnavailable, "audit log full");
                                        });
  EXPECT_THAT(refused, ErrorCodeIs(ErrorCode::kUnavailable));
  EXPECT_EQ(seen_agent, added.agent.id);
  EXPECT_EQ(StatusOf(t, "PN-1001"), AgentStatus::kPendingActivation);
  EXPECT_OK(t.Activator().Activate(Text(added.activation.code), kGoodPassword));
  EXPECT_EQ(StatusOf(t, "PN-1001"), AgentStatus::kActive);
}

// The caller's bars (a containment, a lock-down) refuse before the password
// is checked or hashed: a code's holder learns nothing from the password's
// rules, and the code stays unspent.
TEST(ActivationTest, ARefusalOnAdmissionComesBeforeThePasswordAndSpendsNothing) {
  IdentityDb t;
  AgentWithCode added = t.AddAgent();
  int64_t asked_for = 0;
  auto barred = [&](const Agent& agent) -> Result<void> {
    asked_for = agent.id;
    EXPECT_EQ(agent.status, AgentStatus::kPendingActivation);
    return Fail(ErrorCode::kUnauthenticated, "agent is contained");
  };
  const std::string code = Text(added.activation.code);
  EXPECT_THAT(t.Activator().Activate(code, "short", {}, barred),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_EQ(asked_for, added.agent.id);
  EXPECT_THAT(t.Activator().Activate(code, "short"), ErrorCodeIs(ErrorCode::kInvalidArgument))
      << "the same password, unbarred: refused by the policy";
  EXPECT_EQ(StatusOf(t, "PN-1001"), AgentStatus::kPendingActivation);
  EXPECT_OK(t.Activator().Activate(code, kGoodPassword, {},
                                   [](const Agent&) -> Result<void> { return {}; }));
  EXPECT_EQ(StatusOf(t, "PN-1001"), AgentStatus::kActive);
}

TEST(ActivationTest, ActivatesWithPasswordAndTotp) {
  IdentityDb t;
  AgentWithCode added = t.AddAgent();
  auto activated = t.Activator().Activate(Text(added.activation.code), kGoodPassword);
  ASSERT_OK(activated);
  EXPECT_EQ(activated->agent.status, AgentStatus::kActive);
  EXPECT_TRUE(activated->agent.totp_enrolled);
  std::string_view uri = activated->enrolment.otpauth_uri();
  EXPECT_TRUE(uri.starts_with("otpauth://totp/Vigie:PN-1001?secret=")) << uri;
  EXPECT_TRUE(uri.ends_with("&issuer=Vigie&algorithm=SHA1&digits=6&period=30")) << uri;
  auto seed = crypto::Base32Decode(activated->enrolment.secret_base32());
  ASSERT_OK(seed);
  EXPECT_EQ(seed->size(), 20u);
  EXPECT_TRUE(activated->enrolment.qr_svg().starts_with("<svg"));

  auto row = t.db->Prepare("SELECT password_hash, totp_key_id FROM agent");
  ASSERT_TRUE(*(*row)->Step());
  std::string phc((*row)->ColumnText(0));
  EXPECT_TRUE(phc.starts_with("$argon2id$v=19$m=8,t=1,p=1$")) << phc;
  EXPECT_EQ((*row)->ColumnInt(1), t.totp_key->id);
  ASSERT_OK((*row)->Run());
  EXPECT_TRUE(*crypto::VerifyPassword(phc, kGoodPassword));
}

TEST(ActivationTest, SecretsAreNotStoredInClear) {
  IdentityDb t;
  AgentWithCode added = t.AddAgent();
  std::string code = Text(added.activation.code);
  std::string canonical = Text(*CanonicalActivationCode(code));
  auto activated = t.Activator().Activate(code, kGoodPassword);
  ASSERT_OK(activated);
  std::string seed_base32(activated->enrolment.secret_base32());
  std::vector<uint8_t> seed = *crypto::Base32Decode(seed_base32);

  std::string bytes = DatabaseBytes(t);
  ASSERT_GT(bytes.size(), 4096u);
  EXPECT_EQ(bytes.find(std::string(seed.begin(), seed.end())), std::string::npos);
  EXPECT_EQ(bytes.find(crypto::HexEncode(seed)), std::string::npos);
  EXPECT_EQ(bytes.find(seed_base32), std::string::npos);
  EXPECT_EQ(bytes.find(code), std::string::npos);
  EXPECT_EQ(bytes.find(canonical), std::string::npos);
  EXPECT_EQ(bytes.find(kGoodPassword), std::string::npos);
  // What is stored is the code's digest (raw in SQLite's file, in hex in a
  // PostgreSQL dump): the searches above would have seen the secrets.
  auto digest = HashActivationCode(*CanonicalActivationCode(code));
  EXPECT_TRUE(bytes.find(std::string(digest.begin(), digest.end())) != std::string::npos ||
              bytes.find(crypto::HexEncode(digest)) != std::string::npos);
}

TEST(ActivationTest, SealedSeedIsBoundToItsAgent) {
  IdentityDb t;
  t.AddActiveAgent("PN-1");
  t.AddActiveAgent("PN-2");
  // Copy agent 1's sealed seed onto agent 2: it must no longer open.
  ASSERT_OK(t.db->ExecuteScript(
      "UPDATE agent SET totp_sealed = (SELECT totp_sealed FROM agent WHERE service_number = "
      "'PN-1') WHERE service_number = 'PN-2'"));
  Authenticator login = t.Login();
  auto challenge = login.VerifyPassword("PN-2", kGoodPassword, "192.0.2.1");
  ASSERT_OK(challenge);
  EXPECT_THAT(login.VerifySecondFactor(Text(challenge->token), "123456", "192.0.2.1"),
              ErrorCodeIs(ErrorCode::kDataLoss));
}

TEST(ActivationTest, CodeIsSingleUse) {
  IdentityDb t;
  AgentWithCode added = t.AddAgent();
  ASSERT_OK(t.Activator().Activate(Text(added.activation.code), kGoodPassword));
  auto again = t.Activator().Activate(Text(added.activation.code), "second-Lantern-58-Orbit");
  ASSERT_THAT(again, ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_NE(again.error().message().find("already used"), std::string::npos);
  // The password set by the first activation still stands.
  auto row = t.db->Prepare("SELECT password_hash FROM agent");
  ASSERT_TRUE(*(*row)->Step());
  EXPECT_TRUE(*crypto::VerifyPassword((*row)->ColumnText(0), kGoodPassword));
  ASSERT_OK((*row)->Run());
}

TEST(ActivationTest, CodeExpiresAfter72Hours) {
  IdentityDb t;
  AgentWithCode added = t.AddAgent();
  t.clock.Advance(std::chrono::hours(72));
  auto expired = t.Activator().Activate(Text(added.activation.code), kGoodPassword);
  ASSERT_THAT(expired, ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_NE(expired.error().message().find("expired"), std::string::npos);
  EXPECT_EQ(StatusOf(t, "PN-1001"), AgentStatus::kPendingActivation);
}

TEST(ActivationTest, CodeIsValidJustBeforeExpiryAndLifetimeIsConfigurable) {
  IdentityDb t;
  t.options.activation_code_lifetime = std::chrono::hours(1);
  AgentWithCode added = t.AddAgent();
  t.clock.Advance(std::chrono::minutes(59));
  EXPECT_OK(t.Activator().Activate(Text(added.activation.code), kGoodPassword));
}

TEST(ActivationTest, MalformedAndUnknownCodesAreRefused) {
  IdentityDb t;
  AgentWithCode added = t.AddAgent();
  EXPECT_THAT(t.Activator().Activate("not-a-code", kGoodPassword),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(t.Activator().Activate("", kGoodPassword), ErrorCodeIs(ErrorCode::kInvalidArgument));
  std::string other = Text(GenerateActivationCode());
  auto unknown = t.Activator().Activate(other, kGoodPassword);
  ASSERT_THAT(unknown, ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_EQ(StatusOf(t, "PN-1001"), AgentStatus::kPendingActivation);
}

TEST(ActivationTest, CodeIsAcceptedAsTypedByAHuman) {
  IdentityDb t;
  AgentWithCode added = t.AddAgent();
  std::string typed;
  for (char c : Text(added.activation.code)) {
    if (c == '-') {
      typed += ' ';
    } else if (c == '0') {
      typed += 'o';
    } else if (c == '1') {
      typed += 'l';
    } else {
      typed += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  EXPECT_OK(t.Activator().Activate(typed, kGoodPassword));
}

TEST(ActivationTest, WeakPasswordsAreRefusedWithoutSpendingTheCode) {
  IdentityDb t;
  AgentWithCode added = t.AddAgent();
  std::string code = Text(added.activation.code);
  struct Case {
    std::string_view password;
    std::string_view rule;
  };
  for (const Case& c :
       {Case{"short-pw", "at least 12"}, Case{"QwertyUIOP123", "commonly used"},
        Case{"lantern-PN1001-x", "service number"}, Case{"lantern-helene-57", "name"},
        Case{"lantern-MOREAU-57", "name"}, Case{"abcdefghijkl\xC3", "UTF-8"}}) {
    auto refused = t.Activator().Activate(code, c.password);
    ASSERT_THAT(refused, ErrorCodeIs(ErrorCode::kInvalidArgument)) << c.password;
    EXPECT_NE(refused.error().message().find(c.rule), std::string::npos)
        << refused.error().message();
  }
  EXPECT_EQ(StatusOf(t, "PN-1001"), AgentStatus::kPendingActivation);
  EXPECT_OK(t.Activator().Activate(code, kGoodPassword));
}

// Refused as an unknown code is: the code's holder is not told the
// account was suspended.
TEST(ActivationTest, OnlyPendingAgentsActivate) {
  IdentityDb t;
  AgentWithCode added = t.AddAgent();
  ASSERT_OK(t.Directory().Suspend("PN-1001"));
  EXPECT_THAT(t.Activator().Activate(Text(added.activation.code), kGoodPassword),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_EQ(StatusOf(t, "PN-1001"), AgentStatus::kSuspended);
}

TEST(ActivationTest, ResetRevokesTheOldCode) {
  IdentityDb t;
  AgentWithCode added = t.AddAgent();
  auto reset = t.Directory().Reset("PN-1001", AgentDirectory::OnSuspension::kKeep);
  ASSERT_OK(reset);
  EXPECT_THAT(t.Activator().Activate(Text(added.activation.code), kGoodPassword),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_OK(t.Activator().Activate(Text(reset->activation.code), kGoodPassword));
}

// Erased for a reactivation (an incident's release): the old code stops
// working and none is issued until an administrator's reset, whose code works.
TEST(ActivationTest, ErasedForReactivationNoCodeWorksUntilAnAdministratorsReset) {
  IdentityDb t;
  AgentWithCode added = t.AddAgent();
  auto erased = t.Directory().EraseForReactivation("PN-1001", AgentDirectory::OnSuspension::kKeep);
  ASSERT_OK(erased);
  EXPECT_EQ(erased->status, AgentStatus::kPendingActivation);
  EXPECT_THAT(t.Activator().Activate(Text(added.activation.code), kGoodPassword),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
  auto reset = t.Directory().Reset("PN-1001", AgentDirectory::OnSuspension::kKeep);
  ASSERT_OK(reset);
  EXPECT_OK(t.Activator().Activate(Text(reset->activation.code), kGoodPassword));
}

TEST(ActivationTest, DisabledAgentsCodeIsGone) {
  IdentityDb t;
  AgentWithCode added = t.AddAgent();
  ASSERT_OK(t.Directory().Disable("PN-1001", {}));
  EXPECT_THAT(t.Activator().Activate(Text(added.activation.code), kGoodPassword),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
}

}  // namespace
}  // namespace vigie::identity
