#include "identity/activation_code.h"

#include <gtest/gtest.h>

#include <set>

#include "crypto/bytes.h"
#include "tests/support/matchers.h"

namespace vigie::identity {
namespace {

using ::vigie::testing::ErrorCodeIs;

std::string Text(const crypto::SecretBytes& s) { return std::string(crypto::AsText(s.view())); }

TEST(ActivationCodeTest, HasSevenGroupsOfFourCrockfordSymbols) {
  std::string code = Text(GenerateActivationCode());
  ASSERT_EQ(code.size(), 34u);
  for (size_t i = 0; i < code.size(); ++i) {
    if (i % 5 == 4) {
      EXPECT_EQ(code[i], '-') << code;
    } else {
      EXPECT_NE(std::string_view("0123456789ABCDEFGHJKMNPQRSTVWXYZ").find(code[i]),
                std::string_view::npos)
          << code;
    }
  }
}

TEST(ActivationCodeTest, CodesAreDistinctAndUseTheWholeAlphabet) {
  std::set<std::string> codes;
  std::set<char> symbols;
  for (int i = 0; i < 200; ++i) {
    std::string code = Text(GenerateActivationCode());
    codes.insert(code);
    for (char c : code) symbols.insert(c);
  }
  EXPECT_EQ(codes.size(), 200u);
  EXPECT_EQ(symbols.size(), 33u);  // 32 symbols and '-'
}

TEST(ActivationCodeTest, TypingIsForgiving) {
  std::string code = Text(GenerateActivationCode());
  auto canonical = CanonicalActivationCode(code);
  ASSERT_OK(canonical);
  std::string compact;
  for (char c : code) {
    if (c != '-') compact += c;
  }
  EXPECT_EQ(Text(*canonical), compact);

  std::string lower;
  for (char c : code) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(Text(*CanonicalActivationCode(lower)), compact);
  EXPECT_EQ(Text(*CanonicalActivationCode(" " + compact.substr(0, 10) + " " + compact.substr(10))),
            compact);
  EXPECT_EQ(Text(*CanonicalActivationCode("OIL1" + compact.substr(4))), "0111" + compact.substr(4));
  EXPECT_EQ(Text(*CanonicalActivationCode("oil1" + compact.substr(4))), "0111" + compact.substr(4));
}

TEST(ActivationCodeTest, MalformedCodesAreRefused) {
  std::string code = Text(GenerateActivationCode());
  EXPECT_THAT(CanonicalActivationCode(""), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(CanonicalActivationCode(code.substr(0, code.size() - 1)),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(CanonicalActivationCode(code + "7"), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(CanonicalActivationCode("U" + code.substr(1)),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(CanonicalActivationCode(code.substr(1) + "!"),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  auto long_one = CanonicalActivationCode(std::string(10000, 'A'));
  ASSERT_THAT(long_one, ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_EQ(long_one.error().message().find("AAAA"), std::string::npos);  // no echo
}

TEST(ActivationCodeTest, HashIsOfTheCanonicalFormOnly) {
  std::string code = Text(GenerateActivationCode());
  std::string lower;
  for (char c : code) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(HashActivationCode(*CanonicalActivationCode(code)),
            HashActivationCode(*CanonicalActivationCode(lower)));
  EXPECT_NE(HashActivationCode(*CanonicalActivationCode(code)),
            HashActivationCode(*CanonicalActivationCode(Text(GenerateActivationCode()))));
  // Domain-separated: not the plain SHA-256 of the code.
  auto canonical = CanonicalActivationCode(code);
  EXPECT_NE(HashActivationCode(*canonical), crypto::Sha256(canonical->view()));
}

}  // namespace
}  // namespace vigie::identity
