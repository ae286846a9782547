#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/hash.h"
#include "webauthn/internal/cose_key.h"
#include "webauthn/testing/software_authenticator.h"
#include "webauthn/webauthn.h"

// Ceremonies not made by us, so that the verifier is checked against other
// implementations' bytes and not only against its own test authenticator.
namespace vigie::webauthn {
namespace {

using test::Outcome;
using ::testing::HasSubstr;

Bytes B64u(std::string_view text) { return crypto::Base64UrlDecode(text).value(); }
Bytes Hex(std::string_view hex) { return crypto::HexDecode(hex).value(); }

// ---- A real registration and a real assertion (UP and UV set) ----
// duo-labs/py_webauthn, commit 00e5dc886b1ad6246134bbcf7950b8f93641eec9:
//   tests/test_verify_registration_response.py, test_verifies_none_attestation_response
//   tests/test_verify_authentication_response.py, test_supports_multiple_expected_origins
// captured from a browser against http://localhost:5000 (RP id "localhost").
// They are two different credentials; the assertion's key is the one that test stores.
constexpr std::string_view kPyRegAttestationObject =
    "o2NmbXRkbm9uZWdhdHRTdG10oGhhdXRoRGF0YVjESZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2NFAAAAFw"
    "AAAAAAAAAAAAAAAAAAAAAAQPctcQPE5oNRRJk_nO_371mf7qE7qIodzr0eOf6ACvnMB1oQG165dqutoi1U44shGezu"
    "5_gkTjmOPeJO0N8a7P-lAQIDJiABIVggSFbUJF-42Ug3pdM8rDRFu_N5oiVEysPDB6n66r_7dZAiWCDUVnB39FlGyp"
    "L-qAoIO9xWHtJygo2jfDmHl-_eKFRLDA";
constexpr std::string_view kPyRegClientData =
    "eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIiwiY2hhbGxlbmdlIjoiVHdON240V1R5R0tMYzRaWS1xR3NGcUtuSE00bm"
    "dscXN5VjBJQ0psTjJUTzlYaVJ5RnRya2FEd1V2c3FsLWdrTEpYUDZmbkYxTWxyWjUzTW00UjdDdnciLCJvcmlnaW4i"
    "OiJodHRwOi8vbG9jYWxob3N0OjUwMDAiLCJjcm9zc09yaWdpbiI6ZmFsc2V9";
constexpr std::string_view kPyRegChallenge =
    "TwN7n4WTyGKLc4ZY-qGsFqKnHM4nglqsyV0ICJlN2TO9XiRyFtrkaDwUvsql-gkLJXP6fnF1MlrZ53Mm4R7Cvw";
constexpr std::string_view kPyRegCredentialId =
    "9y1xA8Tmg1FEmT-c7_fvWZ_uoTuoih3OvR45_oAK-cwHWhAbXrl2q62iLVTjiyEZ7O7n-CROOY494k7Q3xrs_w";
constexpr std::string_view kPyRegPublicKey =
    "pQECAyYgASFYIEhW1CRfuNlIN6XTPKw0RbvzeaIlRMrDwwep-uq_-3WQIlgg1FZwd_RZRsqS_qgKCDvcVh7ScoKNo3"
    "w5h5fv3ihUSww";
constexpr std::string_view kPyAuthAuthenticatorData =
    "SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MFYN-Mog";
constexpr std::string_view kPyAuthClientData =
    "eyJ0eXBlIjoid2ViYXV0aG4uZ2V0IiwiY2hhbGxlbmdlIjoiNnpyU1JYOEN4d1BTWEVBclh5WEwydHBiNnJCN1N0YX"
    "IwckxWSWo1cnZmNzRtWktGNWlyNzE1WG1nejV0QV9HeUhleE40b1hmclE4ODlBclZDTGFSZEEiLCJvcmlnaW4iOiJo"
    "dHRwOi8vbG9jYWxob3N0OjUwMDAiLCJjcm9zc09yaWdpbiI6ZmFsc2V9";
constexpr std::string_view kPyAuthSignature =
    "MEUCIQDBqeI274exaKWGQz37g7yo1--TVcZSCcYVftZ1AnEJkQIgNw-nlx-_U9rVfFfER8oX6BlYZTuPFyGaL_wCDY"
    "23s0E";
constexpr std::string_view kPyAuthChallenge =
    "6zrSRX8CxwPSXEArXyXL2tpb6rB7Star0rLVIj5rvf74mZKF5ir715Xmgz5tA_GyHexN4oXfrQ889ArVCLaRdA";
constexpr std::string_view kPyAuthPublicKey =
    "pQECAyYgASFYIFm1Py-FzzFOuwXbRbTr95SiDxuB1BkZsEEJxFhquzqkIlggL1U1T713Jo_2muzhXvpbwRNdoAs8CY"
    "K6PflvY1MBdCI";

// ---- The WebAuthn Level 3 specification's own test vectors ----
// https://www.w3.org/TR/webauthn-3/#sctn-test-vectors (RP id "example.org", origin
// "https://example.org"), transcribed from go-webauthn/webauthn
// protocol/specification_vectors_e2e_test.go. §16.2 "ES256 Credential with No Attestation":
// UV is not set (flags 0x59 then 0x19), so Vigie refuses it for that reason alone.
constexpr std::string_view kW3cRegAttestationObject =
    "a363666d74646e6f6e656761747453746d74a068617574684461746158a4bfabc37432958b063360d3ad6461c9"
    "c4735ae7f8edd46592a5e0f01452b2e4b559000000008446ccb9ab1db374750b2367ff6f3a1f0020f91f391db4"
    "c9b2fde0ea70189cba3fb63f579ba6122b33ad94ff3ec330084be4a5010203262001215820afefa16f97ca9b2d"
    "23eb86ccb64098d20db90856062eb249c33a9b672f26df61225820930a56b87a2fca66334b03458abf879717c1"
    "2cc68ed73290af2e2664796b9220";
constexpr std::string_view kW3cRegClientData =
    "7b2274797065223a22776562617574686e2e637265617465222c226368616c6c656e6765223a22414d4d507434"
    "557878475453746e63647134313759447742466938767049612d7077386f4f755657345441222c226f72696769"
    "6e223a2268747470733a2f2f6578616d706c652e6f7267222c2263726f73734f726967696e223a66616c73652c"
    "22657874726144617461223a22636c69656e74446174614a534f4e206d617920626520657874656e6465642077"
    "697468206164646974696f6e616c206669656c647320696e20746865206675747572652c207375636820617320"
    "746869733a20426b5165446a646354427258426941774a544c453551227d";
constexpr std::string_view kW3cRegChallenge =
    "00c30fb78531c464d2b6771dab8d7b603c01162f2fa486bea70f283ae556e130";
constexpr std::string_view kW3cAuthAuthenticatorData =
    "bfabc37432958b063360d3ad6461c9c4735ae7f8edd46592a5e0f01452b2e4b51900000000";
constexpr std::string_view kW3cAuthClientData =
    "7b2274797065223a22776562617574686e2e676574222c226368616c6c656e6765223a224f63446e5568515875"
    "6c5455506f334a5558543049393770767a7a59425039745a63685879617630314167222c226f726967696e223a"
    "2268747470733a2f2f6578616d706c652e6f7267222c2263726f73734f726967696e223a66616c73657d";
constexpr std::string_view kW3cAuthSignature =
    "3046022100f50a4e2e4409249c4a853ba361282f09841df4dd4547a13a87780218deffcd380221008480ac0f0b"
    "93538174f575bf11a1dd5d78c6e486013f937295ea13653e331e87";
constexpr std::string_view kW3cAuthChallenge =
    "39c0e7521417ba54d43e8dc95174f423dee9bf3cd804ff6d65c857c9abf4d408";
// §16.4 "ES256 Credential with "crossOrigin": true": UP and UV set; refused for crossOrigin.
constexpr std::string_view kW3cCrossRegAttestationObject =
    "a363666d74646e6f6e656761747453746d74a068617574684461746158a4bfabc37432958b063360d3ad6461c9"
    "c4735ae7f8edd46592a5e0f01452b2e4b54500000000883f4f6014f19c09d87aa38123be48d000206e1050c0d2"
    "ca2f07c755cb2c66a74c64fa43065c18f938354d9915db2bd5ce57a501020326200121582022200a473f90b110"
    "78851550d03b4e44a2279f8c4eca27b3153dedfe03e4e97d225820cbd0be95e746ad6f5a8191be11756e4c0420"
    "e72f65b466d39bc56b8b123a9c6e";
constexpr std::string_view kW3cCrossRegClientData =
    "7b2274797065223a22776562617574686e2e637265617465222c226368616c6c656e6765223a224f2d57717a51"
    "4e5463554a484930437257576e7951504859647862694332674872434d475666704c4f306b222c226f72696769"
    "6e223a2268747470733a2f2f6578616d706c652e6f7267222c2263726f73734f726967696e223a747275652c22"
    "657874726144617461223a22636c69656e74446174614a534f4e206d617920626520657874656e646564207769"
    "7468206164646974696f6e616c206669656c647320696e20746865206675747572652c20737563682061732074"
    "6869733a207a5a7175457444523944577170573574425754467567227d";
constexpr std::string_view kW3cCrossRegChallenge =
    "3be5aacd03537142472340ab5969f240f1d87716e20b6807ac230655fa4b3b49";
constexpr std::string_view kW3cCrossAuthAuthenticatorData =
    "bfabc37432958b063360d3ad6461c9c4735ae7f8edd46592a5e0f01452b2e4b50500000000";
constexpr std::string_view kW3cCrossAuthClientData =
    "7b2274797065223a22776562617574686e2e676574222c226368616c6c656e6765223a226832716c463771445f"
    "65356c5f505f62796b7945377135645650674547685f49584a6b655737736e4d5463222c226f726967696e223a"
    "2268747470733a2f2f6578616d706c652e6f7267222c2263726f73734f726967696e223a747275652c22657874"
    "726144617461223a22636c69656e74446174614a534f4e206d617920626520657874656e646564207769746820"
    "6164646974696f6e616c206669656c647320696e20746865206675747572652c20737563682061732074686973"
    "3a2039327063545644304162792d713464746d6a36656667227d";
constexpr std::string_view kW3cCrossAuthSignature =
    "3046022100eb12fcf23b12764c0f122e22371fab92e283879fd798f38ee1841c951b6e40e7022100c76237ff9d"
    "b77b3c56f30837cda6a09acfa2e915544e609c0733b1184036d1cf";
constexpr std::string_view kW3cCrossAuthChallenge =
    "876aa517ba83fdee65fcffdbca4c84eeae5d54f8041a1fc85c991e5bbb273137";

const RelyingParty kLocalhost{"localhost", {"https://foo.bar", "http://localhost:5000"}};
const RelyingParty kExampleOrg{"example.org", {"https://example.org"}};

Result<RegisteredCredential> RegisterPy(const Bytes& client_data, const Bytes& attestation) {
  return VerifyRegistration(kLocalhost, B64u(kPyRegChallenge), client_data, attestation);
}

Result<VerifiedAssertion> AssertPy(const Bytes& client_data, const Bytes& auth_data,
                                   const Bytes& signature, uint32_t stored_count = 1625263263) {
  Bytes key = B64u(kPyAuthPublicKey);
  return VerifyAssertion(kLocalhost, B64u(kPyAuthChallenge), {key, stored_count, false},
                         client_data, auth_data, signature);
}

TEST(RealVectorsTest, PyWebauthnNoneRegistrationVerifies) {
  auto registered = RegisterPy(B64u(kPyRegClientData), B64u(kPyRegAttestationObject));
  ASSERT_TRUE(registered.has_value()) << Outcome(registered);
  EXPECT_EQ(registered->credential_id, B64u(kPyRegCredentialId));
  EXPECT_EQ(registered->public_key_cose, B64u(kPyRegPublicKey));
  EXPECT_EQ(registered->algorithm, kCoseEs256);
  EXPECT_EQ(registered->sign_count, 23u);
  EXPECT_EQ(registered->aaguid, Bytes(16, 0));
  EXPECT_FALSE(registered->backup_eligible);
}

TEST(RealVectorsTest, PyWebauthnRegistrationWithOneByteFlippedFails) {
  Bytes attestation = B64u(kPyRegAttestationObject);
  Bytes client_data = B64u(kPyRegClientData);
  // "none" attestation signs nothing, so flip the bytes that are checked:
  // every rpIdHash byte, the flags, and clientDataJSON.
  // a3 63"fmt" 64"none" 67"attStmt" a0 68"authData" 58 c4, then authData at byte 30.
  constexpr size_t kAuthDataStart = 30;
  ASSERT_EQ(attestation[kAuthDataStart - 2], 0x58);  // byte string, 1-byte length
  for (size_t i = kAuthDataStart; i <= kAuthDataStart + 32; ++i) {
    Bytes flipped = attestation;
    flipped[i] ^= (i == kAuthDataStart + 32) ? 0x04 : 0x01;  // flags: clear UV
    EXPECT_FALSE(RegisterPy(client_data, flipped).has_value()) << i;
  }
  // A flip inside the name "crossOrigin" only renames it to a member that is
  // ignored (the specification lets clientDataJSON grow): skip those bytes.
  std::string_view text = crypto::AsText(client_data);
  size_t name = text.find("\"crossOrigin\"");
  ASSERT_NE(name, std::string_view::npos);
  for (size_t i = 0; i < client_data.size(); ++i) {
    if (i > name && i < name + 12) continue;
    Bytes flipped = client_data;
    flipped[i] ^= 0x01;
    EXPECT_FALSE(RegisterPy(flipped, attestation).has_value()) << i;
  }

  EXPECT_THAT(Outcome(VerifyRegistration(kExampleOrg, B64u(kPyRegChallenge), B64u(kPyRegClientData),
                                         attestation)),
              HasSubstr("origin"));
}

TEST(RealVectorsTest, PyWebauthnAssertionVerifies) {
  auto verified =
      AssertPy(B64u(kPyAuthClientData), B64u(kPyAuthAuthenticatorData), B64u(kPyAuthSignature));
  ASSERT_TRUE(verified.has_value()) << Outcome(verified);
  EXPECT_EQ(verified->sign_count, 0x60df8ca2u);  // the authenticator's counter, 1625263266
  EXPECT_FALSE(verified->backup_state);
  // Replayed once the counter has been stored: refused.
  EXPECT_THAT(Outcome(AssertPy(B64u(kPyAuthClientData), B64u(kPyAuthAuthenticatorData),
                               B64u(kPyAuthSignature), 0x60df8ca2u)),
              HasSubstr("sign counter did not increase"));
}

TEST(RealVectorsTest, PyWebauthnAssertionWithAnyByteFlippedFails) {
  Bytes client_data = B64u(kPyAuthClientData);
  Bytes auth_data = B64u(kPyAuthAuthenticatorData);
  Bytes signature = B64u(kPyAuthSignature);
  for (size_t i = 0; i < auth_data.size(); ++i) {
    Bytes flipped = auth_data;
    flipped[i] ^= 0x01;
    EXPECT_FALSE(AssertPy(client_data, flipped, signature).has_value()) << "authData " << i;
  }
  for (size_t i = 0; i < signature.size(); ++i) {
    Bytes flipped = signature;
    flipped[i] ^= 0x01;
    EXPECT_FALSE(AssertPy(client_data, auth_data, flipped).has_value()) << "signature " << i;
  }
  for (size_t i = 0; i < client_data.size(); ++i) {
    Bytes flipped = client_data;
    flipped[i] ^= 0x01;
    EXPECT_FALSE(AssertPy(flipped, auth_data, signature).has_value()) << "clientData " << i;
  }
}

// Verifies a published assertion's signature with the key of its registration,
// below the flag checks that Vigie adds on top of the specification.
Result<void> VerifySignatureOnly(std::string_view attestation_hex, std::string_view auth_data_hex,
                                 std::string_view client_data_hex, std::string_view signature_hex) {
  Bytes attestation = Hex(attestation_hex);
  Bytes key = Bytes(attestation.end() - 77, attestation.end());  // the COSE key ends the object
  ASSIGN_OR_RETURN(auto cose, internal::CosePublicKey::Parse(key));
  Bytes message = Hex(auth_data_hex);
  crypto::Sha256Digest hash = crypto::Sha256(Hex(client_data_hex));
  message.insert(message.end(), hash.begin(), hash.end());
  return cose.Verify(message, Hex(signature_hex));
}

TEST(RealVectorsTest, W3cNoneEs256IsRefusedOnlyForMissingUserVerification) {
  auto registered = VerifyRegistration(kExampleOrg, Hex(kW3cRegChallenge), Hex(kW3cRegClientData),
                                       Hex(kW3cRegAttestationObject));
  EXPECT_EQ(Outcome(registered), "Unauthenticated: user verification (UV) not set");
  Bytes attestation = Hex(kW3cRegAttestationObject);
  Bytes key(attestation.end() - 77, attestation.end());
  auto asserted =
      VerifyAssertion(kExampleOrg, Hex(kW3cAuthChallenge), {key, 0, true}, Hex(kW3cAuthClientData),
                      Hex(kW3cAuthAuthenticatorData), Hex(kW3cAuthSignature));
  EXPECT_EQ(Outcome(asserted), "Unauthenticated: user verification (UV) not set");

  EXPECT_EQ(Outcome(VerifySignatureOnly(kW3cRegAttestationObject, kW3cAuthAuthenticatorData,
                                        kW3cAuthClientData, kW3cAuthSignature)),
            "ok");
  std::string flipped(kW3cAuthSignature);
  flipped[20] = flipped[20] == '0' ? '1' : '0';
  EXPECT_EQ(Outcome(VerifySignatureOnly(kW3cRegAttestationObject, kW3cAuthAuthenticatorData,
                                        kW3cAuthClientData, flipped)),
            "Unauthenticated: bad signature");
}

TEST(RealVectorsTest, W3cCrossOriginIsRefusedForCrossOrigin) {
  auto registered =
      VerifyRegistration(kExampleOrg, Hex(kW3cCrossRegChallenge), Hex(kW3cCrossRegClientData),
                         Hex(kW3cCrossRegAttestationObject));
  EXPECT_EQ(Outcome(registered),
            "Unauthenticated: clientDataJSON: cross-origin use is not allowed");
  Bytes attestation = Hex(kW3cCrossRegAttestationObject);
  Bytes key(attestation.end() - 77, attestation.end());
  auto asserted = VerifyAssertion(kExampleOrg, Hex(kW3cCrossAuthChallenge), {key, 0, false},
                                  Hex(kW3cCrossAuthClientData), Hex(kW3cCrossAuthAuthenticatorData),
                                  Hex(kW3cCrossAuthSignature));
  EXPECT_EQ(Outcome(asserted), "Unauthenticated: clientDataJSON: cross-origin use is not allowed");
  // Everything else about it holds: the published signature verifies.
  EXPECT_EQ(
      Outcome(VerifySignatureOnly(kW3cCrossRegAttestationObject, kW3cCrossAuthAuthenticatorData,
                                  kW3cCrossAuthClientData, kW3cCrossAuthSignature)),
      "ok");
}

}  // namespace
}  // namespace vigie::webauthn
