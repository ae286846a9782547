#include "core/error.h"

#include <gtest/gtest.h>

namespace vigie {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return Fail(ErrorCode::kInvalidArgument, "odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int h, Half(x));
  ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Result<void> CheckQuarter(int x) {
  RETURN_IF_ERROR(Quarter(x));
  return {};
}

TEST(ErrorTest, MacrosPropagateTheFirstError) {
  EXPECT_EQ(*Quarter(12), 3);
  auto r = Quarter(6);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(CheckQuarter(8).has_value());
  EXPECT_FALSE(CheckQuarter(2).has_value());
}

TEST(ErrorTest, ContextAndNames) {
  Error e(ErrorCode::kNotFound, "no agent");
  EXPECT_EQ(e.WithContext("loading").ToString(), "NotFound: loading: no agent");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kDataLoss), "DataLoss");
}

}  // namespace
}  // namespace vigie
