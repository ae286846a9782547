// Passkeys in the identity component: the registry (registration, listing,
// removal, erasure on reset) and the login's second step with a passkey.
// Browser answers come from webauthn's test-only software authenticator.

#include "identity/passkeys.h"

#include <gtest/gtest.h>

#include "crypto/hash.h"
#include "identity/internal/identity_testing.h"
#include "webauthn/testing/software_authenticator.h"

namespace vigie::identity {
namespace {

using testing::IdentityDb;
using testing::kGoodPassword;
using ::vigie::testing::ErrorCodeIs;
using webauthn::test::SoftwareAuthenticator;

constexpr std::string_view kAddress = "192.0.2.10";
constexpr std::string_view kOrigin = "https://vigie.example";
const webauthn::RelyingParty kRp{.id = "vigie.example", .origins = {std::string(kOrigin)}};
constexpr uint8_t kUpUvAt = 0x45;

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

class PasskeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    seed_ = t_.AddActiveAgent("PN-1001");
    agent_id_ = t_.Directory().FindAgent("PN-1001")->id;
  }
  PasskeyRegistry Registry() { return PasskeyRegistry(*t_.db, t_.clock); }

  // What the browser answers to `challenge`, from `authenticator`.
  NewPasskey Answer(const SoftwareAuthenticator& authenticator, std::span<const uint8_t> challenge,
                    const std::vector<uint8_t>& credential_id, uint8_t flags = kUpUvAt) {
    webauthn::test::AuthenticatorDataFields fields{.rp_id = kRp.id,
                                                   .flags = flags,
                                                   .credential_id = credential_id,
                                                   .public_key_cose = authenticator.CoseKey()};
    return NewPasskey{
        .client_data_json =
            Bytes(webauthn::test::ClientDataJson("webauthn.create", challenge, kOrigin)),
        .attestation_object = webauthn::test::EncodeAttestationObject(
            "none", webauthn::test::EncodeAuthenticatorData(fields)),
        .name = "bureau",
        .transports = {"internal", "usb", "carrier-pigeon", "usb"}};
  }

  Result<Passkey> Register(const SoftwareAuthenticator& authenticator,
                           const std::vector<uint8_t>& credential_id) {
    ASSIGN_OR_RETURN(std::vector<uint8_t> challenge, Registry().BeginRegistration(agent_id_));
    return Registry().FinishRegistration(agent_id_, kRp,
                                         Answer(authenticator, challenge, credential_id));
  }

  PasskeyAssertion Assert(const SoftwareAuthenticator& authenticator,
                          std::span<const uint8_t> challenge,
                          const std::vector<uint8_t>& credential_id, uint32_t counter) {
    const std::string client_data = webauthn::test::ClientDataJson("webauthn.get", challenge, kOrigin);
    const auto auth_data = webauthn::test::EncodeAuthenticatorData(
        {.rp_id = kRp.id, .flags = 0x05, .sign_count = counter});
    return PasskeyAssertion{.credential_id = credential_id,
                            .client_data_json = Bytes(client_data),
                            .authenticator_data = auth_data,
                            .signature = authenticator.Sign(auth_data, client_data)};
  }

  std::string PasswordStep() {
    auto challenge = t_.Login().VerifyPassword("PN-1001", kGoodPassword, kAddress);
    EXPECT_TRUE(challenge.has_value());
    return std::string(crypto::AsText(challenge->token.view()));
  }

  IdentityDb t_;
  std::vector<uint8_t> seed_;  // PN-1001's TOTP seed
  int64_t agent_id_ = 0;
  const std::vector<uint8_t> credential_ = std::vector<uint8_t>(24, 0x42);
};

