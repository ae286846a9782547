// SharedQuotaLimiter on the suite's backend: two "nodes" (a pool each) on
// one database count against one allowance, and answer exactly as the
// in-memory QuotaLimiter does for one node.
#include "policy/shared_quota.h"

#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include "store/test_database.h"
#include "tests/support/matchers.h"

namespace vigie::policy {
namespace {

using ::vigie::testing::ErrorCodeIs;

constexpr int64_t kMidnight = 1'795'000'000 / 86400 * 86400;  // a UTC midnight
constexpr QuotaLimits kLimits{
    .searches_per_hour = 3, .searches_per_day = 5, .files_per_hour = 2, .files_per_day = 4};

class SharedQuotaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::Open(database_.url());
    ASSERT_OK(db);
    ASSERT_OK(store::Migrate(**db, store::VigieSchema((*db)->dialect())));
  }

  store::testing::SuiteDatabase database_;
  store::ConnectionPool pool_a_{database_.url(), {}, 4};
  store::ConnectionPool pool_b_{database_.url(), {}, 4};
  SharedQuotaLimiter node_a_{pool_a_, kLimits};
  SharedQuotaLimiter node_b_{pool_b_, kLimits};
};

TEST_F(SharedQuotaTest, TwoNodesCountAgainstOneAllowance) {
  const int64_t t = kMidnight + 3600 * 5 + 600;  // 05:10
  ASSERT_OK(node_a_.Take(7, ConsultationKind::kSearch, t));
  ASSERT_OK(node_b_.Take(7, ConsultationKind::kSearch, t));
  ASSERT_OK(node_a_.Take(7, ConsultationKind::kSearch, t));
  int64_t retry = 0;
  auto refused = node_b_.Take(7, ConsultationKind::kSearch, t + 1, &retry);
  ASSERT_THAT(refused, ErrorCodeIs(ErrorCode::kResourceExhausted));
  EXPECT_EQ(refused.error().message(), "hourly quota of searches reached (3)");
  EXPECT_EQ(retry, 3600 - 601);
  EXPECT_THAT(node_a_.Take(7, ConsultationKind::kSearch, t + 2),
              ErrorCodeIs(ErrorCode::kResourceExhausted));
  // Another kind and another agent have allowances of their own.
  EXPECT_OK(node_b_.Take(7, ConsultationKind::kFileOpening, t));
  EXPECT_OK(node_b_.Take(8, ConsultationKind::kSearch, t));
}

TEST_F(SharedQuotaTest, TheDayHoldsAcrossHoursAndRefusalsAreNotCounted) {
  for (int hour = 0; hour < 2; ++hour) {
    for (int i = 0; i < 2; ++i) {
      ASSERT_OK((i % 2 ? node_a_ : node_b_).Take(1, ConsultationKind::kSearch,
                                                  kMidnight + 3600 * hour + i));
    }
  }
  ASSERT_OK(node_a_.Take(1, ConsultationKind::kSearch, kMidnight + 7200));  // 5th of the day
  int64_t retry = 0;
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto refused = node_b_.Take(1, ConsultationKind::kSearch, kMidnight + 7300, &retry);
    ASSERT_THAT(refused, ErrorCodeIs(ErrorCode::kResourceExhausted));
    EXPECT_EQ(refused.error().message(), "daily quota of searches reached (5)");
    EXPECT_EQ(retry, 86400 - 7300);
  }
  // The next day starts afresh: the refusals cost nothing.
  for (int i = 0; i < 3; ++i) {
    EXPECT_OK(node_a_.Take(1, ConsultationKind::kSearch, kMidnight + 86400 + i));
  }
}

