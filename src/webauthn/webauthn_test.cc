#include "webauthn/webauthn.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "crypto/bytes.h"
#include "crypto/hash.h"
#include "webauthn/testing/software_authenticator.h"

namespace vigie::webauthn {
namespace {

using test::AuthenticatorDataFields;
using test::ClientDataJson;
using test::CoseEntry;
using test::EncodeAttestationObject;
using test::EncodeAuthenticatorData;
using test::EncodeCoseKey;
using test::Outcome;
using test::SoftwareAuthenticator;
using ::testing::HasSubstr;
using Algorithm = SoftwareAuthenticator::Algorithm;

constexpr std::string_view kRpId = "vigie.example";
constexpr std::string_view kOrigin = "https://vigie.example";
constexpr uint8_t kUp = 0x01, kUv = 0x04, kBe = 0x08, kBs = 0x10, kAt = 0x40, kEd = 0x80;

ByteView View(std::string_view text) { return crypto::AsBytes(text); }

class WebAuthnTest : public ::testing::TestWithParam<Algorithm> {
 protected:
  WebAuthnTest() : authenticator_(GetParam()) {}

  // Authenticator data for a registration; adjust and pass to Register().
  AuthenticatorDataFields Attested(uint8_t flags = kUp | kUv | kAt) const {
    AuthenticatorDataFields fields;
    fields.flags = flags;
    fields.sign_count = 7;
    fields.public_key_cose = authenticator_.CoseKey();
    return fields;
  }

  Result<RegisteredCredential> Register(const AuthenticatorDataFields& fields,
                                        std::string_view fmt = "none") const {
    return RegisterRaw(EncodeAttestationObject(fmt, EncodeAuthenticatorData(fields)));
  }

  Result<RegisteredCredential> RegisterRaw(const Bytes& attestation_object,
                                           const std::string& client_data = "") const {
    std::string json = client_data.empty()
                           ? ClientDataJson("webauthn.create", registration_challenge_, kOrigin)
                           : client_data;
    return VerifyRegistration(rp_, registration_challenge_, View(json), attestation_object);
  }

  // Authenticator data for an assertion.
  AuthenticatorDataFields Asserted(uint32_t sign_count, uint8_t flags = kUp | kUv) const {
    AuthenticatorDataFields fields;
    fields.flags = flags;
    fields.sign_count = sign_count;
    return fields;
  }

  // Signs `fields` the way the authenticator would and verifies the assertion.
  Result<VerifiedAssertion> Assert(const AuthenticatorDataFields& fields, uint32_t stored_count = 0,
                                   bool stored_be = false,
                                   const std::string& client_data = "") const {
    std::string json = client_data.empty()
                           ? ClientDataJson("webauthn.get", assertion_challenge_, kOrigin)
                           : client_data;
    Bytes auth_data = EncodeAuthenticatorData(fields);
    Bytes signature = authenticator_.Sign(auth_data, json);
    return AssertRaw(auth_data, json, signature, stored_count, stored_be);
  }

  Result<VerifiedAssertion> AssertRaw(const Bytes& auth_data, const std::string& json,
                                      const Bytes& signature, uint32_t stored_count = 0,
                                      bool stored_be = false) const {
    StoredCredential stored{cose_key_, stored_count, stored_be};
    return VerifyAssertion(rp_, assertion_challenge_, stored, View(json), auth_data, signature);
  }

