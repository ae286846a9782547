#include "session/bearer_token.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tests/support/matchers.h"

namespace vigie::session {
namespace {

using ::vigie::testing::ErrorCodeIs;

TEST(BearerTokenTest, CarriesItsKindPrefixAnd256RandomBits) {
  BearerToken access = BearerToken::Generate(TokenKind::kAccess);
  BearerToken refresh = BearerToken::Generate(TokenKind::kRefresh);
  EXPECT_TRUE(access.reveal().starts_with("va_"));
  EXPECT_TRUE(refresh.reveal().starts_with("vr_"));
  ASSERT_EQ(access.reveal().size(), kTokenLength);
  auto random = crypto::Base64UrlDecode(access.reveal().substr(3));
  ASSERT_OK(random);
  EXPECT_EQ(random->size(), kTokenRandomBytes);
}

TEST(BearerTokenTest, NeverRepeats) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    seen.insert(std::string(BearerToken::Generate(TokenKind::kAccess).reveal()));
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(BearerTokenTest, DigestIsTheSha256OfTheWholeText) {
  BearerToken token = BearerToken::Generate(TokenKind::kRefresh);
  EXPECT_EQ(token.digest(), crypto::Sha256(token.reveal()));
  auto presented = DigestPresentedToken(TokenKind::kRefresh, token.reveal());
  ASSERT_OK(presented);
  EXPECT_EQ(*presented, token.digest());
}

TEST(BearerTokenTest, RefusesMalformedOrWrongKindTokens) {
  BearerToken access = BearerToken::Generate(TokenKind::kAccess);
  std::string text(access.reveal());
  EXPECT_THAT(DigestPresentedToken(TokenKind::kRefresh, text),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_THAT(DigestPresentedToken(TokenKind::kAccess, ""),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_THAT(DigestPresentedToken(TokenKind::kAccess, text.substr(0, text.size() - 1)),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_THAT(DigestPresentedToken(TokenKind::kAccess, text + "A"),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
  std::string bad_char = text;
  bad_char[10] = '+';
  EXPECT_THAT(DigestPresentedToken(TokenKind::kAccess, bad_char),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
  std::string with_nul = text;
  with_nul[10] = '\0';
  EXPECT_THAT(DigestPresentedToken(TokenKind::kAccess, with_nul),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
}

}  // namespace
}  // namespace vigie::session
