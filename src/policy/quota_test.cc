#include "policy/quota.h"

#include <gtest/gtest.h>

#include "tests/support/matchers.h"

namespace vigie::policy {
namespace {

using ::vigie::testing::ErrorCodeIs;

constexpr int64_t kMidnight = 1'795'000'000 / 86400 * 86400;  // a UTC midnight

TEST(QuotaLimiterTest, RefusesBeyondTheHourlyLimitUntilTheNextHour) {
  QuotaLimiter quota({.searches_per_hour = 3, .searches_per_day = 100});
  int64_t t = kMidnight + 3600 * 5 + 600;  // 05:10
  for (int i = 0; i < 3; ++i) ASSERT_OK(quota.Take(7, ConsultationKind::kSearch, t));
  int64_t retry = 0;
  auto refused = quota.Take(7, ConsultationKind::kSearch, t + 1, &retry);
  EXPECT_THAT(refused, ErrorCodeIs(ErrorCode::kResourceExhausted));
  EXPECT_NE(refused.error().message().find("hourly"), std::string::npos);
  EXPECT_EQ(retry, 3600 - 601);
  EXPECT_OK(quota.Take(7, ConsultationKind::kSearch, kMidnight + 3600 * 6));  // 06:00
}

// Requests at an hour's turn arrive out of order (each read the clock
// before taking the lock): a time from the window before counts into the
// newer one, and never starts the count over.
TEST(QuotaLimiterTest, AnEarlierTimeDoesNotStartTheCountOver) {
  QuotaLimiter quota({.searches_per_hour = 2, .searches_per_day = 100});
  const int64_t six = kMidnight + 3600 * 6;
  ASSERT_OK(quota.Take(7, ConsultationKind::kSearch, six));
  ASSERT_OK(quota.Take(7, ConsultationKind::kSearch, six - 1));
  EXPECT_THAT(quota.Take(7, ConsultationKind::kSearch, six),
              ErrorCodeIs(ErrorCode::kResourceExhausted));
  int64_t retry = 0;
  EXPECT_THAT(quota.Take(7, ConsultationKind::kSearch, six - 1, &retry),
              ErrorCodeIs(ErrorCode::kResourceExhausted));
  EXPECT_EQ(retry, 3601) << "until the full hour (06:00-07:00) ends";
}

TEST(QuotaLimiterTest, DailyLimitHoldsAcrossHours) {
  QuotaLimiter quota({.searches_per_hour = 2, .searches_per_day = 3});
  ASSERT_OK(quota.Take(1, ConsultationKind::kSearch, kMidnight + 10));
  ASSERT_OK(quota.Take(1, ConsultationKind::kSearch, kMidnight + 20));
  ASSERT_OK(quota.Take(1, ConsultationKind::kSearch, kMidnight + 3600));
  int64_t retry = 0;
  auto refused = quota.Take(1, ConsultationKind::kSearch, kMidnight + 7200, &retry);
  ASSERT_THAT(refused, ErrorCodeIs(ErrorCode::kResourceExhausted));
  EXPECT_NE(refused.error().message().find("daily"), std::string::npos);
  EXPECT_EQ(retry, 86400 - 7200);
  EXPECT_OK(quota.Take(1, ConsultationKind::kSearch, kMidnight + 86400));
}

TEST(QuotaLimiterTest, AgentsAndKindsAreCountedApart) {
  QuotaLimiter quota(
      {.searches_per_hour = 1, .searches_per_day = 10, .files_per_hour = 1, .files_per_day = 10});
  ASSERT_OK(quota.Take(1, ConsultationKind::kSearch, kMidnight));
  EXPECT_OK(quota.Take(2, ConsultationKind::kSearch, kMidnight));
  EXPECT_OK(quota.Take(1, ConsultationKind::kFileOpening, kMidnight));
  EXPECT_THAT(quota.Take(1, ConsultationKind::kFileOpening, kMidnight),
              ErrorCodeIs(ErrorCode::kResourceExhausted));
}

TEST(QuotaLimiterTest, ARefusalIsNotCounted) {
  QuotaLimiter quota({.searches_per_hour = 1, .searches_per_day = 2});
  ASSERT_OK(quota.Take(1, ConsultationKind::kSearch, kMidnight));
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(quota.Take(1, ConsultationKind::kSearch, kMidnight + 1).has_value());
  }
  // The refused attempts did not eat the day's second search.
  EXPECT_OK(quota.Take(1, ConsultationKind::kSearch, kMidnight + 3600));
}

TEST(QuotaLimiterTest, AConsultationGivenBackCountsNoMoreInItsWindows) {
  QuotaLimiter quota({.searches_per_hour = 2, .searches_per_day = 3});
  ASSERT_OK(quota.Take(1, ConsultationKind::kSearch, kMidnight));
  ASSERT_OK(quota.Take(1, ConsultationKind::kSearch, kMidnight + 1));
  ASSERT_OK(quota.GiveBack(1, ConsultationKind::kSearch, kMidnight + 1));
  ASSERT_OK(quota.Take(1, ConsultationKind::kSearch, kMidnight + 2));  // the hour's 2nd again
  EXPECT_THAT(quota.Take(1, ConsultationKind::kSearch, kMidnight + 3),
              ErrorCodeIs(ErrorCode::kResourceExhausted));
  // Another kind or agent has nothing to give back; nothing goes below zero.
  ASSERT_OK(quota.GiveBack(1, ConsultationKind::kFileOpening, kMidnight));
  ASSERT_OK(quota.GiveBack(2, ConsultationKind::kSearch, kMidnight));
  EXPECT_OK(quota.Take(1, ConsultationKind::kFileOpening, kMidnight));
  EXPECT_THAT(quota.Take(1, ConsultationKind::kSearch, kMidnight + 4),
              ErrorCodeIs(ErrorCode::kResourceExhausted));
}

TEST(QuotaLimiterTest, AGiveBackFromAnEndedHourLeavesTheNewHourAlone) {
  QuotaLimiter quota({.searches_per_hour = 1, .searches_per_day = 3});
  ASSERT_OK(quota.Take(1, ConsultationKind::kSearch, kMidnight));
  ASSERT_OK(quota.Take(1, ConsultationKind::kSearch, kMidnight + 3600));
  // The 00:00 consultation's answer failed late: the day gets it back, the
  // 01:00 hour (already full) does not.
  ASSERT_OK(quota.GiveBack(1, ConsultationKind::kSearch, kMidnight));
  EXPECT_THAT(quota.Take(1, ConsultationKind::kSearch, kMidnight + 3601),
              ErrorCodeIs(ErrorCode::kResourceExhausted));
  EXPECT_OK(quota.Take(1, ConsultationKind::kSearch, kMidnight + 7200));
  EXPECT_OK(quota.Take(1, ConsultationKind::kSearch, kMidnight + 10800));  // 3rd of the day
  EXPECT_THAT(quota.Take(1, ConsultationKind::kSearch, kMidnight + 14400),
              ErrorCodeIs(ErrorCode::kResourceExhausted));
}

// A restart gives no new allowance: each agent's count starts from what
// the log holds of the current hour and day, asked once.
TEST(QuotaLimiterTest, CountsStartFromWhatAnEarlierProcessCounted) {
  int asked = 0;
  QuotaLimiter quota(
      {.files_per_hour = 10, .files_per_day = 12},
      [&](int64_t agent, ConsultationKind kind, int64_t) -> Result<QuotaLimiter::Counted> {
        ++asked;
        if (agent != 7 || kind != ConsultationKind::kFileOpening) return QuotaLimiter::Counted{};
        return QuotaLimiter::Counted{.day = 11, .hour = 9};
      });
  const int64_t t = kMidnight + 3600 * 9;
  ASSERT_OK(quota.Take(7, ConsultationKind::kFileOpening, t));
  int64_t retry = 0;
  auto refused = quota.Take(7, ConsultationKind::kFileOpening, t + 1, &retry);
  EXPECT_THAT(refused, ErrorCodeIs(ErrorCode::kResourceExhausted));
  EXPECT_NE(refused.error().message().find("daily"), std::string::npos);
  EXPECT_EQ(asked, 1) << "asked once per agent and kind";
  ASSERT_OK(quota.Take(8, ConsultationKind::kFileOpening, t));
  ASSERT_OK(quota.Take(7, ConsultationKind::kSearch, t));
  EXPECT_EQ(asked, 3);
  // The hour's count, seeded too.
  QuotaLimiter hourly({.files_per_hour = 10, .files_per_day = 100},
                      [](int64_t, ConsultationKind, int64_t) -> Result<QuotaLimiter::Counted> {
                        return QuotaLimiter::Counted{.day = 50, .hour = 10};
                      });
  auto hour_refused = hourly.Take(7, ConsultationKind::kFileOpening, t);
  EXPECT_THAT(hour_refused, ErrorCodeIs(ErrorCode::kResourceExhausted));
  EXPECT_NE(hour_refused.error().message().find("hourly"), std::string::npos);
  EXPECT_OK(hourly.Take(7, ConsultationKind::kFileOpening, t + 3600));  // the next hour
}

// A count that cannot be read refuses the consultation (fail closed), and
// is read again at the next one.
TEST(QuotaLimiterTest, ACountThatCannotBeReadRefusesAndIsAskedAgain) {
  int asked = 0;
  QuotaLimiter quota({.searches_per_hour = 5, .searches_per_day = 5},
                     [&](int64_t, ConsultationKind, int64_t) -> Result<QuotaLimiter::Counted> {
                       if (++asked == 1) return Fail(ErrorCode::kUnavailable, "log busy");
                       return QuotaLimiter::Counted{.day = 4, .hour = 4};
                     });
  const int64_t t = kMidnight + 600;
  EXPECT_THAT(quota.Take(7, ConsultationKind::kSearch, t), ErrorCodeIs(ErrorCode::kUnavailable));
  ASSERT_OK(quota.Take(7, ConsultationKind::kSearch, t));
  EXPECT_THAT(quota.Take(7, ConsultationKind::kSearch, t),
              ErrorCodeIs(ErrorCode::kResourceExhausted));
  EXPECT_EQ(asked, 2);
}

}  // namespace
}  // namespace vigie::policy