TEST_F(PasskeysTest, RegistersListsAndRemoves) {
  SoftwareAuthenticator authenticator(SoftwareAuthenticator::Algorithm::kEs256);
  auto registered = Register(authenticator, credential_);
  ASSERT_TRUE(registered.has_value()) << registered.error().ToString();
  EXPECT_EQ(registered->name, "bureau");
  EXPECT_EQ(registered->algorithm, webauthn::kCoseEs256);
  EXPECT_EQ(registered->transports, (std::vector<std::string>{"internal", "usb"}));
  auto listed = Registry().List(agent_id_);
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].credential_id, credential_);
  EXPECT_EQ((*listed)[0].transports, registered->transports);

  EXPECT_THAT(Registry().Remove(agent_id_ + 1, registered->id), ErrorCodeIs(ErrorCode::kNotFound));
  EXPECT_TRUE(Registry().Remove(agent_id_, registered->id).has_value());
  EXPECT_TRUE(Registry().List(agent_id_)->empty());
}

TEST_F(PasskeysTest, AChallengeServesOneAnswerAndExpires) {
  SoftwareAuthenticator authenticator(SoftwareAuthenticator::Algorithm::kEdDsa);
  auto challenge = Registry().BeginRegistration(agent_id_);
  ASSERT_TRUE(challenge.has_value());
  EXPECT_EQ(challenge->size(), 32u);
  // A bad answer (no user verification) spends it...
  auto refused = Registry().FinishRegistration(
      agent_id_, kRp, Answer(authenticator, *challenge, credential_, /*flags=UP|AT*/ 0x41));
  EXPECT_THAT(refused, ErrorCodeIs(ErrorCode::kInvalidArgument));
  // ... so the good one that follows finds none.
  auto late = Registry().FinishRegistration(agent_id_, kRp, Answer(authenticator, *challenge, credential_));
  EXPECT_THAT(late, ErrorCodeIs(ErrorCode::kConflict));

  auto fresh = Registry().BeginRegistration(agent_id_);
  t_.clock.Advance(std::chrono::seconds(kPasskeyChallengeSeconds + 1));
  auto expired = Registry().FinishRegistration(agent_id_, kRp, Answer(authenticator, *fresh, credential_));
  EXPECT_THAT(expired, ErrorCodeIs(ErrorCode::kConflict));
  EXPECT_TRUE(Registry().List(agent_id_)->empty());
}

TEST_F(PasskeysTest, ACredentialIsRegisteredOnceAndAnAgentHasAtMostTen) {
  SoftwareAuthenticator authenticator(SoftwareAuthenticator::Algorithm::kEs256);
  ASSERT_TRUE(Register(authenticator, credential_).has_value());
  EXPECT_THAT(Register(authenticator, credential_), ErrorCodeIs(ErrorCode::kConflict));
  for (uint8_t i = 1; i < kMaxPasskeysPerAgent; ++i) {
    ASSERT_TRUE(Register(authenticator, std::vector<uint8_t>(16, i)).has_value());
  }
  EXPECT_THAT(Registry().BeginRegistration(agent_id_), ErrorCodeIs(ErrorCode::kConflict));
}

