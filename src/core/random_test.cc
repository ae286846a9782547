#include "core/random.h"

#include <gtest/gtest.h>

#include <array>

namespace vigie {
namespace {

TEST(SeededRandomTest, IsDeterministicAndBounded) {
  SeededRandom a(42), b(42), c(43);
  EXPECT_EQ(a.Next(), b.Next());
  EXPECT_NE(a.Next(), c.Next());
  for (int i = 0; i < 1000; ++i) {
    EXPECT_LT(a.Below(7), 7u);
    double u = a.Unit();
    EXPECT_GE(u, 0.0);
    EXPECT_LT(u, 1.0);
  }
  std::array<uint8_t, 13> x{}, y{};
  SeededRandom(5).Fill(x);
  SeededRandom(5).Fill(y);
  EXPECT_EQ(x, y);
}

}  // namespace
}  // namespace vigie
