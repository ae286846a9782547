#include "crypto/aead.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <set>
#include <string>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/hash.h"
#include "crypto/internal/aead_testing.h"

namespace vigie::crypto {
namespace {

std::vector<uint8_t> Hex(std::string_view hex) {
  auto r = HexDecode(hex);
  EXPECT_TRUE(r.has_value()) << hex;
  return r.value_or(std::vector<uint8_t>{});
}

std::array<uint8_t, kAeadKeySize> TestKey(uint8_t seed) {
  std::array<uint8_t, kAeadKeySize> key{};
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(seed + i);
  return key;
}

// draft-irtf-cfrg-xchacha-03, appendix A.3.1 (AEAD_XChaCha20_Poly1305).
TEST(AeadTest, DraftXChaChaVector) {
  const auto key = TestKey(0x80);
  const std::vector<uint8_t> nonce = Hex("404142434445464748494a4b4c4d4e4f5051525354555657");
  const std::vector<uint8_t> ad = Hex("50515253c0c1c2c3c4c5c6c7");
  const std::string plaintext =
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, "
      "sunscreen would be it.";
  const std::string ciphertext =
      "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb"
      "731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452"
      "2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
      "21f9664c97637da9768812f615c68b13b52e";
  const std::string tag = "c0875924c1c7987947deafd8780acf49";

  const std::vector<uint8_t> sealed = internal::SealWithNonce(
      key, std::span<const uint8_t, kAeadNonceSize>(nonce.data(), kAeadNonceSize),
      AsBytes(plaintext), ad);
  EXPECT_EQ(HexEncode(sealed), HexEncode(nonce) + ciphertext + tag);

  auto opened = Open(key, sealed, ad);
  ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
  EXPECT_EQ(AsText(*opened), plaintext);
}

TEST(AeadTest, RoundTrip) {
  const auto key = TestKey(1);
  const std::string msg = "DUPONT Jean, born 1970-01-01";
  const std::vector<uint8_t> sealed = Seal(key, AsBytes(msg), AsBytes("person:17:name"));
  EXPECT_EQ(sealed.size(), msg.size() + kAeadOverhead);
  auto opened = Open(key, sealed, AsBytes("person:17:name"));
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(AsText(*opened), msg);
}

TEST(AeadTest, EmptyPlaintextAndAd) {
  const auto key = TestKey(2);
  const std::vector<uint8_t> sealed = Seal(key, {}, {});
  EXPECT_EQ(sealed.size(), kAeadOverhead);
  auto opened = Open(key, sealed, {});
  ASSERT_TRUE(opened.has_value());
  EXPECT_TRUE(opened->empty());
}

TEST(AeadTest, NoncesAreFresh) {
  const auto key = TestKey(3);
  const std::vector<uint8_t> a = Seal(key, AsBytes("same"), {});
  const std::vector<uint8_t> b = Seal(key, AsBytes("same"), {});
  EXPECT_NE(a, b);
  EXPECT_FALSE(std::equal(a.begin(), a.begin() + kAeadNonceSize, b.begin()));
}

TEST(AeadTest, AnyModifiedByteIsDataLoss) {
  const auto key = TestKey(4);
  const std::vector<uint8_t> sealed = Seal(key, AsBytes("secret record"), AsBytes("ad"));
  for (size_t i = 0; i < sealed.size(); ++i) {
    for (uint8_t flip : {0x01, 0x80}) {
      std::vector<uint8_t> bad = sealed;
      bad[i] ^= flip;
      auto r = Open(key, bad, AsBytes("ad"));
      ASSERT_FALSE(r.has_value()) << "byte " << i;
      EXPECT_EQ(r.error().code(), ErrorCode::kDataLoss);
    }
  }
}

TEST(AeadTest, WrongAdOrKeyIsDataLoss) {
  const auto key = TestKey(5);
  const std::vector<uint8_t> sealed = Seal(key, AsBytes("secret"), AsBytes("person:1"));
  for (std::string_view ad : {"person:2", "", "person:1 ", "Person:1"}) {
    auto r = Open(key, sealed, AsBytes(ad));
    ASSERT_FALSE(r.has_value()) << ad;
    EXPECT_EQ(r.error().code(), ErrorCode::kDataLoss);
  }
  auto wrong_key = Open(TestKey(6), sealed, AsBytes("person:1"));
  ASSERT_FALSE(wrong_key.has_value());
  EXPECT_EQ(wrong_key.error().code(), ErrorCode::kDataLoss);
}

TEST(AeadTest, ShortOrTruncatedInputIsDataLoss) {
  const auto key = TestKey(7);
  const std::vector<uint8_t> sealed = Seal(key, AsBytes("x"), {});
  for (size_t len : {size_t{0}, size_t{1}, kAeadNonceSize, kAeadOverhead - 1, kAeadOverhead,
                     sealed.size() - 1}) {
    auto r = Open(key, std::span(sealed).first(len), {});
    ASSERT_FALSE(r.has_value()) << len;
    EXPECT_EQ(r.error().code(), ErrorCode::kDataLoss) << len;
  }
  std::vector<uint8_t> longer = sealed;
  longer.push_back(0);
  EXPECT_FALSE(Open(key, longer, {}).has_value());
}

TEST(AeadTest, NoncesNeverRepeatAcrossPoolRefills) {
  std::array<uint8_t, kAeadKeySize> key{};
  std::set<std::vector<uint8_t>> nonces;
  for (int i = 0; i < 1000; ++i) {  // > 5 refills of the 4 KiB nonce pool
    auto sealed = Seal(key, std::vector<uint8_t>{1}, {});
    nonces.insert(std::vector<uint8_t>(sealed.begin(), sealed.begin() + kAeadNonceSize));
  }
  EXPECT_EQ(nonces.size(), 1000u);
}

// A forked child inherits the parent's half-used nonce pool; it must draw a
// fresh one, or parent and child would seal with the same nonces.
TEST(AeadTest, ForkedChildNeverReusesTheParentsNonces) {
  const auto key = TestKey(5);
  auto nonce_of = [](const std::vector<uint8_t>& sealed) {
    return std::vector<uint8_t>(sealed.begin(), sealed.begin() + kAeadNonceSize);
  };
  Seal(key, AsBytes("fill the pool"), {});
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::vector<uint8_t> nonce = nonce_of(Seal(key, AsBytes("child"), {}));
    ssize_t written = ::write(fds[1], nonce.data(), nonce.size());
    ::_exit(written == static_cast<ssize_t>(nonce.size()) ? 0 : 1);
  }
  ::close(fds[1]);
  std::vector<uint8_t> child_nonce(kAeadNonceSize);
  ASSERT_EQ(::read(fds[0], child_nonce.data(), child_nonce.size()),
            static_cast<ssize_t>(kAeadNonceSize));
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_NE(nonce_of(Seal(key, AsBytes("parent"), {})), child_nonce);
}

}  // namespace
}  // namespace vigie::crypto
