#include "core/json_keys.h"

#include <gtest/gtest.h>

namespace vigie {
namespace {

TEST(RepeatedJsonKeyTest, NamesTheFirstKeyFoundTwiceInOneObject) {
  EXPECT_EQ(RepeatedJsonKey(R"({"a":1,"b":2})"), std::nullopt);
  EXPECT_EQ(RepeatedJsonKey(R"({"a":1,"b":2,"a":3})"), "a");
  // At any depth, inside arrays too.
  EXPECT_EQ(RepeatedJsonKey(R"({"x":{"k":1,"k":2}})"), "k");
  EXPECT_EQ(RepeatedJsonKey(R"([{"k":1},{"j":1,"j":2}])"), "j");
}

TEST(RepeatedJsonKeyTest, KeysCompareUnescaped) {
  EXPECT_EQ(RepeatedJsonKey(R"({"htm":"GET","\u0068tm":"POST"})"), "htm");
}

TEST(RepeatedJsonKeyTest, EqualKeysInDifferentObjectsAreNotRepeats) {
  EXPECT_EQ(RepeatedJsonKey(R"({"a":{"a":{"a":1}},"b":{"a":2}})"), std::nullopt);
  EXPECT_EQ(RepeatedJsonKey(R"([{"k":1},{"k":2}])"), std::nullopt);
}

TEST(RepeatedJsonKeyTest, TextThatIsNotJsonWithinTheDepthNamesNoKey) {
  EXPECT_EQ(RepeatedJsonKey(R"({"a":1,"a")"), std::nullopt);
  EXPECT_EQ(RepeatedJsonKey(R"({"a":{"b":{"c":1}}})", /*max_depth=*/2), std::nullopt);
  EXPECT_EQ(RepeatedJsonKey(R"({"a":{"b":{"c":1,"c":2}}})", /*max_depth=*/3), "c");
}

}  // namespace
}  // namespace vigie
