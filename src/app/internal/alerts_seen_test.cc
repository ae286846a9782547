#include "app/internal/alerts_seen.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace vigie::app::internal {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(AlertsSeenTest, OnlyWhatASessionWasNotShownIsUnseen) {
  AlertsSeen seen;
  const std::vector<int64_t> first = {7, 5, 3};
  EXPECT_THAT(seen.Unseen(1, first), ElementsAre(7, 5, 3));
  seen.Remember(1, first);
  EXPECT_THAT(seen.Unseen(1, first), IsEmpty());
  const std::vector<int64_t> later = {9, 7, 5};
  EXPECT_THAT(seen.Unseen(1, later), ElementsAre(9));
  EXPECT_THAT(seen.Unseen(2, later), ElementsAre(9, 7, 5)) << "another session's are its own";
}

TEST(AlertsSeenTest, PastItsBoundsItForgetsAndShowsAgain) {
  AlertsSeen seen;
  const std::vector<int64_t> one = {1};
  for (int64_t session = 0; session < static_cast<int64_t>(AlertsSeen::kSessions); ++session) {
    seen.Remember(session, one);
  }
  EXPECT_THAT(seen.Unseen(0, one), IsEmpty());
  seen.Remember(-1, one);  // one session too many: everyone's memory starts again
  EXPECT_THAT(seen.Unseen(0, one), ElementsAre(1));
  EXPECT_THAT(seen.Unseen(-1, one), IsEmpty());

  std::vector<int64_t> many(AlertsSeen::kPerSession + 1);
  for (size_t i = 0; i < many.size(); ++i) many[i] = static_cast<int64_t>(i) + 100;
  seen.Remember(5, many);
  EXPECT_THAT(seen.Unseen(5, std::vector<int64_t>{100}), ElementsAre(100)) << "forgotten";
  EXPECT_THAT(seen.Unseen(5, std::vector<int64_t>{many.back()}), IsEmpty());
}

}  // namespace
}  // namespace vigie::app::internal
