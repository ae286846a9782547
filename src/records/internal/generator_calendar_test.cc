#include "records/internal/generator_calendar.h"

#include <gtest/gtest.h>

namespace vigie::records::internal {
namespace {

TEST(GeneratorCalendarTest, CountsDaysFromTheEpoch) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(DaysFromCivil(1900, 3, 1) - DaysFromCivil(1900, 2, 28), 1);  // 1900 is not leap
  EXPECT_EQ(DaysFromCivil(2000, 3, 1) - DaysFromCivil(2000, 2, 28), 2);  // 2000 is
}

TEST(GeneratorCalendarTest, DaysRoundTripToTheSameDate) {
  for (int64_t day = DaysFromCivil(1850, 1, 1); day <= DaysFromCivil(2100, 12, 31); day += 37) {
    const PartialDate d = CivilFromDays(day);
    EXPECT_EQ(DaysFromCivil(d.year, d.month, d.day), day);
  }
  const PartialDate leap = CivilFromDays(DaysFromCivil(2024, 2, 29));
  EXPECT_EQ(leap.year, 2024);
  EXPECT_EQ(leap.month, 2);
  EXPECT_EQ(leap.day, 29);
}

TEST(GeneratorCalendarTest, AddingYearsTurnsTheLeapDayIntoThe28th) {
  EXPECT_EQ(AddYears(DaysFromCivil(2024, 2, 29), 1), DaysFromCivil(2025, 2, 28));
  EXPECT_EQ(AddYears(DaysFromCivil(2024, 2, 29), -4), DaysFromCivil(2020, 2, 28));
  EXPECT_EQ(AddYears(DaysFromCivil(1990, 7, 14), 36), DaysFromCivil(2026, 7, 14));
}

TEST(GeneratorCalendarTest, DrawsStayBetweenTheirBounds) {
  SeededRandom rng(7);
  const int64_t lo = DaysFromCivil(2020, 1, 1), hi = DaysFromCivil(2020, 1, 10);
  int64_t sum_uniform = 0, sum_recent = 0;
  bool saw_lo = false, saw_hi = false;
  for (int i = 0; i < 2000; ++i) {
    const int64_t u = DayBetween(rng, lo, hi, false);
    const int64_t r = DayBetween(rng, lo, hi, true);
    ASSERT_GE(u, lo);
    ASSERT_LE(u, hi);
    ASSERT_GE(r, lo);
    ASSERT_LE(r, hi);
    saw_lo |= u == lo;
    saw_hi |= u == hi;
    sum_uniform += u - lo;
    sum_recent += r - lo;
  }
  EXPECT_TRUE(saw_lo && saw_hi);
  EXPECT_GT(sum_recent, sum_uniform);             // skewed toward the later day
  EXPECT_EQ(DayBetween(rng, hi, lo, false), hi);  // an empty span gives its start
}

}  // namespace
}  // namespace vigie::records::internal