TEST_F(SharedQuotaTest, AConsultationGivenBackByAnyNodeCountsNoMoreInItsWindows) {
  const int64_t t = kMidnight + 600;
  ASSERT_OK(node_a_.Take(4, ConsultationKind::kFileOpening, t));
  ASSERT_OK(node_b_.Take(4, ConsultationKind::kFileOpening, t + 1));
  ASSERT_OK(node_b_.GiveBack(4, ConsultationKind::kFileOpening, t));
  ASSERT_OK(node_a_.Take(4, ConsultationKind::kFileOpening, t + 2));  // the hour's 2nd again
  EXPECT_THAT(node_b_.Take(4, ConsultationKind::kFileOpening, t + 3),
              ErrorCodeIs(ErrorCode::kResourceExhausted));
  // Nothing counted, nothing given: no row appears, no count goes below zero.
  ASSERT_OK(node_a_.GiveBack(5, ConsultationKind::kFileOpening, t));
  ASSERT_OK(node_a_.GiveBack(4, ConsultationKind::kSearch, t));
  EXPECT_OK(node_a_.Take(4, ConsultationKind::kSearch, t));

  // From an ended hour: the day gets it back, the next (full) hour does not.
  ASSERT_OK(node_a_.Take(4, ConsultationKind::kFileOpening, t + 3600));  // 3rd of the day
  ASSERT_OK(node_a_.Take(4, ConsultationKind::kFileOpening, t + 3601));  // 4th
  ASSERT_OK(node_b_.GiveBack(4, ConsultationKind::kFileOpening, t + 2));
  EXPECT_THAT(node_b_.Take(4, ConsultationKind::kFileOpening, t + 3602),
              ErrorCodeIs(ErrorCode::kResourceExhausted))
      << "01:00's hour kept its count";
  ASSERT_OK(node_b_.Take(4, ConsultationKind::kFileOpening, t + 7200));  // 4th again
  EXPECT_THAT(node_a_.Take(4, ConsultationKind::kFileOpening, t + 10800),
              ErrorCodeIs(ErrorCode::kResourceExhausted))
      << "the day's 4 are spent";
}

TEST_F(SharedQuotaTest, ANodeWhoseClockLagsCountsInTheNewerWindow) {
  const int64_t before_hour = kMidnight + 3600 - 1;
  ASSERT_OK(node_a_.Take(2, ConsultationKind::kSearch, before_hour + 2));  // 01:00:01, node A
  // Node B still reads 00:59:59: it does not start the old hour again.
  ASSERT_OK(node_b_.Take(2, ConsultationKind::kSearch, before_hour));
  ASSERT_OK(node_b_.Take(2, ConsultationKind::kSearch, before_hour));
  int64_t retry = 0;
  EXPECT_THAT(node_b_.Take(2, ConsultationKind::kSearch, before_hour, &retry),
              ErrorCodeIs(ErrorCode::kResourceExhausted));
  EXPECT_EQ(retry, 3601) << "until the full hour (01:00-02:00) ends";
  EXPECT_THAT(node_a_.Take(2, ConsultationKind::kSearch, before_hour + 3),
              ErrorCodeIs(ErrorCode::kResourceExhausted));
}

TEST_F(SharedQuotaTest, OfNodesRacingForTheLastUnitsExactlyTheAllowanceGetsThrough) {
  const QuotaLimits wide{.searches_per_hour = 20, .searches_per_day = 1000};
  SharedQuotaLimiter a(pool_a_, wide), b(pool_b_, wide);
  std::atomic<int> taken{0}, refused{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < 6; ++i) {
    racers.emplace_back([&, i] {
      for (int n = 0; n < 10; ++n) {
        auto r = (i % 2 ? a : b).Take(3, ConsultationKind::kSearch, kMidnight + 60);
        if (r) {
          ++taken;
        } else if (r.error().code() == ErrorCode::kResourceExhausted) {
          ++refused;
        } else {
          ADD_FAILURE() << r.error().ToString();
        }
      }
    });
  }
  for (auto& racer : racers) racer.join();
  EXPECT_EQ(taken.load(), 20);
  EXPECT_EQ(refused.load(), 40);
}

// One node: the shared count answers as the in-memory one, refusal for
// refusal, message and wait included, over a random day of attempts.
TEST_F(SharedQuotaTest, AnswersAsTheInMemoryLimiter) {
  QuotaLimiter memory(kLimits);
  std::mt19937 random(2026);
  int64_t t = kMidnight + 3000;
  int refusals = 0;
  for (int i = 0; i < 300; ++i) {
    t += std::uniform_int_distribution<int64_t>(0, 900)(random);
    const int64_t agent = std::uniform_int_distribution<int64_t>(1, 3)(random);
    const auto kind = random() % 2 ? ConsultationKind::kSearch : ConsultationKind::kFileOpening;
    int64_t retry_memory = -1, retry_shared = -1;
    auto expected = memory.Take(agent, kind, t, &retry_memory);
    auto got = node_a_.Take(agent, kind, t, &retry_shared);
    ASSERT_EQ(got.has_value(), expected.has_value()) << "attempt " << i;
    if (!expected) {
      ++refusals;
      EXPECT_EQ(got.error().message(), expected.error().message());
      EXPECT_EQ(retry_shared, retry_memory);
    }
  }
  EXPECT_GT(refusals, 50) << "the sequence reaches the limits";
}

}  // namespace
}  // namespace vigie::policy
