#include "audit/foreign_appends.h"

#include <gtest/gtest.h>

namespace vigie::audit {
namespace {

using Range = ForeignAppends::Range;
using Ranges = std::optional<std::vector<Range>>;

// Whether some s with after < s < before may be someone else's.
bool AnyBetween(const ForeignAppends& appends, uint64_t after, uint64_t before) {
  Ranges ranges = appends.Between(after, before);
  return !ranges || !ranges->empty();
}

TEST(ForeignAppendsTest, OnlyOurOwnBatchesMeansNothingElsewhere) {
  ForeignAppends appends;
  appends.Opened(10);
  appends.AppendedOwn(10, 14);
  appends.AppendedOwn(14, 20);
  EXPECT_FALSE(AnyBetween(appends, 10, 19));
  EXPECT_FALSE(AnyBetween(appends, 12, 20));
  EXPECT_FALSE(AnyBetween(appends, 10, 11));  // nothing in between
  EXPECT_FALSE(AnyBetween(appends, 15, 15));
}

TEST(ForeignAppendsTest, AGapBetweenTwoOfOurBatchesIsSomeoneElses) {
  ForeignAppends appends;
  appends.Opened(0);
  appends.AppendedOwn(0, 5);    // ours: 0-4
  appends.AppendedOwn(8, 10);   // 5-7 another node's, 8-9 ours
  appends.AppendedOwn(10, 12);  // ours: 10-11
  EXPECT_TRUE(AnyBetween(appends, 4, 8));
  EXPECT_TRUE(AnyBetween(appends, 3, 6));    // 5 only
  EXPECT_TRUE(AnyBetween(appends, 6, 9));    // 7 only
  EXPECT_FALSE(AnyBetween(appends, 0, 5));   // 1-4
  EXPECT_FALSE(AnyBetween(appends, 7, 11));  // 8-10
  EXPECT_FALSE(AnyBetween(appends, 4, 5));
  EXPECT_TRUE(AnyBetween(appends, 0, 11));
}

TEST(ForeignAppendsTest, WhatIsNotKnownCountsAsElsewhere) {
  ForeignAppends appends;
  appends.Opened(100);  // 0-99 were there before us
  appends.AppendedOwn(100, 110);
  EXPECT_TRUE(AnyBetween(appends, 50, 105));
  EXPECT_TRUE(AnyBetween(appends, 98, 101));  // 99
  EXPECT_FALSE(AnyBetween(appends, 99, 110));
  EXPECT_TRUE(AnyBetween(appends, 105, 111));  // 110 is not committed by us yet
}

TEST(ForeignAppendsTest, RangesBeyondTheCapAreForgottenTowardsElsewhere) {
  ForeignAppends appends(/*max_ranges=*/2);
  appends.Opened(0);
  appends.AppendedOwn(0, 2);  // ours: 0-1
  appends.AppendedOwn(3, 4);  // 2 foreign
  appends.AppendedOwn(5, 6);  // 4 foreign
  EXPECT_FALSE(AnyBetween(appends, 0, 2));
  appends.AppendedOwn(7, 8);                // 6 foreign: the range of 2 is let go
  EXPECT_TRUE(AnyBetween(appends, 0, 2));   // 1 is ours, but no longer known
  EXPECT_TRUE(AnyBetween(appends, 3, 5));   // 4
  EXPECT_FALSE(AnyBetween(appends, 4, 6));  // 5
  EXPECT_TRUE(AnyBetween(appends, 5, 7));   // 6
}

TEST(ForeignAppendsTest, ABatchThatWroteNothingStillTellsWhatOthersWrote) {
  ForeignAppends appends;
  appends.Opened(0);
  appends.AppendedOwn(0, 3);
  appends.AppendedOwn(6, 6);  // an empty batch that found the log at 6
  appends.AppendedOwn(6, 9);
  EXPECT_TRUE(AnyBetween(appends, 2, 4));
  EXPECT_FALSE(AnyBetween(appends, 5, 9));
}

TEST(ForeignAppendsTest, GivesTheOthersRangesWholeOrSaysItDoesNotKnow) {
  ForeignAppends appends;
  appends.Opened(0);
  appends.AppendedOwn(2, 4);   // 0-1 foreign
  appends.AppendedOwn(6, 7);   // 4-5 foreign
  appends.AppendedOwn(9, 12);  // 7-8 foreign
  EXPECT_EQ(appends.Between(0, 6), Ranges(std::vector<Range>{{0, 2}, {4, 6}}));
  EXPECT_EQ(appends.Between(5, 8), Ranges(std::vector<Range>{{7, 9}}));  // 6, 7
  EXPECT_EQ(appends.Between(9, 12), Ranges(std::vector<Range>{}));
  EXPECT_EQ(appends.Between(9, 13), std::nullopt);  // 12: not known yet
  // Nor copied when longer than the caller can take.
  EXPECT_EQ(appends.Between(0, 12, 6), Ranges(std::vector<Range>{{0, 2}, {4, 6}, {7, 9}}));
  EXPECT_EQ(appends.Between(0, 12, 5), std::nullopt);
  EXPECT_EQ(appends.Between(3, 8, 4), Ranges(std::vector<Range>{{4, 6}, {7, 9}}));
}

}  // namespace
}  // namespace vigie::audit
