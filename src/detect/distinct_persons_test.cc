#include "detect/distinct_persons.h"

#include <gtest/gtest.h>

namespace vigie::detect {
namespace {

TEST(DistinctPersonsTest, CountsEachPersonOnceAndForgetsThemByTheirLastMeeting) {
  DistinctPersons window;
  EXPECT_TRUE(window.Add(10, 1));
  EXPECT_TRUE(window.Add(20, 2));
  EXPECT_FALSE(window.Add(30, 1));  // met again: now last met at 30
  EXPECT_EQ(window.size(), 2u);
  window.ForgetBefore(25, 100);  // person 2 goes; person 1, met at 30, stays
  EXPECT_EQ(window.size(), 1u);
  EXPECT_FALSE(window.Add(40, 1));
  EXPECT_TRUE(window.Add(40, 2));
}

// Persons met again and again do not fill the bound and push out the
// others still in the window: the count of distinct persons holds.
TEST(DistinctPersonsTest, RepeatsDoNotPushOthersOutOfTheBound) {
  DistinctPersons window;
  for (int64_t person = 0; person < 150; ++person) window.Add(1, person);
  for (int round = 0; round < 100; ++round) {
    for (int64_t person = 0; person < 50; ++person) window.Add(2 + round, person);
    window.ForgetBefore(0, 200);
  }
  EXPECT_EQ(window.size(), 150u);
  for (int64_t person = 1000; person < 1100; ++person) window.Add(200, person);
  window.ForgetBefore(0, 200);
  EXPECT_EQ(window.size(), 200u) << "at the bound, still counted as its whole";
}

}  // namespace
}  // namespace vigie::detect
