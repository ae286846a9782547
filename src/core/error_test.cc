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

TEST(ErrorTest, ADatabasesWordsStayMarkedThroughContext) {
  const Error plain(ErrorCode::kConflict, "an agent with service number A-1 exists");
  EXPECT_FALSE(plain.WithContext("adding").database_detail());
  const Error raw = Error(ErrorCode::kConflict, "UNIQUE constraint failed: agent.service_number")
                        .AsDatabaseDetail();
  EXPECT_TRUE(raw.database_detail());
  EXPECT_TRUE(raw.WithContext("adding").database_detail());
  EXPECT_EQ(raw.WithContext("adding").code(), ErrorCode::kConflict);
}

TEST(ErrorTest, ContextAndNames) {
  Error e(ErrorCode::kNotFound, "no agent");
  EXPECT_EQ(e.WithContext("loading").ToString(), "NotFound: loading: no agent");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kDataLoss), "DataLoss");
}

}  // namespace
}  // namespace vigie
