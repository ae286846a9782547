#pragma once
// GoogleTest helpers for Result<T>: EXPECT_OK(expr), and ErrorCodeIs(code).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"

#define EXPECT_OK(expr)                                                        \
  do {                                                                         \
    const auto& vigie_r_ = (expr);                                             \
    EXPECT_TRUE(vigie_r_.has_value()) << vigie_r_.error().ToString();          \
  } while (0)
#define ASSERT_OK(expr)                                                        \
  do {                                                                         \
    const auto& vigie_r_ = (expr);                                             \
    ASSERT_TRUE(vigie_r_.has_value()) << vigie_r_.error().ToString();          \
  } while (0)

namespace vigie::testing {

// Matches a Result that failed with `code`.
MATCHER_P(ErrorCodeIs, code, "fails with " + std::string(::vigie::ErrorCodeName(code))) {
  if (arg.has_value()) {
    *result_listener << "succeeded";
    return false;
  }
  *result_listener << "failed with " << arg.error().ToString();
  return arg.error().code() == code;
}

}  // namespace vigie::testing
