#include "webauthn/internal/der_signature.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/hash.h"

namespace vigie::webauthn::internal {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes Hex(std::string_view hex) { return crypto::HexDecode(hex).value(); }

std::string Convert(std::string_view der_hex) {
  auto raw = DerToEs256Signature(Hex(der_hex));
  return raw ? crypto::HexEncode(*raw) : raw.error().ToString();
}

TEST(DerSignatureTest, ConvertsToFixedWidthRAndS) {
  // W3C WebAuthn L3 §16.2 assertion signature: both integers carry a 00 sign byte.
  EXPECT_EQ(Convert("3046022100f50a4e2e4409249c4a853ba361282f09841df4dd4547a13a87780218deffcd3802"
                    "21008480ac0f0b93538174f575bf11a1dd5d78c6e486013f937295ea13653e331e87"),
            "f50a4e2e4409249c4a853ba361282f09841df4dd4547a13a87780218deffcd38"
            "8480ac0f0b93538174f575bf11a1dd5d78c6e486013f937295ea13653e331e87");
  // Short integers are left-padded with zeros.
  EXPECT_EQ(Convert("3006020101020102"), std::string(62, '0') + "01" + std::string(62, '0') + "02");
  EXPECT_EQ(Convert("3006020100020100"), std::string(128, '0'));  // range is Verify's job
}

TEST(DerSignatureTest, RefusesAnythingButStrictDer) {
  const std::string r32 = "0220" + std::string(62, '1') + "01";
  const std::string s1 = "020101";
  auto refused = [](const std::string& hex) {
    auto raw = DerToEs256Signature(Hex(hex));
    return !raw && raw.error().code() == ErrorCode::kInvalidArgument;
  };
  EXPECT_FALSE(refused("3025" + r32 + s1));
  EXPECT_TRUE(refused(""));
  EXPECT_TRUE(
      refused("31"
              "25" +
              r32 + s1));                              // SET, not SEQUENCE
  EXPECT_TRUE(refused("3026" + r32 + s1));             // length too long
  EXPECT_TRUE(refused("3024" + r32 + s1));             // length too short
  EXPECT_TRUE(refused("3025" + r32 + s1 + "00"));      // trailing byte
  EXPECT_TRUE(refused("308125" + r32 + s1));           // long-form length
  EXPECT_TRUE(refused("3028" + r32 + s1 + "020100"));  // a third INTEGER
  EXPECT_TRUE(refused("3022" + r32));                  // s missing
  EXPECT_TRUE(refused("3026" + r32 + "03020001"));     // BIT STRING for s
  EXPECT_TRUE(refused("3026" + r32 + "02020001"));     // non-minimal: 00 before 01
  EXPECT_TRUE(refused("3025" + r32 + "020181"));       // negative
  EXPECT_TRUE(refused("3024" + r32 + "0200"));         // empty INTEGER
  EXPECT_TRUE(refused("3026" + r32 + "02810101"));     // long-form INTEGER length
  // 33 bytes without a sign byte, and 34 with one: both exceed P-256.
  EXPECT_TRUE(
      refused("3026"
              "0221" +
              std::string(66, '1') + s1));
  EXPECT_TRUE(
      refused("3027"
              "022200" +
              std::string(66, '8') + s1));
  // A sign byte is needed (so minimal) before a high bit.
  EXPECT_FALSE(
      refused("3025"
              "022000" +
              std::string(62, '8') + s1));
}

}  // namespace
}  // namespace vigie::webauthn::internal
