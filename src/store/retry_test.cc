#include "store/retry.h"

#include <gtest/gtest.h>

namespace vigie::store {
namespace {

TEST(RetryWithinTest, TriesAgainWhatMayPassUntilItSucceeds) {
  int attempts = 0;
  Result<int> result = RetryWithin(std::chrono::seconds(5), [&]() -> Result<int> {
    if (++attempts < 3) return Fail(ErrorCode::kUnavailable, "database is locked");
    return 7;
  });
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(*result, 7);
  EXPECT_EQ(attempts, 3);
}

TEST(RetryWithinTest, ReportsAtOnceWhatWillNotPass) {
  // A bad statement, a constraint or a state that forbids the act.
  for (ErrorCode code : {ErrorCode::kInvalidArgument, ErrorCode::kConflict}) {
    int attempts = 0;
    Result<int> result = RetryWithin(std::chrono::seconds(5), [&]() -> Result<int> {
      ++attempts;
      return Fail(code, "will not pass");
    });
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code(), code);
    EXPECT_EQ(attempts, 1);
  }
}

TEST(RetryWithinTest, GivesUpWhenTheNextPauseWouldOutlastTheBudget) {
  int attempts = 0;
  // Pauses of 50 and 100 ms fit in 200 ms; the third, of 200 ms, does not.
  Result<int> result = RetryWithin(std::chrono::milliseconds(200), [&]() -> Result<int> {
    ++attempts;
    return Fail(ErrorCode::kUnavailable, "busy");
  });
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code(), ErrorCode::kUnavailable);
  EXPECT_LE(attempts, 3);  // fewer on a machine that paused the test
}

}  // namespace
}  // namespace vigie::store
