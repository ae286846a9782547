#include "api/internal/bounded_json_array.h"

#include <gtest/gtest.h>

namespace vigie::api::internal {
namespace {

TEST(BoundedJsonArrayTest, JoinsElementsUpToTheBoundExactly) {
  // "[1,22]" is six bytes.
  BoundedJsonArray fits(6);
  EXPECT_TRUE(fits.Add("1").has_value());
  EXPECT_TRUE(fits.Add("22").has_value());
  EXPECT_EQ(std::move(fits).Finish(), "[1,22]");

  BoundedJsonArray empty(2);
  EXPECT_EQ(std::move(empty).Finish(), "[]");
}

TEST(BoundedJsonArrayTest, RefusesTheElementThatWouldPassTheBoundAndKeepsTheRest) {
  BoundedJsonArray array(6);
  ASSERT_TRUE(array.Add("1").has_value());
  auto refused = array.Add("333");  // "[1,333]" is seven bytes
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().message().find("6 bytes"), std::string::npos)
      << refused.error().message();
  ASSERT_TRUE(array.Add("22").has_value()) << "the refused element left nothing behind";
  EXPECT_EQ(std::move(array).Finish(), "[1,22]");
}

TEST(BoundedJsonArrayTest, TheTextAroundTheArrayIsNotCounted) {
  BoundedJsonArray array(4, "{\"rows\":");
  ASSERT_TRUE(array.Add("12").has_value());  // "[12]"
  EXPECT_FALSE(array.Add("3").has_value());
  EXPECT_EQ(std::move(array).Finish(",\"n\":1}"), "{\"rows\":[12],\"n\":1}");
}

TEST(BoundedJsonArrayTest, AFirstElementTooLargeAloneIsRefused) {
  BoundedJsonArray array(4);
  EXPECT_FALSE(array.Add("\"ab\"").has_value());  // "[\"ab\"]" is six bytes
  EXPECT_EQ(std::move(array).Finish(), "[]");
}

}  // namespace
}  // namespace vigie::api::internal