  RelyingParty rp_{std::string(kRpId), {"https://other.example", std::string(kOrigin)}};
  Bytes registration_challenge_ = Bytes(32, 0x5a);
  Bytes assertion_challenge_ = Bytes(32, 0xa5);
  SoftwareAuthenticator authenticator_;
  Bytes cose_key_ = authenticator_.CoseKey();
};

INSTANTIATE_TEST_SUITE_P(Algorithms, WebAuthnTest,
                         ::testing::Values(Algorithm::kEs256, Algorithm::kEdDsa),
                         [](const auto& param_info) {
                           return param_info.param == Algorithm::kEs256 ? "Es256" : "EdDsa";
                         });

// ---- Registration ----

TEST_P(WebAuthnTest, RegistrationReturnsWhatToStore) {
  AuthenticatorDataFields fields = Attested(kUp | kUv | kAt | kBe | kBs);
  auto registered = Register(fields);
  ASSERT_TRUE(registered.has_value()) << Outcome(registered);
  EXPECT_EQ(registered->credential_id, fields.credential_id);
  EXPECT_EQ(registered->public_key_cose, cose_key_);
  EXPECT_EQ(registered->algorithm, GetParam() == Algorithm::kEs256 ? kCoseEs256 : kCoseEdDsa);
  EXPECT_EQ(registered->sign_count, 7u);
  EXPECT_TRUE(registered->backup_eligible);
  EXPECT_TRUE(registered->backup_state);
  EXPECT_EQ(registered->aaguid, fields.aaguid);

  auto not_backed_up = Register(Attested());
  ASSERT_TRUE(not_backed_up.has_value()) << Outcome(not_backed_up);
  EXPECT_FALSE(not_backed_up->backup_eligible);
  EXPECT_FALSE(not_backed_up->backup_state);
}

TEST_P(WebAuthnTest, RegistrationClientDataMustMatch) {
  Bytes attestation = EncodeAttestationObject("none", EncodeAuthenticatorData(Attested()));
  auto with = [&](const std::string& json) { return Outcome(RegisterRaw(attestation, json)); };
  const Bytes& challenge = registration_challenge_;
  EXPECT_EQ(with(ClientDataJson("webauthn.create", challenge, kOrigin)), "ok");
  EXPECT_THAT(with(ClientDataJson("webauthn.get", challenge, kOrigin)),
              HasSubstr("Unauthenticated: clientDataJSON: type is not webauthn.create"));
  EXPECT_THAT(with(ClientDataJson("webauthn.create", Bytes(32, 0x5b), kOrigin)),
              HasSubstr("Unauthenticated: clientDataJSON: challenge"));
  EXPECT_THAT(with(ClientDataJson("webauthn.create", Bytes(31, 0x5a), kOrigin)),
              HasSubstr("Unauthenticated: clientDataJSON: challenge"));
  EXPECT_THAT(with(ClientDataJson("webauthn.create", challenge, "https://evil.example")),
              HasSubstr("Unauthenticated: clientDataJSON: origin"));
  EXPECT_THAT(with(ClientDataJson("webauthn.create", challenge, "https://vigie.example/")),
              HasSubstr("Unauthenticated: clientDataJSON: origin"));
  EXPECT_THAT(with(ClientDataJson("webauthn.create", challenge, "http://vigie.example")),
              HasSubstr("Unauthenticated: clientDataJSON: origin"));
}

TEST_P(WebAuthnTest, ChallengeMustBeByteExactUnpaddedBase64Url) {
  Bytes attestation = EncodeAttestationObject("none", EncodeAuthenticatorData(Attested()));
  std::string encoded = crypto::Base64UrlEncode(registration_challenge_);  // 43 characters
  auto with_challenge = [&](const std::string& text) {
    std::string json = R"({"type":"webauthn.create","challenge":")" + text +
                       R"(","origin":"https://vigie.example"})";
    return Outcome(RegisterRaw(attestation, json));
  };
  EXPECT_EQ(with_challenge(encoded), "ok");  // crossOrigin absent is fine too
  EXPECT_THAT(with_challenge(encoded + "="), HasSubstr("challenge does not match"));
  EXPECT_THAT(with_challenge(crypto::Base64Encode(registration_challenge_)),
              HasSubstr("challenge does not match"));
  EXPECT_THAT(with_challenge(encoded + "A"), HasSubstr("challenge does not match"));
  EXPECT_THAT(with_challenge(""), HasSubstr("challenge does not match"));
}

TEST_P(WebAuthnTest, CrossOriginAndEmbeddedUseAreRefused) {
  Bytes attestation = EncodeAttestationObject("none", EncodeAuthenticatorData(Attested()));
  std::string base = R"({"type":"webauthn.create","challenge":")" +
                     crypto::Base64UrlEncode(registration_challenge_) +
                     R"(","origin":"https://vigie.example")";
  auto with = [&](std::string_view tail) {
    return Outcome(RegisterRaw(attestation, base + std::string(tail) + "}"));
  };
  EXPECT_EQ(with(R"(,"crossOrigin":false)"), "ok");
  EXPECT_THAT(with(R"(,"crossOrigin":true)"), HasSubstr("Unauthenticated: clientDataJSON: cross"));
  EXPECT_THAT(with(R"(,"crossOrigin":"false")"), HasSubstr("cross-origin use is not allowed"));
  EXPECT_THAT(with(R"(,"crossOrigin":0)"), HasSubstr("cross-origin use is not allowed"));
  EXPECT_THAT(with(R"(,"crossOrigin":false,"topOrigin":"https://vigie.example")"),
              HasSubstr("Unauthenticated: clientDataJSON: topOrigin"));
  // Members a future browser adds are ignored.
  EXPECT_EQ(with(R"(,"other_keys_can_be_added_here":"do not compare clientDataJSON")"), "ok");
}

