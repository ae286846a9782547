#include "records/internal/weighted_pick.h"

#include <gtest/gtest.h>

#include <array>

namespace vigie::records::internal {
namespace {

TEST(WeightedPickTest, PicksInProportionAndNeverAZeroWeight) {
  WeightedIndex index;
  EXPECT_TRUE(index.empty());
  for (double w : {1.0, 0.0, 3.0, -2.0}) index.Add(w);  // a negative weight counts as 0
  ASSERT_FALSE(index.empty());
  EXPECT_EQ(index.size(), 4u);
  SeededRandom rng(11);
  std::array<int, 4> picked{};
  for (int i = 0; i < 8000; ++i) ++picked[index.Pick(rng)];
  EXPECT_EQ(picked[1], 0);
  EXPECT_EQ(picked[3], 0);
  EXPECT_NEAR(static_cast<double>(picked[2]) / picked[0], 3.0, 0.3);
}

TEST(WeightedPickTest, ARowPickerReturnsItsRowsNumbersAndSkipsUnweightedOnes) {
  RowPicker picker;
  EXPECT_TRUE(picker.empty());
  picker.Add(7, 0.0);
  EXPECT_TRUE(picker.empty());
  picker.Add(42, 1.0);
  picker.Add(99, 1.0);
  SeededRandom rng(3);
  bool saw_42 = false, saw_99 = false;
  for (int i = 0; i < 200; ++i) {
    const uint32_t row = picker.Pick(rng);
    ASSERT_TRUE(row == 42 || row == 99) << row;
    saw_42 |= row == 42;
    saw_99 |= row == 99;
  }
  EXPECT_TRUE(saw_42 && saw_99);
}

}  // namespace
}  // namespace vigie::records::internal
