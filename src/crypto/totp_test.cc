#include "crypto/totp.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "crypto/hash.h"
#include "crypto/random.h"

namespace vigie::crypto {
namespace {

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

// RFC 6238 appendix B, SHA-1 rows (8 digits, 30 s steps).
TEST(TotpTest, Rfc6238Vectors) {
  const auto seed = Bytes("12345678901234567890");
  const TotpParameters eight{.digits = 8};
  const std::pair<int64_t, const char*> rows[] = {
      {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
      {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
  };
  for (const auto& [time, code] : rows) {
    EXPECT_EQ(TotpCode(seed, TotpStep(time, eight), eight), code) << time;
  }
}

TEST(TotpTest, VerifyAcceptsOneStepOfDriftAndReportsWhichStep) {
  const auto seed = Bytes("12345678901234567890");
  const int64_t now = 1'800'000'000;
  const int64_t step = TotpStep(now);
  EXPECT_EQ(TotpVerify(seed, TotpCode(seed, step), now), step);
  EXPECT_EQ(TotpVerify(seed, TotpCode(seed, step - 1), now), step - 1);
  EXPECT_EQ(TotpVerify(seed, TotpCode(seed, step + 1), now), step + 1);
  EXPECT_FALSE(TotpVerify(seed, TotpCode(seed, step - 2), now).has_value());
  EXPECT_FALSE(TotpVerify(seed, TotpCode(seed, step + 2), now).has_value());
}

TEST(TotpTest, MalformedCodesAreRefused) {
  const auto seed = Bytes("12345678901234567890");
  const int64_t now = 1'800'000'000;
  std::string good = TotpCode(seed, TotpStep(now));
  for (std::string bad : {std::string(""), good.substr(0, 5), good + "0", std::string("12 456"),
                          std::string("abcdef"), std::string("-12345"), std::string("１２３４５６")}) {
    EXPECT_FALSE(TotpVerify(seed, bad, now).has_value()) << bad;
  }
  EXPECT_FALSE(TotpVerify(Bytes("another seed of twenty"), good, now).has_value());
}

TEST(TotpTest, Base32Rfc4648Vectors) {
  const std::pair<const char*, const char*> rows[] = {
      {"", ""},          {"f", "MY"},          {"fo", "MZXQ"},        {"foo", "MZXW6"},
      {"foob", "MZXW6YQ"}, {"fooba", "MZXW6YTB"}, {"foobar", "MZXW6YTBOI"},
  };
  for (const auto& [plain, encoded] : rows) {
    EXPECT_EQ(Base32Encode(Bytes(plain)), encoded);
    auto decoded = Base32Decode(encoded);
    ASSERT_TRUE(decoded.has_value()) << encoded;
    EXPECT_EQ(*decoded, Bytes(plain));
  }
  auto padded = Base32Decode("mzxw 6ytb oi======");
  ASSERT_TRUE(padded.has_value());
  EXPECT_EQ(*padded, Bytes("foobar"));
  EXPECT_FALSE(Base32Decode("MZXW1").has_value());  // '1' is not in the alphabet
  EXPECT_FALSE(Base32Decode("M").has_value());      // one symbol cannot hold a byte
}

// An independent implementation: oathtool (Debian package `oathtool`).
std::string Oathtool(const std::string& base32, int64_t time) {
  std::string command = "oathtool --totp -b " + base32 + " -N @" + std::to_string(time) + " 2>&1";
  std::string out;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buffer[128];
    while (std::fgets(buffer, sizeof buffer, pipe)) out += buffer;
    ::pclose(pipe);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

TEST(TotpTest, AgreesWithOathtool) {
  SystemRandom random;
  for (int i = 0; i < 20; ++i) {
    std::vector<uint8_t> seed(20);
    random.Fill(seed);
    int64_t time = 1'600'000'000 + i * 7919;
    EXPECT_EQ(TotpCode(seed, TotpStep(time)), Oathtool(Base32Encode(seed), time));
  }
}

}  // namespace
}  // namespace vigie::crypto