TEST_P(WebAuthnTest, MalformedClientDataIsInvalidArgument) {
  Bytes attestation = EncodeAttestationObject("none", EncodeAuthenticatorData(Attested()));
  std::string good = ClientDataJson("webauthn.create", registration_challenge_, kOrigin);
  auto with = [&](const std::string& json) { return Outcome(RegisterRaw(attestation, json)); };
  EXPECT_THAT(with("not json"), HasSubstr("InvalidArgument: clientDataJSON is not a JSON object"));
  EXPECT_THAT(with("[1,2]"), HasSubstr("InvalidArgument: clientDataJSON is not a JSON object"));
  EXPECT_THAT(with(good + " {}"), HasSubstr("InvalidArgument"));
  EXPECT_THAT(with(good.substr(0, good.size() - 1)), HasSubstr("InvalidArgument"));
  std::string bad_utf8 = good;
  bad_utf8.insert(bad_utf8.size() - 1, ",\"x\":\"\xff\"");
  EXPECT_THAT(with(bad_utf8), HasSubstr("InvalidArgument"));
  // The last "type" would win in Boost.JSON: a repeated member is refused instead.
  std::string twice = R"({"type":"webauthn.get",)" + good.substr(1);
  EXPECT_THAT(with(twice), HasSubstr("InvalidArgument: clientDataJSON names a member twice"));
  // Nested objects may repeat names of the top level.
  EXPECT_EQ(with(good.substr(0, good.size() - 1) + R"(,"x":{"type":1}})"), "ok");
}

TEST_P(WebAuthnTest, RegistrationAuthenticatorDataChecks) {
  AuthenticatorDataFields other_rp = Attested();
  other_rp.rp_id = "evil.example";
  EXPECT_THAT(Outcome(Register(other_rp)), HasSubstr("Unauthenticated: rpIdHash"));
  EXPECT_THAT(Outcome(Register(Attested(kUv | kAt))),
              HasSubstr("Unauthenticated: user presence (UP) not set"));
  EXPECT_THAT(Outcome(Register(Attested(kUp | kAt))),
              HasSubstr("Unauthenticated: user verification (UV) not set"));
  EXPECT_THAT(Outcome(Register(Attested(kUp | kUv | kAt | kBs))),
              HasSubstr("Unauthenticated: backup state (BS) set without backup eligibility"));
  AuthenticatorDataFields no_credential = Attested(kUp | kUv);
  no_credential.public_key_cose.clear();
  EXPECT_THAT(Outcome(Register(no_credential)),
              HasSubstr("Unauthenticated: registration without attested credential data"));
}

TEST_P(WebAuthnTest, OnlyNoneAttestationWithEmptyStatement) {
  Bytes auth_data = EncodeAuthenticatorData(Attested());
  EXPECT_THAT(Outcome(Register(Attested(), "packed")),
              HasSubstr("Unauthenticated: attestation format \"packed\" is not accepted"));
  EXPECT_THAT(Outcome(Register(Attested(), "")), HasSubstr("Unauthenticated: attestation format"));
  // {"alg": -7}
  Bytes statement = {0xa1, 0x63, 'a', 'l', 'g', 0x26};
  EXPECT_THAT(Outcome(RegisterRaw(EncodeAttestationObject("none", auth_data, statement))),
              HasSubstr("Unauthenticated: attestation format none with a non-empty attStmt"));
  EXPECT_THAT(Outcome(RegisterRaw(EncodeAttestationObject("none", auth_data, {0x80}))),
              HasSubstr("InvalidArgument: attestation object: fmt must be text, attStmt a map"));
}

