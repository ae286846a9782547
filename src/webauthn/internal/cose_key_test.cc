#include "webauthn/internal/cose_key.h"

#include <gtest/gtest.h>

#include <vector>

#include "crypto/hash.h"
#include "webauthn/webauthn.h"

namespace vigie::webauthn::internal {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes Hex(std::string_view hex) { return crypto::HexDecode(hex).value(); }
Bytes B64u(std::string_view text) { return crypto::Base64UrlDecode(text).value(); }

TEST(CosePublicKeyTest, ParsesPublishedKeys) {
  // W3C WebAuthn L3 §16.2 credential public key (EC2, P-256, ES256).
  auto es256 = CosePublicKey::Parse(
      Hex("a5010203262001215820afefa16f97ca9b2d23eb86ccb64098d20db90856062eb249c33a9b672f26df6122"
          "5820930a56b87a2fca66334b03458abf879717c12cc68ed73290af2e2664796b9220"));
  ASSERT_TRUE(es256.has_value()) << es256.error().ToString();
  EXPECT_EQ(es256->algorithm(), kCoseEs256);
  // duo-labs/py_webauthn tests/test_verify_authentication_response.py, OKP Ed25519 key.
  auto eddsa =
      CosePublicKey::Parse(B64u("pAEBAycgBiFYIMz6_SUFLiDid2Yhlq0YboyJ-CDrIrNpkPUGmJp4D3Dp"));
  ASSERT_TRUE(eddsa.has_value()) << eddsa.error().ToString();
  EXPECT_EQ(eddsa->algorithm(), kCoseEdDsa);
}

// A key no signature can verify under is refused when it is offered, not
// found out at each sign-in: the neutral point, another small-order point,
// a y at or past the field's prime.
TEST(CosePublicKeyTest, RefusesEd25519KeysNoSignatureVerifies) {
  const Bytes head = Hex("a4010103272006215820");  // {1: 1, 3: -8, -1: 6, -2: 32 bytes}
  for (const char* x : {"0100000000000000000000000000000000000000000000000000000000000000",
                        "0000000000000000000000000000000000000000000000000000000000000000",
                        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"}) {
    Bytes cose = head;
    const Bytes point = Hex(x);
    cose.insert(cose.end(), point.begin(), point.end());
    auto parsed = CosePublicKey::Parse(cose);
    ASSERT_FALSE(parsed.has_value()) << x;
    EXPECT_EQ(parsed.error().code(), ErrorCode::kInvalidArgument) << x;
  }
}

TEST(CosePublicKeyTest, RefusesRsaAsUnsupported) {
  // Same file: the RS256 (-257) credential key of its RSA test.
  auto rsa = CosePublicKey::Parse(B64u(
      "pAEDAzkBACBZAQDfV20epzvQP-HtcdDpX-cGzdOxy73WQEvsU7Dnr9UWJophEfpngouvgnRLXaEUn_d8HGkp_HIx8rr"
      "pkx4BVs6X_B6ZjhLlezjIdJbLbVeb92BaEsmNn1HW2N9Xj2QM8cH-yx28_vCjf82ahQ9gyAr552Bn96G22n8jqFRQKdV"
      "pO-f-bvpvaP3IQ9F5LCX7CUaxptgbog1SFO6FI6ob5SlVVB00lVXsaYg8cIDZxCkkENkGiFPgwEaZ7995SCbiyCpUJbM"
      "qToLMgojPkAhWeyktu7TlK6UBWdJMHc3FPAIs0lH_2_2hKS-mGI1uZAFVAfW1X-mzKL0czUm2P1UlUox7IUMBAAE"));
  ASSERT_FALSE(rsa.has_value());
  EXPECT_EQ(rsa.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(rsa.error().message(), "unsupported algorithm: COSE kty 3, alg -257");
}

}  // namespace
}  // namespace vigie::webauthn::internal
