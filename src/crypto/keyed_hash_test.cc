#include "crypto/keyed_hash.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <array>
#include <initializer_list>
#include <string>
#include <utility>

#include "crypto/hash.h"

namespace vigie::crypto {
namespace {

std::array<uint8_t, 16> SipKey() {
  std::array<uint8_t, 16> key{};
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i);
  return key;
}

std::string Counting(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(i));
  return s;
}

// SipHash reference implementation, vectors.h (vectors_sip64): key 00..0f,
// message 00..(n-1), output read little-endian.
TEST(SearchKeyHasherTest, ReferenceVectors) {
  const auto key = SipKey();
  SearchKeyHasher hasher(key);
  // The SipHash paper's appendix A example: a 15-byte message.
  EXPECT_EQ(hasher.Hash(Counting(15)), 0xa129ca6149be45e5ULL);
  EXPECT_EQ(hasher.Hash(Counting(0)), 0x726fdb47dd0e0e31ULL);
  EXPECT_EQ(hasher.Hash(Counting(8)), 0x93f5f5799a932462ULL);
  EXPECT_EQ(hasher.Hash(Counting(63)), 0x958a324ceb064572ULL);
}

TEST(SearchKeyHasherTest, DependsOnKey) {
  auto key = SipKey();
  SearchKeyHasher a(key);
  key[0] ^= 1;
  SearchKeyHasher b(key);
  EXPECT_NE(a.Hash("DUPONT"), b.Hash("DUPONT"));
  EXPECT_EQ(a.Hash("DUPONT"), a.Hash("DUPONT"));
  EXPECT_NE(a.Hash("DUPONT"), a.Hash("DUPOND"));
}

TEST(SearchKeyHasherTest, AgreesWithLibsodiumOnEveryLength) {
  std::array<uint8_t, 16> key;
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(31 * i + 7);
  SearchKeyHasher hasher(key);
  std::string data;
  for (int n = 0; n < 80; ++n) {
    uint8_t expected[8];
    crypto_shorthash_siphash24(expected, reinterpret_cast<const uint8_t*>(data.data()),
                               data.size(), key.data());
    uint64_t want = 0;
    for (int i = 7; i >= 0; --i) want = (want << 8) | expected[i];
    EXPECT_EQ(hasher.Hash(data), want) << "length " << n;
    data.push_back(static_cast<char>(n * 13 + 1));
  }
}

// Two words hash as their 16 little-endian bytes do, checked against
// libsodium; the reference vector of 16 bytes 00..0f first.
TEST(SearchKeyHasherTest, TwoWordsHashAsTheirSixteenBytes) {
  SearchKeyHasher reference(SipKey());
  EXPECT_EQ(reference.HashWords(0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL),
            reference.Hash(Counting(16)));
  EXPECT_EQ(reference.HashWords(0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL),
            0x3f2acc7f57c29bdbULL);
  std::array<uint8_t, 16> key;
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(17 * i + 3);
  SearchKeyHasher hasher(key);
  for (const auto& [first, second] :
       std::initializer_list<std::pair<uint64_t, uint64_t>>{{0, 0},
                                                            {1, 0},
                                                            {0, 1},
                                                            {0x8000000000000000ULL, 42},
                                                            {UINT64_MAX, UINT64_MAX},
                                                            {123456789, 987654321}}) {
    uint8_t bytes[16], expected[8];
    for (int i = 0; i < 8; ++i) {
      bytes[i] = static_cast<uint8_t>(first >> (8 * i));
      bytes[8 + i] = static_cast<uint8_t>(second >> (8 * i));
    }
    crypto_shorthash_siphash24(expected, bytes, sizeof bytes, key.data());
    uint64_t want = 0;
    for (int i = 7; i >= 0; --i) want = (want << 8) | expected[i];
    EXPECT_EQ(hasher.HashWords(first, second), want) << first << " " << second;
  }
}

// Python hashlib.blake2b(data, key=bytes(range(32)), digest_size=32).
TEST(KeyedBlake2bTest, MatchesIndependentImplementation) {
  std::array<uint8_t, 32> key{};
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i);
  EXPECT_EQ(HexEncode(KeyedBlake2b(key, std::string_view())),
            "4e51e7a913fc80137da52880fecca175bf81e117d5c68126dc2774033517ea0d");
  EXPECT_EQ(HexEncode(KeyedBlake2b(key, "vigie")),
            "e4be0d3913e5b0e8ca52edbbf77705fb0da59ae9dafb7f147ddc0b8a41da22e9");
  std::vector<uint8_t> all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<uint8_t>(i));
  EXPECT_EQ(HexEncode(KeyedBlake2b(key, all)),
            "b42be36ea26392f67d1d3706ffa72b6c61c2ff38e1fabd9a49e154d54b967d83");
}

TEST(KeyedBlake2bTest, DependsOnKey) {
  std::array<uint8_t, 32> a{};
  std::array<uint8_t, 32> b{};
  b[31] = 1;
  EXPECT_NE(KeyedBlake2b(a, "x"), KeyedBlake2b(b, "x"));
}

}  // namespace
}  // namespace vigie::crypto