TEST_P(WebAuthnTest, AttestationObjectShapeIsStrict) {
  Bytes auth_data = EncodeAuthenticatorData(Attested());
  Bytes good = EncodeAttestationObject("none", auth_data);
  Bytes trailing = good;
  trailing.push_back(0x00);
  EXPECT_THAT(Outcome(RegisterRaw(trailing)),
              HasSubstr("InvalidArgument: attestation object: trailing bytes"));
  // Same members with a fourth one: a3 -> a4 and "x": 0 appended.
  Bytes extra = good;
  extra[0] = 0xa4;
  extra.insert(extra.end(), {0x61, 'x', 0x00});
  EXPECT_THAT(Outcome(RegisterRaw(extra)), HasSubstr("unexpected member"));
  // "fmt" twice: a3 -> a4 and "fmt": "none" appended.
  Bytes twice = good;
  twice[0] = 0xa4;
  twice.insert(twice.end(), {0x63, 'f', 'm', 't', 0x64, 'n', 'o', 'n', 'e'});
  EXPECT_THAT(Outcome(RegisterRaw(twice)), HasSubstr("member named twice"));
  EXPECT_THAT(Outcome(RegisterRaw({0x80})), HasSubstr("not a CBOR map"));
  EXPECT_THAT(Outcome(RegisterRaw({})), HasSubstr("InvalidArgument"));
}

TEST_P(WebAuthnTest, UnsupportedAlgorithmsAreRefused) {
  Bytes n(256, 0xc3), e{0x01, 0x00, 0x01};
  std::vector<std::vector<CoseEntry>> keys = {
      {{1, int64_t{3}}, {3, int64_t{-257}}, {-1, n}, {-2, e}},  // RS256
      {{1, int64_t{2}},
       {3, int64_t{-35}},
       {-1, int64_t{2}},
       {-2, Bytes(48, 1)},  // ES384
       {-3, Bytes(48, 2)}},
      {{1, int64_t{2}},
       {3, int64_t{-7}},
       {-1, int64_t{8}},
       {-2, Bytes(32, 1)},  // -7, secp256k1
       {-3, Bytes(32, 2)}},
      {{1, int64_t{1}}, {3, int64_t{-8}}, {-1, int64_t{7}}, {-2, Bytes(57, 1)}},  // Ed448
      {{1, int64_t{2}}, {3, int64_t{-8}}, {-1, int64_t{1}}, {-2, Bytes(32, 1)}},  // EC2 with -8
  };
  for (const auto& entries : keys) {
    AuthenticatorDataFields fields = Attested();
    fields.public_key_cose = EncodeCoseKey(entries);
    EXPECT_THAT(Outcome(Register(fields)), HasSubstr("Unauthenticated: unsupported algorithm"));
  }
}

TEST_P(WebAuthnTest, CredentialIdLengthIsBounded) {
  AuthenticatorDataFields fields = Attested();
  fields.credential_id = Bytes(1023, 0x01);
  auto longest = Register(fields);
  ASSERT_TRUE(longest.has_value()) << Outcome(longest);
  EXPECT_EQ(longest->credential_id.size(), 1023u);
  fields.credential_id = Bytes(1024, 0x01);
  EXPECT_THAT(Outcome(Register(fields)), HasSubstr("credential id length must be 1 to 1023"));
  fields.credential_id.clear();
  EXPECT_THAT(Outcome(Register(fields)), HasSubstr("credential id length must be 1 to 1023"));
}

TEST_P(WebAuthnTest, ExtensionsAreSkippedExactly) {
  AuthenticatorDataFields fields = Attested(kUp | kUv | kAt | kEd);
  fields.extensions = test::EncodeTextBoolMap("credProtect", true);
  auto registered = Register(fields);
  ASSERT_TRUE(registered.has_value()) << Outcome(registered);
  EXPECT_EQ(registered->public_key_cose, cose_key_);  // the key ends where the map starts

  AuthenticatorDataFields missing = fields;
  missing.extensions.clear();
  EXPECT_THAT(Outcome(Register(missing)),
              HasSubstr("InvalidArgument: authenticator data: extensions"));
  AuthenticatorDataFields not_a_map = fields;
  not_a_map.extensions = {0x01};
  EXPECT_THAT(Outcome(Register(not_a_map)), HasSubstr("extensions is not a CBOR map"));
  AuthenticatorDataFields undeclared = fields;  // ED clear: the map is trailing bytes
  undeclared.flags = kUp | kUv | kAt;
  EXPECT_THAT(Outcome(Register(undeclared)),
              HasSubstr("InvalidArgument: authenticator data: trailing bytes"));
  AuthenticatorDataFields after = fields;
  after.extensions.push_back(0x00);
  EXPECT_THAT(Outcome(Register(after)), HasSubstr("trailing bytes"));
}

