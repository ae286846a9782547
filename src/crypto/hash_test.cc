#include "crypto/hash.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/bytes.h"

namespace vigie::crypto {
namespace {

std::vector<uint8_t> Bytes(std::string_view s) {
  auto b = AsBytes(s);
  return {b.begin(), b.end()};
}

// --- SHA-256: FIPS 180-2 appendix B examples -------------------------------

TEST(Sha256Test, Abc) {
  EXPECT_EQ(HexEncode(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Test, FourHundredFortyEightBitMessage) {
  EXPECT_EQ(HexEncode(Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Test, OneMillionA) {
  const std::string million(1000000, 'a');
  const std::string want = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
  EXPECT_EQ(HexEncode(Sha256(million)), want);

  Sha256Hasher hasher;
  const std::string chunk(1000, 'a');
  for (int i = 0; i < 1000; ++i) hasher.Update(chunk);
  EXPECT_EQ(HexEncode(hasher.Final()), want);
}

TEST(Sha256Test, Empty) {
  EXPECT_EQ(HexEncode(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  Sha256Hasher hasher;
  EXPECT_EQ(hasher.Final(), Sha256(""));
}

TEST(Sha256HasherTest, AnySplitGivesTheOneShotDigest) {
  std::string msg;
  for (int i = 0; i < 300; ++i) msg.push_back(static_cast<char>(i * 7 + 1));
  const Sha256Digest whole = Sha256(msg);
  for (size_t split : {0, 1, 55, 56, 63, 64, 65, 128, 299, 300}) {
    Sha256Hasher hasher;
    hasher.Update(std::string_view(msg).substr(0, split));
    hasher.Update(std::string_view(msg).substr(split));
    EXPECT_EQ(hasher.Final(), whole) << "split at " << split;
  }
}

TEST(Sha256HasherTest, FinalResetsForReuse) {
  Sha256Hasher hasher;
  hasher.Update("abc");
  const Sha256Digest first = hasher.Final();
  hasher.Update("abc");
  EXPECT_EQ(hasher.Final(), first);
  EXPECT_EQ(hasher.Final(), Sha256(""));
}

TEST(Sha256HasherTest, Movable) {
  Sha256Hasher a;
  a.Update("ab");
  Sha256Hasher b(std::move(a));
  b.Update("c");
  EXPECT_EQ(b.Final(), Sha256("abc"));
}

// --- HMAC-SHA-256: RFC 4231 section 4 ---------------------------------------

struct HmacCase {
  int number;
  std::vector<uint8_t> key;
  std::vector<uint8_t> data;
  const char* want;
};

TEST(HmacSha256Test, Rfc4231) {
  std::vector<uint8_t> key4;
  for (uint8_t i = 1; i <= 25; ++i) key4.push_back(i);
  const HmacCase cases[] = {
      {1, std::vector<uint8_t>(20, 0x0b), Bytes("Hi There"),
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {2, Bytes("Jefe"), Bytes("what do ya want for nothing?"),
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {3, std::vector<uint8_t>(20, 0xaa), std::vector<uint8_t>(50, 0xdd),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {4, key4, std::vector<uint8_t>(50, 0xcd),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {6, std::vector<uint8_t>(131, 0xaa),
       Bytes("Test Using Larger Than Block-Size Key - Hash Key First"),
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {7, std::vector<uint8_t>(131, 0xaa),
       Bytes("This is a test using a larger than block-size key and a larger than block-size "
             "data. The key needs to be hashed before being used by the HMAC algorithm."),
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
  for (const HmacCase& c : cases) {
    EXPECT_EQ(HexEncode(HmacSha256(c.key, c.data)), c.want) << "test case " << c.number;
  }
}

TEST(HmacSha256Test, EmptyKeyAndMessage) {
  // Cross-checked with Python's hmac module.
  EXPECT_EQ(HexEncode(HmacSha256({}, {})),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

// --- HMAC-SHA-1: RFC 2202 section 3 -----------------------------------------

TEST(HmacSha1Test, Rfc2202) {
  EXPECT_EQ(HexEncode(HmacSha1(std::vector<uint8_t>(20, 0x0b), Bytes("Hi There"))),
            "b617318655057264e28bc0b6fb378c8ef146be00");
  EXPECT_EQ(HexEncode(HmacSha1(Bytes("Jefe"), Bytes("what do ya want for nothing?"))),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

TEST(HmacSha1Test, EmptyKeyAndMessage) {
  EXPECT_EQ(HexEncode(HmacSha1({}, {})), "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d");
}

// --- Hex ---------------------------------------------------------------------

TEST(HexTest, RoundTrip) {
  const std::vector<uint8_t> data = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
  EXPECT_EQ(HexEncode(data), "00017f80abff");
  auto decoded = HexDecode("00017f80abff");
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, data);
  auto upper = HexDecode("00017F80ABFF");
  ASSERT_TRUE(upper.has_value());
  EXPECT_EQ(*upper, data);
  EXPECT_EQ(HexEncode({}), "");
  ASSERT_TRUE(HexDecode("").has_value());
  EXPECT_TRUE(HexDecode("")->empty());
}

TEST(HexTest, RejectsMalformed) {
  for (std::string_view bad : {"0", "abc", "zz", "0g", " 00", "00 ", "0x00", "00:11"}) {
    auto r = HexDecode(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument) << bad;
  }
}

// --- Base64: RFC 4648 section 10 ---------------------------------------------

TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(AsBytes(plain)), encoded);
    auto decoded = Base64Decode(encoded);
    ASSERT_TRUE(decoded.has_value()) << encoded;
    EXPECT_EQ(AsText(*decoded), plain);
  }
}

TEST(Base64Test, RejectsMalformed) {
  for (std::string_view bad :
       {"Zg", "Zg=", "Zg===", "Zm9v!", " Zm9v", "Zm9v\n", "Zh==", "-_8=", "Z", "Zm9vYmFy="}) {
    auto r = Base64Decode(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument) << bad;
  }
}

TEST(Base64UrlTest, UsesUrlAlphabetWithoutPadding) {
  const std::vector<uint8_t> data = {0xfb, 0xff};
  EXPECT_EQ(Base64Encode(data), "+/8=");
  EXPECT_EQ(Base64UrlEncode(data), "-_8");
  auto decoded = Base64UrlDecode("-_8");
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, data);
  EXPECT_EQ(Base64UrlEncode(AsBytes("foobar")), "Zm9vYmFy");
  EXPECT_EQ(Base64UrlEncode(AsBytes("f")), "Zg");
}

TEST(Base64UrlTest, RejectsMalformed) {
  for (std::string_view bad : {"+/8", "-_8=", "Zg==", "Z", "Zh", "a b"}) {
    auto r = Base64UrlDecode(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument) << bad;
  }
}

TEST(Base64Test, RoundTripsAllByteValues) {
  std::vector<uint8_t> data;
  for (int i = 0; i < 256; ++i) data.push_back(static_cast<uint8_t>(i));
  for (size_t n = 0; n <= data.size(); n += 37) {
    std::span<const uint8_t> part(data.data(), n);
    auto std_rt = Base64Decode(Base64Encode(part));
    auto url_rt = Base64UrlDecode(Base64UrlEncode(part));
    ASSERT_TRUE(std_rt.has_value());
    ASSERT_TRUE(url_rt.has_value());
    EXPECT_TRUE(std::equal(part.begin(), part.end(), std_rt->begin(), std_rt->end()));
    EXPECT_TRUE(std::equal(part.begin(), part.end(), url_rt->begin(), url_rt->end()));
  }
}

}  // namespace
}  // namespace vigie::crypto