TEST_F(PasskeysTest, NamesAreCheckedAndDefaulted) {
  SoftwareAuthenticator authenticator(SoftwareAuthenticator::Algorithm::kEs256);
  auto challenge = Registry().BeginRegistration(agent_id_);
  NewPasskey answer = Answer(authenticator, *challenge, credential_);
  answer.name = "bad\x01name";
  EXPECT_THAT(Registry().FinishRegistration(agent_id_, kRp, answer),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  answer.name = std::string(65, 'x');
  EXPECT_THAT(Registry().FinishRegistration(agent_id_, kRp, answer),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  answer.name = "  ";
  auto defaulted = Registry().FinishRegistration(agent_id_, kRp, answer);
  ASSERT_TRUE(defaulted.has_value()) << defaulted.error().ToString();
  EXPECT_EQ(defaulted->name, "passkey");
}

TEST_F(PasskeysTest, LoginWithAPasskeyRecordsItsUseAndSpendsTheChallenge) {
  SoftwareAuthenticator authenticator(SoftwareAuthenticator::Algorithm::kEs256);
  ASSERT_TRUE(Register(authenticator, credential_).has_value());
  const std::string token = PasswordStep();
  auto options = t_.Login().PasskeyOptions(token);
  ASSERT_TRUE(options.has_value()) << options.error().ToString();
  EXPECT_EQ(options->challenge, Authenticator::PasskeyChallengeFor(token));
  ASSERT_EQ(options->passkeys.size(), 1u);

  auto agent = t_.Login().VerifyPasskey(token, Assert(authenticator, options->challenge, credential_, 7),
                                        kRp, kAddress);
  ASSERT_TRUE(agent.has_value()) << agent.error().ToString();
  EXPECT_EQ(agent->id, agent_id_);
  auto used = Registry().List(agent_id_);
  EXPECT_TRUE((*used)[0].last_used_at.has_value());
  // Spent: the same answer again is refused.
  EXPECT_THAT(t_.Login().VerifyPasskey(token, Assert(authenticator, options->challenge, credential_, 8),
                                       kRp, kAddress),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
}

TEST_F(PasskeysTest, ACounterThatGoesBackIsRefusedAndCounted) {
  SoftwareAuthenticator authenticator(SoftwareAuthenticator::Algorithm::kEs256);
  ASSERT_TRUE(Register(authenticator, credential_).has_value());
  std::string token = PasswordStep();
  ASSERT_TRUE(t_.Login()
                  .VerifyPasskey(token, Assert(authenticator, Authenticator::PasskeyChallengeFor(token),
                                               credential_, 10),
                                 kRp, kAddress)
                  .has_value());
  // A copy of the authenticator, behind the original.
  for (int i = 0; i < 4; ++i) {
    token = PasswordStep();
    auto cloned = t_.Login().VerifyPasskey(
        token, Assert(authenticator, Authenticator::PasskeyChallengeFor(token), credential_, 10),
        kRp, kAddress);
    ASSERT_THAT(cloned, ErrorCodeIs(ErrorCode::kUnauthenticated));
    EXPECT_EQ(cloned.error().message(), kLoginFailed);
  }
  token = PasswordStep();
  Authenticator last = t_.Login();
  auto fifth = last.VerifyPasskey(token, Assert(authenticator, Authenticator::PasskeyChallengeFor(token),
                                                credential_, 9),
                                  kRp, kAddress);
  EXPECT_THAT(fifth, ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_EQ(last.locked_agent(), agent_id_) << "passkey failures count towards lock-out";
}

TEST_F(PasskeysTest, OnlyTheAgentsOwnPasskeysAnswerItsLogin) {
  SoftwareAuthenticator mine(SoftwareAuthenticator::Algorithm::kEs256);
  ASSERT_TRUE(Register(mine, credential_).has_value());
  // Another agent's passkey, genuinely signed, does not open this login.
  t_.AddActiveAgent("PN-2002");
  const int64_t other = t_.Directory().FindAgent("PN-2002")->id;
  SoftwareAuthenticator theirs(SoftwareAuthenticator::Algorithm::kEs256);
  const std::vector<uint8_t> their_credential(24, 0x77);
  auto challenge = Registry().BeginRegistration(other);
  ASSERT_TRUE(Registry().FinishRegistration(other, kRp, Answer(theirs, *challenge, their_credential)));
  const std::string token = PasswordStep();
  EXPECT_THAT(t_.Login().VerifyPasskey(
                  token, Assert(theirs, Authenticator::PasskeyChallengeFor(token), their_credential, 1),
                  kRp, kAddress),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
}

// A stored key gone bad (a broken migration, a damaged row) is the server's
// fault: refused, not counted against the agent; each try counts against
// the login's challenge only, whose TOTP step still works while tries remain.
TEST_F(PasskeysTest, AStoredKeyGoneBadIsNotTheAgentsFailure) {
  SoftwareAuthenticator authenticator(SoftwareAuthenticator::Algorithm::kEs256);
  ASSERT_TRUE(Register(authenticator, credential_).has_value());
  auto damage = t_.db->Prepare("UPDATE passkey SET public_key = $1");
  ASSERT_TRUE(damage.has_value());
  const std::vector<uint8_t> garbage{0xa1, 0x01};
  (*damage)->BindBlob(1, garbage);
  ASSERT_TRUE((*damage)->Run().has_value());
  auto unusable_answers = [&](const std::string& token, int tries) {
    for (int i = 0; i < tries; ++i) {
      auto refused = t_.Login().VerifyPasskey(
          token, Assert(authenticator, Authenticator::PasskeyChallengeFor(token), credential_, 1),
          kRp, kAddress);
      if (!refused && refused.error().code() != ErrorCode::kDataLoss) return i;
    }
    return tries;
  };
  EXPECT_EQ(unusable_answers(PasswordStep(), 5), 3);  // challenge_max_attempts, then spent
  EXPECT_EQ(t_.Directory().FindAgent("PN-1001")->status, AgentStatus::kActive);
  EXPECT_EQ(t_.FailuresWritten(), 0);
  const std::string token = PasswordStep();
  for (int i = 0; i < 2; ++i) {
    Authenticator login = t_.Login();
    auto refused = login.VerifyPasskey(
        token, Assert(authenticator, Authenticator::PasskeyChallengeFor(token), credential_, 1 + i),
        kRp, kAddress);
    ASSERT_THAT(refused, ErrorCodeIs(ErrorCode::kDataLoss));
    EXPECT_EQ(login.refused_agent(),
              std::optional<int64_t>(t_.Directory().FindAgent("PN-1001")->id));
    EXPECT_FALSE(login.locked_agent().has_value());
    EXPECT_NE(login.passkey_outcome().find("unusable"), std::string::npos);  // for the log
  }
  EXPECT_EQ(t_.Directory().FindAgent("PN-1001")->status, AgentStatus::kActive);
  EXPECT_EQ(t_.FailuresWritten(), 0);
  const std::string code = crypto::TotpCode(seed_, crypto::TotpStep(t_.Now()));
  EXPECT_TRUE(t_.Login().VerifySecondFactor(token, code, kAddress).has_value());
}

TEST_F(PasskeysTest, AnotherAgentCannotRegisterACredentialAlreadyRegistered) {
  SoftwareAuthenticator authenticator(SoftwareAuthenticator::Algorithm::kEs256);
  ASSERT_TRUE(Register(authenticator, credential_).has_value());
  t_.AddActiveAgent("PN-2002");
  const int64_t other = t_.Directory().FindAgent("PN-2002")->id;
  auto challenge = Registry().BeginRegistration(other);
  ASSERT_TRUE(challenge.has_value());
  EXPECT_THAT(
      Registry().FinishRegistration(other, kRp, Answer(authenticator, *challenge, credential_)),
      ErrorCodeIs(ErrorCode::kConflict));
  EXPECT_TRUE(Registry().List(other)->empty());
  EXPECT_EQ(Registry().List(agent_id_)->size(), 1u);
}

TEST_F(PasskeysTest, NoPasskeyNoOptions) {
  EXPECT_THAT(t_.Login().PasskeyOptions(PasswordStep()), ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_THAT(t_.Login().PasskeyOptions("not-a-challenge"), ErrorCodeIs(ErrorCode::kUnauthenticated));
  auto login = t_.Login().VerifyPassword("PN-1001", kGoodPassword, kAddress);
  EXPECT_FALSE(login->has_passkey);
}

TEST_F(PasskeysTest, AResetErasesThePasskeys) {
  SoftwareAuthenticator authenticator(SoftwareAuthenticator::Algorithm::kEdDsa);
  ASSERT_TRUE(Register(authenticator, credential_).has_value());
  EXPECT_TRUE(t_.Login().VerifyPassword("PN-1001", kGoodPassword, kAddress)->has_passkey);
  ASSERT_TRUE(t_.Directory().Reset("PN-1001", AgentDirectory::OnSuspension::kKeep).has_value());
  EXPECT_TRUE(Registry().List(agent_id_)->empty());
}

}  // namespace
}  // namespace vigie::identity