TEST_P(WebAuthnTest, EveryTruncationIsAnErrorNeverACrash) {
  AuthenticatorDataFields fields = Attested(kUp | kUv | kAt | kEd);
  fields.extensions = test::EncodeTextBoolMap("credProtect", true);
  Bytes auth_data = EncodeAuthenticatorData(fields);
  ASSERT_TRUE(RegisterRaw(EncodeAttestationObject("none", auth_data)).has_value());
  for (size_t size = 0; size < auth_data.size(); ++size) {
    Bytes prefix(auth_data.begin(), auth_data.begin() + static_cast<ptrdiff_t>(size));
    auto result = RegisterRaw(EncodeAttestationObject("none", prefix));
    ASSERT_FALSE(result.has_value()) << "authData prefix of " << size;
    EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument) << Outcome(result);
  }
  Bytes attestation = EncodeAttestationObject("none", auth_data);
  for (size_t size = 0; size < attestation.size(); ++size) {
    Bytes prefix(attestation.begin(), attestation.begin() + static_cast<ptrdiff_t>(size));
    auto result = RegisterRaw(prefix);
    ASSERT_FALSE(result.has_value()) << "attestation object prefix of " << size;
    EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument) << Outcome(result);
  }
}

TEST_P(WebAuthnTest, BadCoseKeysAreRefused) {
  const Bytes x(32, 0x11);
  AuthenticatorDataFields fields = Attested();
  if (GetParam() == Algorithm::kEs256) {
    fields.public_key_cose =
        EncodeCoseKey({{1, int64_t{2}}, {3, int64_t{-7}}, {-1, int64_t{1}}, {-2, x}, {-3, x}});
    EXPECT_THAT(Outcome(Register(fields)),
                HasSubstr("InvalidArgument: COSE key: not a P-256 point"));
    fields.public_key_cose =
        EncodeCoseKey({{1, int64_t{2}}, {3, int64_t{-7}}, {-1, int64_t{1}}, {-2, x}, {-3, true}});
    EXPECT_THAT(Outcome(Register(fields)), HasSubstr("32-byte strings"));  // compressed point
  } else {
    fields.public_key_cose =
        EncodeCoseKey({{1, int64_t{1}}, {3, int64_t{-8}}, {-1, int64_t{6}}, {-2, Bytes(31, 1)}});
    EXPECT_THAT(Outcome(Register(fields)), HasSubstr("Ed25519 x must be a 32-byte string"));
  }
  Bytes with_d = cose_key_;
  with_d[0] += 1;  // one more entry: -4 (d) => 32 bytes
  with_d.insert(with_d.end(), {0x23, 0x58, 0x20});
  with_d.insert(with_d.end(), 32, 0x42);
  fields.public_key_cose = with_d;
  EXPECT_THAT(Outcome(Register(fields)), HasSubstr("COSE key: holds a private key"));
  Bytes tagged_d = cose_key_;
  tagged_d[0] += 1;  // one more entry: tag 0 around -4 (d) => 32 bytes
  tagged_d.insert(tagged_d.end(), {0xc0, 0x23, 0x58, 0x20});
  tagged_d.insert(tagged_d.end(), 32, 0x42);
  fields.public_key_cose = tagged_d;
  EXPECT_THAT(Outcome(Register(fields)),
              HasSubstr("COSE key: a label must be an integer or a text string"));
  Bytes repeated = cose_key_;
  repeated[0] += 1;  // kty again
  repeated.insert(repeated.end(), {0x01, 0x02});
  fields.public_key_cose = repeated;
  EXPECT_THAT(Outcome(Register(fields)), HasSubstr("COSE key: repeated label 1"));
  fields.public_key_cose = EncodeCoseKey({{1, int64_t{2}}, {-1, int64_t{1}}});  // no alg
  EXPECT_THAT(Outcome(Register(fields)), HasSubstr("kty and alg must be integers"));
}

