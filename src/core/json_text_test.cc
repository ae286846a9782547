#include "core/json_text.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

namespace vigie {
namespace {

std::string JsonString(std::string_view s) {
  std::string out;
  AppendJsonText(out, s);
  return out;
}

// Problem details, the access log and log lines quote text from outside: a
// French field name must read as sent, and hostile bytes must still give
// valid JSON that shows as stored.
TEST(JsonTextTest, KeepsUtf8EscapesControlsAndReplacesBytesThatAreNotUtf8) {
  EXPECT_EQ(JsonString("pr\xc3\xa9nom n\xc3\xa9_le \xe2\x82\xac \xf0\x9f\x98\x80"),
            "\"pr\xc3\xa9nom n\xc3\xa9_le \xe2\x82\xac \xf0\x9f\x98\x80\"");
  EXPECT_EQ(boost::json::parse(JsonString("pr\xc3\xa9nom")).as_string(), "pr\xc3\xa9nom");
  EXPECT_EQ(JsonString("a\"b\\c\n\x01\x7f"), "\"a\\\"b\\\\c\\n\\u0001\\u007f\"");
  EXPECT_EQ(JsonString("\xc2\x9b" "31m"), "\"\\u009b31m\"");  // C1 CSI
  EXPECT_EQ(JsonString("\xe2\x80\xae" "gnp.exe"), "\"\\u202egnp.exe\"");  // right-to-left override
  EXPECT_EQ(JsonString("a\xe2\x80\xa8" "b"), "\"a\\u2028b\"");  // line separator
  // A lone byte, a truncated sequence, an overlong '/', a surrogate.
  EXPECT_EQ(JsonString("\xff"), "\"\\ufffd\"");
  EXPECT_EQ(JsonString("\xc3("), "\"\\ufffd(\"");
  EXPECT_EQ(JsonString("\xc0\xaf"), "\"\\ufffd\\ufffd\"");
  EXPECT_EQ(JsonString("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");
  for (std::string_view hostile : {"\xff\xfe", "\xe2\x82", "\"\n\xc3"}) {
    EXPECT_NO_THROW(boost::json::parse(JsonString(hostile)));
  }
}

}  // namespace
}  // namespace vigie
