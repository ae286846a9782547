#include "crypto/ecdsa.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/bytes.h"
#include "crypto/hash.h"

namespace vigie::crypto {
namespace {

std::vector<uint8_t> B64u(std::string_view text) {
  auto bytes = Base64UrlDecode(text);
  EXPECT_TRUE(bytes.has_value()) << text;
  return bytes.value_or(std::vector<uint8_t>{});
}

// RFC 7515 appendix A.3: a JWS signed with ES256.
constexpr std::string_view kX = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr std::string_view kY = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
constexpr std::string_view kD = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";
constexpr std::string_view kSigningInput =
    "eyJhbGciOiJFUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
constexpr std::string_view kSignature =
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

TEST(Es256Test, VerifiesTheRfc7515Example) {
  auto key = Es256PublicKey::FromCoordinates(B64u(kX), B64u(kY));
  ASSERT_TRUE(key.has_value());
  EXPECT_TRUE(key->Verify(AsBytes(kSigningInput), B64u(kSignature)));
  std::string altered(kSigningInput);
  altered.back() = 'R';
  EXPECT_FALSE(key->Verify(AsBytes(altered), B64u(kSignature)));
}

TEST(Es256Test, PrivateScalarDerivesTheRfcPublicKeyAndSignsVerifiably) {
  auto key = Es256PrivateKey::FromScalar(B64u(kD));
  ASSERT_TRUE(key.has_value());
  auto x = B64u(kX), y = B64u(kY);
  EXPECT_TRUE(std::equal(x.begin(), x.end(), key->public_key().x().begin()));
  EXPECT_TRUE(std::equal(y.begin(), y.end(), key->public_key().y().begin()));
  Es256Signature signature = key->Sign(AsBytes("a DPoP proof"));
  EXPECT_TRUE(key->public_key().Verify(AsBytes("a DPoP proof"), signature));
}

TEST(Es256Test, ForgedOrMalformedSignaturesAreRefused) {
  Es256PrivateKey key = Es256PrivateKey::Generate();
  Es256PrivateKey other = Es256PrivateKey::Generate();
  Es256Signature signature = key.Sign(AsBytes("message"));
  EXPECT_TRUE(key.public_key().Verify(AsBytes("message"), signature));
  EXPECT_FALSE(other.public_key().Verify(AsBytes("message"), signature));
  EXPECT_FALSE(key.public_key().Verify(AsBytes("messagE"), signature));
  Es256Signature flipped = signature;
  flipped[40] ^= 0x01;
  EXPECT_FALSE(key.public_key().Verify(AsBytes("message"), flipped));
  EXPECT_FALSE(key.public_key().Verify(AsBytes("message"), std::span(signature).first(63)));
  Es256Signature zero{};  // r = s = 0 is out of range
  EXPECT_FALSE(key.public_key().Verify(AsBytes("message"), zero));
}

TEST(Es256Test, PointsOffTheCurveAndBadScalarsAreRefused) {
  auto x = B64u(kX), y = B64u(kY);
  y[31] ^= 0x01;
  EXPECT_FALSE(Es256PublicKey::FromCoordinates(x, y).has_value());
  EXPECT_FALSE(Es256PublicKey::FromCoordinates(std::span(x).first(31), y).has_value());
  std::vector<uint8_t> zero(32, 0), too_big(32, 0xff);
  EXPECT_FALSE(Es256PrivateKey::FromScalar(zero).has_value());
  EXPECT_FALSE(Es256PrivateKey::FromScalar(too_big).has_value());
}

}  // namespace
}  // namespace vigie::crypto
