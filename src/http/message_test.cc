#include "http/message.h"

#include <gtest/gtest.h>

namespace vigie::http {
namespace {

TEST(RequestTest, HeaderLookupIsCaseInsensitiveAndReturnsTheFirst) {
  Request r;
  r.headers = {{"Content-Type", "application/json"}, {"DPoP", "a"}, {"dpop", "b"}};
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_EQ(r.Header("DPOP"), "a");
  EXPECT_FALSE(r.Header("Authorization").has_value());
}

TEST(RequestTest, PathAndQuerySplitAtTheFirstQuestionMark) {
  Request r;
  r.target = "/api/v1/search?name=dupont&x=?";
  EXPECT_EQ(r.Path(), "/api/v1/search");
  EXPECT_EQ(r.Query(), "name=dupont&x=?");
  r.target = "/healthz";
  EXPECT_EQ(r.Path(), "/healthz");
  EXPECT_EQ(r.Query(), "");
}

TEST(EqualsIgnoreCaseTest, ComparesAsciiOnly) {
  EXPECT_TRUE(EqualsIgnoreCase("X-Request-Id", "x-request-id"));
  EXPECT_FALSE(EqualsIgnoreCase("abc", "abcd"));
  EXPECT_FALSE(EqualsIgnoreCase("\xc3\xa9", "\xc3\x89"));  // no Unicode folding
}

}  // namespace
}  // namespace vigie::http
