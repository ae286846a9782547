#include "crypto/secret_bytes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <ostream>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace vigie::crypto {
namespace {

template <typename T>
concept Streamable = requires(std::ostream& os, const T& t) {
  os << t;
};

static_assert(!std::is_copy_constructible_v<SecretBytes>);
static_assert(!std::is_copy_assignable_v<SecretBytes>);
static_assert(std::is_nothrow_move_constructible_v<SecretBytes>);
static_assert(!Streamable<SecretBytes>, "a secret must not be printable");

TEST(SecretBytesTest, DefaultIsEmpty) {
  SecretBytes s;
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.size(), 0u);
  EXPECT_TRUE(s.view().empty());
}

TEST(SecretBytesTest, SizedConstructorIsZeroFilled) {
  SecretBytes s(16);
  ASSERT_EQ(s.size(), 16u);
  for (uint8_t b : s.view()) EXPECT_EQ(b, 0);
}

TEST(SecretBytesTest, CopiesFromSpan) {
  const std::array<uint8_t, 4> raw = {1, 2, 3, 4};
  SecretBytes s(raw);
  ASSERT_EQ(s.size(), 4u);
  EXPECT_TRUE(ConstantTimeEquals(s.view(), raw));
}

TEST(SecretBytesTest, RandomHasRequestedSizeAndDiffers) {
  SecretBytes a = SecretBytes::Random(32);
  SecretBytes b = SecretBytes::Random(32);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_FALSE(ConstantTimeEquals(a.view(), b.view()));
  EXPECT_TRUE(SecretBytes::Random(0).empty());
}

TEST(SecretBytesTest, MoveLeavesSourceEmpty) {
  const std::array<uint8_t, 3> raw = {9, 8, 7};
  SecretBytes a(raw);
  SecretBytes b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): checking the contract
  EXPECT_TRUE(ConstantTimeEquals(b.view(), raw));

  SecretBytes c = SecretBytes::Random(8);
  c = std::move(b);
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(ConstantTimeEquals(c.view(), raw));
}

TEST(SecretBytesTest, SelfMoveAssignKeepsValue) {
  const std::array<uint8_t, 2> raw = {5, 6};
  SecretBytes a(raw);
  SecretBytes& alias = a;
  a = std::move(alias);
  EXPECT_TRUE(ConstantTimeEquals(a.view(), raw));
}

TEST(SecretBytesTest, CloneIsIndependent) {
  SecretBytes a = SecretBytes::Random(8);
  SecretBytes b = a.Clone();
  EXPECT_TRUE(ConstantTimeEquals(a.view(), b.view()));
  b.mutable_view()[0] ^= 0xff;
  EXPECT_FALSE(ConstantTimeEquals(a.view(), b.view()));
}

TEST(WipeBytesTest, ZeroesEveryByteAndTakesAnEmptySpan) {
  std::array<uint8_t, 32> key;
  key.fill(0xA5);
  WipeBytes(key);
  EXPECT_TRUE(std::all_of(key.begin(), key.end(), [](uint8_t b) { return b == 0; }));
  WipeBytes({});
}

TEST(ConstantTimeEqualsTest, ComparesLengthAndContent) {
  const std::vector<uint8_t> a = {1, 2, 3, 4};
  const std::vector<uint8_t> same = {1, 2, 3, 4};
  const std::vector<uint8_t> last_differs = {1, 2, 3, 5};
  const std::vector<uint8_t> first_differs = {0, 2, 3, 4};
  const std::vector<uint8_t> prefix = {1, 2, 3};
  const std::vector<uint8_t> empty;
  EXPECT_TRUE(ConstantTimeEquals(a, same));
  EXPECT_FALSE(ConstantTimeEquals(a, last_differs));
  EXPECT_FALSE(ConstantTimeEquals(a, first_differs));
  EXPECT_FALSE(ConstantTimeEquals(a, prefix));
  EXPECT_FALSE(ConstantTimeEquals(prefix, a));
  EXPECT_FALSE(ConstantTimeEquals(a, empty));
  EXPECT_TRUE(ConstantTimeEquals(empty, empty));
}

std::span<const uint8_t> Text(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

TEST(HexSecretTest, RoundTripsAndRefusesAnythingButExactlyTheBytes) {
  const std::array<uint8_t, 3> bytes{0x00, 0xAB, 0x7F};
  const SecretBytes hex = HexEncodeSecret(bytes);
  EXPECT_TRUE(ConstantTimeEquals(hex.view(), Text("00ab7f")));
  auto decoded = HexDecodeSecret(Text("00AB7f"), 3);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_TRUE(ConstantTimeEquals(decoded->view(), bytes));
  for (std::string_view bad : {"00ab7", "00ab7f00", "00ab7fx", "00ab", "", "0 ab7f"}) {
    EXPECT_FALSE(HexDecodeSecret(Text(bad), 3).has_value()) << bad;
  }
}

TEST(InitCryptoTest, IsIdempotent) {
  InitCrypto();
  InitCrypto();
  SUCCEED();
}

}  // namespace
}  // namespace vigie::crypto