TEST_P(WebAuthnTest, OversizedInputsAndShortChallengesAreRefused) {
  Bytes attestation = EncodeAttestationObject("none", EncodeAuthenticatorData(Attested()));
  std::string json = ClientDataJson("webauthn.create", registration_challenge_, kOrigin,
                                    R"(,"pad":")" + std::string(4096, 'p') + "\"");
  EXPECT_THAT(Outcome(RegisterRaw(attestation, json)),
              HasSubstr("InvalidArgument: clientDataJSON larger than 4 KiB"));
  Bytes huge(16 * 1024 + 1, 0xa0);
  EXPECT_THAT(Outcome(RegisterRaw(huge)),
              HasSubstr("InvalidArgument: attestation object too large"));
  Bytes short_challenge(15, 0x5a);
  std::string short_json = ClientDataJson("webauthn.create", short_challenge, kOrigin);
  EXPECT_THAT(Outcome(VerifyRegistration(rp_, short_challenge, View(short_json), attestation)),
              HasSubstr("InvalidArgument: challenge shorter than 16 bytes"));
}

TEST_P(WebAuthnTest, HostileCborIsRefusedBeforeAllocation) {
  // An array declaring 2^36 items in 9 bytes, a map declaring 2^32 pairs,
  // an indefinite-length map, and 20 nested arrays.
  Bytes deep(20, 0x81);
  deep.push_back(0x00);
  std::vector<Bytes> hostile = {
      {0x9b, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00},
      {0xbb, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00},
      {0xbf, 0x63, 'f', 'm', 't', 0x64, 'n', 'o', 'n', 'e', 0xff},
      deep,
  };
  for (const Bytes& bytes : hostile) {
    auto result = RegisterRaw(bytes);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument) << Outcome(result);
  }
}

// ---- Authentication ----

TEST_P(WebAuthnTest, AssertionVerifiesAndReturnsTheNewCounter) {
  auto verified = Assert(Asserted(8), 7);
  ASSERT_TRUE(verified.has_value()) << Outcome(verified);
  EXPECT_EQ(verified->sign_count, 8u);
  EXPECT_FALSE(verified->backup_state);

  auto backed_up = Assert(Asserted(9, kUp | kUv | kBe | kBs), 8, true);
  ASSERT_TRUE(backed_up.has_value()) << Outcome(backed_up);
  EXPECT_TRUE(backed_up->backup_state);
}

TEST_P(WebAuthnTest, ZeroCountersOnBothSidesAreAccepted) {
  auto verified = Assert(Asserted(0), 0);
  ASSERT_TRUE(verified.has_value()) << Outcome(verified);
  EXPECT_EQ(verified->sign_count, 0u);
}

TEST_P(WebAuthnTest, CounterThatDidNotIncreaseIsRefused) {
  constexpr std::string_view kCloned =
      "Unauthenticated: sign counter did not increase: possible cloned authenticator";
  EXPECT_THAT(Outcome(Assert(Asserted(7), 7)), HasSubstr(kCloned));
  EXPECT_THAT(Outcome(Assert(Asserted(6), 7)), HasSubstr(kCloned));
  EXPECT_THAT(Outcome(Assert(Asserted(0), 7)), HasSubstr(kCloned));
  EXPECT_EQ(Outcome(Assert(Asserted(0xffffffff), 0xfffffffe)), "ok");
  EXPECT_EQ(Outcome(Assert(Asserted(1), 0)), "ok");
}

TEST_P(WebAuthnTest, AssertionClientDataMustMatch) {
  const Bytes& challenge = assertion_challenge_;
  EXPECT_THAT(
      Outcome(Assert(Asserted(1), 0, false, ClientDataJson("webauthn.create", challenge, kOrigin))),
      HasSubstr("Unauthenticated: clientDataJSON: type is not webauthn.get"));
  EXPECT_THAT(Outcome(Assert(Asserted(1), 0, false,
                             ClientDataJson("webauthn.get", registration_challenge_, kOrigin))),
              HasSubstr("Unauthenticated: clientDataJSON: challenge does not match"));
  EXPECT_THAT(Outcome(Assert(Asserted(1), 0, false,
                             ClientDataJson("webauthn.get", challenge, "https://evil.example"))),
              HasSubstr("Unauthenticated: clientDataJSON: origin"));
  std::string cross = ClientDataJson("webauthn.get", challenge, kOrigin);
  cross.replace(cross.find("false"), 5, "true");
  EXPECT_THAT(Outcome(Assert(Asserted(1), 0, false, cross)),
              HasSubstr("Unauthenticated: clientDataJSON: cross-origin use is not allowed"));
}

TEST_P(WebAuthnTest, AssertionAuthenticatorDataChecks) {
  AuthenticatorDataFields other_rp = Asserted(1);
  other_rp.rp_id = "vigie.example.evil";
  EXPECT_THAT(Outcome(Assert(other_rp)), HasSubstr("Unauthenticated: rpIdHash"));
  EXPECT_THAT(Outcome(Assert(Asserted(1, kUv))), HasSubstr("Unauthenticated: user presence"));
  EXPECT_THAT(Outcome(Assert(Asserted(1, kUp))), HasSubstr("Unauthenticated: user verification"));
  EXPECT_THAT(Outcome(Assert(Asserted(1, kUp | kUv | kBs))),
              HasSubstr("Unauthenticated: backup state (BS) set without backup eligibility"));
  // BE recorded at registration may not change either way.
  EXPECT_THAT(Outcome(Assert(Asserted(1, kUp | kUv | kBe), 0, false)),
              HasSubstr("Unauthenticated: backup eligibility (BE) changed since registration"));
  EXPECT_THAT(Outcome(Assert(Asserted(1, kUp | kUv), 0, true)),
              HasSubstr("Unauthenticated: backup eligibility (BE) changed since registration"));
  AuthenticatorDataFields attested = Asserted(1, kUp | kUv | kAt);
  attested.public_key_cose = cose_key_;
  EXPECT_THAT(Outcome(Assert(attested)),
              HasSubstr("InvalidArgument: assertion with attested credential data"));
  AuthenticatorDataFields extensions = Asserted(1, kUp | kUv | kEd);
  extensions.extensions = test::EncodeTextBoolMap("appid", false);
  EXPECT_EQ(Outcome(Assert(extensions)), "ok");
}

TEST_P(WebAuthnTest, BadSignaturesAreRefused) {
  std::string json = ClientDataJson("webauthn.get", assertion_challenge_, kOrigin);
  Bytes auth_data = EncodeAuthenticatorData(Asserted(1));
  Bytes signature = authenticator_.Sign(auth_data, json);
  ASSERT_EQ(Outcome(AssertRaw(auth_data, json, signature)), "ok");

  Bytes flipped = signature;
  flipped.back() ^= 0x01;
  EXPECT_EQ(Outcome(AssertRaw(auth_data, json, flipped)), "Unauthenticated: bad signature");
  SoftwareAuthenticator other(GetParam());
  EXPECT_EQ(Outcome(AssertRaw(auth_data, json, other.Sign(auth_data, json))),
            "Unauthenticated: bad signature");
  // The counter is signed: raising it after signing breaks the signature.
  Bytes raised = EncodeAuthenticatorData(Asserted(2));
  EXPECT_EQ(Outcome(AssertRaw(raised, json, signature)), "Unauthenticated: bad signature");
  // So is clientDataJSON, byte for byte.
  std::string spaced = json;
  spaced.insert(1, " ");
  EXPECT_EQ(Outcome(AssertRaw(auth_data, spaced, signature)), "Unauthenticated: bad signature");
  EXPECT_NE(Outcome(AssertRaw(auth_data, json, {})), "ok");
  EXPECT_THAT(Outcome(AssertRaw(auth_data, json, Bytes(1025, 0x30))),
              HasSubstr("InvalidArgument: signature too large"));
}

TEST(WebAuthnEs256Test, MalformedDerSignaturesAreInvalidArgument) {
  SoftwareAuthenticator authenticator(Algorithm::kEs256);
  RelyingParty rp{std::string(kRpId), {std::string(kOrigin)}};
  Bytes challenge(32, 0x77);
  std::string json = ClientDataJson("webauthn.get", challenge, kOrigin);
  AuthenticatorDataFields fields;
  fields.sign_count = 1;
  Bytes auth_data = EncodeAuthenticatorData(fields);
  Bytes cose_key = authenticator.CoseKey();
  Bytes der = authenticator.Sign(auth_data, json);
  auto verify = [&](const Bytes& signature) {
    return Outcome(
        VerifyAssertion(rp, challenge, {cose_key, 0, false}, View(json), auth_data, signature));
  };
  ASSERT_EQ(verify(der), "ok");
  Bytes trailing = der;
  trailing.push_back(0x00);
  EXPECT_THAT(verify(trailing), HasSubstr("InvalidArgument: ES256 signature is not strict DER"));
  Bytes long_form = {0x30, 0x81, der[1]};  // the same length in non-minimal long form
  long_form.insert(long_form.end(), der.begin() + 2, der.end());
  EXPECT_THAT(verify(long_form), HasSubstr("not strict DER"));
  Bytes raw(64, 0x01);  // r || s without DER
  EXPECT_THAT(verify(raw), HasSubstr("not strict DER"));
  EXPECT_THAT(verify(Bytes{0x30, 0x00}), HasSubstr("not strict DER"));
  // Every truncation of the DER signature is refused.
  for (size_t size = 0; size < der.size(); ++size) {
    Bytes prefix(der.begin(), der.begin() + static_cast<ptrdiff_t>(size));
    EXPECT_THAT(verify(prefix), HasSubstr("InvalidArgument")) << size;
  }
}

TEST_P(WebAuthnTest, EveryTruncatedAuthenticatorDataIsRefused) {
  std::string json = ClientDataJson("webauthn.get", assertion_challenge_, kOrigin);
  AuthenticatorDataFields fields = Asserted(1, kUp | kUv | kEd);
  fields.extensions = test::EncodeTextBoolMap("appid", false);
  Bytes auth_data = EncodeAuthenticatorData(fields);
  Bytes signature = authenticator_.Sign(auth_data, json);
  ASSERT_EQ(Outcome(AssertRaw(auth_data, json, signature)), "ok");
  for (size_t size = 0; size < auth_data.size(); ++size) {
    Bytes prefix(auth_data.begin(), auth_data.begin() + static_cast<ptrdiff_t>(size));
    auto result = AssertRaw(prefix, json, signature);
    ASSERT_FALSE(result.has_value()) << size;
    EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument) << Outcome(result);
  }
  Bytes trailing = auth_data;
  trailing.push_back(0x00);
  EXPECT_THAT(Outcome(AssertRaw(trailing, json, signature)),
              HasSubstr("InvalidArgument: authenticator data: trailing bytes"));
  EXPECT_THAT(Outcome(AssertRaw(Bytes(16 * 1024 + 1, 0), json, signature)),
              HasSubstr("InvalidArgument: authenticator data too large"));
}

TEST_P(WebAuthnTest, StoredKeyMustBeUsable) {
  std::string json = ClientDataJson("webauthn.get", assertion_challenge_, kOrigin);
  Bytes auth_data = EncodeAuthenticatorData(Asserted(1));
  Bytes signature = authenticator_.Sign(auth_data, json);
  auto verify = [&](const Bytes& key) {
    return Outcome(VerifyAssertion(rp_, assertion_challenge_, {key, 0, false}, View(json),
                                   auth_data, signature));
  };
  EXPECT_THAT(verify({}), HasSubstr("DataLoss: stored credential: COSE key"));
  EXPECT_THAT(verify({0x01, 0x02}), HasSubstr("DataLoss: stored credential"));
  Bytes trailing = cose_key_;
  trailing.push_back(0x00);
  EXPECT_THAT(verify(trailing), HasSubstr("COSE key: bytes after the key"));
  EXPECT_THAT(
      verify(EncodeCoseKey(
          {{1, int64_t{3}}, {3, int64_t{-257}}, {-1, Bytes(256, 1)}, {-2, Bytes{1, 0, 1}}})),
      HasSubstr("DataLoss: stored credential: unsupported algorithm"));
  SoftwareAuthenticator other(GetParam() == Algorithm::kEs256 ? Algorithm::kEdDsa
                                                              : Algorithm::kEs256);
  EXPECT_NE(verify(other.CoseKey()), "ok");  // a key of the other type
}

}  // namespace
}  // namespace vigie::webauthn
