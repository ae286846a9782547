// SharedLoginThrottle on the suite's backend: two "nodes" (a pool each) on
// one database give an address one rate, and answer as the in-memory
// LoginThrottle does for one node.
#include "identity/shared_login_throttle.h"

#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include "store/test_database.h"
#include "tests/support/matchers.h"

namespace vigie::identity {
namespace {

constexpr LoginThrottleOptions kOptions{.burst = 4, .refill_interval = std::chrono::seconds(6)};

class SharedLoginThrottleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = Open();
    ASSERT_NE(db_, nullptr);
    ASSERT_OK(store::Migrate(*db_, store::VigieSchema(db_->dialect())));
  }

  std::unique_ptr<store::Connection> Open() {
    auto db = store::Open(database_.url());
    EXPECT_OK(db);
    return db ? std::move(*db) : nullptr;
  }

  int64_t Rows() {
    auto count = db_->Prepare("SELECT count(*) FROM login_address_bucket");
    EXPECT_OK(count);
    if (!count || !(*count)->Step().value_or(false)) return -1;
    const int64_t rows = (*count)->ColumnInt(0);
    EXPECT_OK((*count)->Run());
    return rows;
  }

  store::testing::SuiteDatabase database_;
  std::unique_ptr<store::Connection> db_;
  FakeClock clock_{TimePoint(std::chrono::seconds(1'795'000'000))};
  store::ConnectionPool pool_a_{database_.url(), {}, 4};
  store::ConnectionPool pool_b_{database_.url(), {}, 4};
  SharedLoginThrottle node_a_{pool_a_, clock_, kOptions};
  SharedLoginThrottle node_b_{pool_b_, clock_, kOptions};
};

TEST_F(SharedLoginThrottleTest, TwoNodesGiveAnAddressOneBurst) {
  EXPECT_TRUE(node_a_.Admit("192.0.2.1").admitted);
  EXPECT_TRUE(node_b_.Admit("192.0.2.1").admitted);
  EXPECT_TRUE(node_a_.Admit("192.0.2.1").admitted);
  EXPECT_TRUE(node_b_.Admit("192.0.2.1").admitted);
  Admission refused = node_a_.Admit("192.0.2.1");
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.retry_after_seconds, 6);
  EXPECT_FALSE(node_b_.Admit("192.0.2.1").admitted);
  EXPECT_TRUE(node_b_.Admit("192.0.2.2").admitted) << "another address has its own bucket";
  // One token a refill interval, whichever node sees it.
  clock_.Advance(std::chrono::seconds(4));
  EXPECT_EQ(node_b_.Admit("192.0.2.1").retry_after_seconds, 2);
  clock_.Advance(std::chrono::seconds(2));
  EXPECT_TRUE(node_b_.Admit("192.0.2.1").admitted);
  EXPECT_FALSE(node_a_.Admit("192.0.2.1").admitted);
}

TEST_F(SharedLoginThrottleTest, AnIpv6SubscriberIsOneBucketAcrossItsSlash64) {
  for (int i = 0; i < 4; ++i) {
    const std::string address = "2001:db8:1:2::" + std::to_string(i + 1);
    EXPECT_TRUE((i % 2 ? node_a_ : node_b_).Admit(address).admitted) << address;
  }
  EXPECT_FALSE(node_a_.Admit("2001:db8:1:2:ffff::9").admitted);
  EXPECT_TRUE(node_a_.Admit("2001:db8:1:3::1").admitted);
}

TEST_F(SharedLoginThrottleTest, FullBucketsAreForgotten) {
  EXPECT_TRUE(node_a_.Admit("192.0.2.1").admitted);
  EXPECT_TRUE(node_a_.Admit("192.0.2.2").admitted);
  EXPECT_EQ(Rows(), 2);
  clock_.Advance(std::chrono::minutes(2));  // both full again; the purge is due
  EXPECT_TRUE(node_a_.Admit("192.0.2.3").admitted);
  EXPECT_EQ(Rows(), 1);
}

TEST_F(SharedLoginThrottleTest, WhenTheDatabaseCannotAnswerTheAttemptIsRefused) {
  EXPECT_TRUE(node_a_.Admit("192.0.2.1").admitted);
  ASSERT_OK(db_->ExecuteScript("DROP TABLE login_address_bucket"));
  Admission refused = node_b_.Admit("192.0.2.9");
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.retry_after_seconds, 1);
}

TEST_F(SharedLoginThrottleTest, OfNodesRacingForTheLastTokensExactlyTheBurstGetsThrough) {
  const LoginThrottleOptions wide{.burst = 10, .refill_interval = std::chrono::hours(1)};
  SharedLoginThrottle a(pool_a_, clock_, wide), b(pool_b_, clock_, wide);
  std::atomic<int> admitted{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < 6; ++i) {
    racers.emplace_back([&, i] {
      for (int n = 0; n < 8; ++n) {
        if ((i % 2 ? a : b).Admit("198.51.100.7").admitted) ++admitted;
      }
    });
  }
  for (auto& racer : racers) racer.join();
  EXPECT_EQ(admitted.load(), 10);
}

// One node: the shared bucket answers as the in-memory one, wait included,
// over random attempts from a few addresses.
TEST_F(SharedLoginThrottleTest, AnswersAsTheInMemoryThrottle) {
  LoginThrottle memory(clock_, kOptions);
  std::mt19937 random(7);
  int refusals = 0;
  for (int i = 0; i < 400; ++i) {
    clock_.Advance(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 4000)(random)));
    const std::string address = "203.0.113." + std::to_string(random() % 3);
    const Admission expected = memory.Admit(address);
    const Admission got = node_a_.Admit(address);
    ASSERT_EQ(got.admitted, expected.admitted) << "attempt " << i;
    EXPECT_EQ(got.retry_after_seconds, expected.retry_after_seconds) << "attempt " << i;
    refusals += expected.admitted ? 0 : 1;
  }
  EXPECT_GT(refusals, 30) << "the sequence reaches the limit";
}

// For limits that charge failures only: a success gives its token back, on
// whichever node, never beyond the burst, as the in-memory throttle does.
TEST_F(SharedLoginThrottleTest, RefundsAnswerAsTheInMemoryThrottle) {
  LoginThrottle memory(clock_, kOptions);
  std::mt19937 random(11);
  int refusals = 0, refunds = 0;
  for (int i = 0; i < 400; ++i) {
    clock_.Advance(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 3000)(random)));
    const std::string address = "198.51.100." + std::to_string(random() % 2);
    const Admission expected = memory.Admit(address);
    const Admission got = (i % 2 ? node_a_ : node_b_).Admit(address);
    ASSERT_EQ(got.admitted, expected.admitted) << "attempt " << i;
    EXPECT_EQ(got.retry_after_seconds, expected.retry_after_seconds) << "attempt " << i;
    refusals += expected.admitted ? 0 : 1;
    if (expected.admitted && random() % 3 == 0) {
      memory.Refund(address);
      (i % 2 ? node_b_ : node_a_).Refund(address);
      ++refunds;
    }
  }
  EXPECT_GT(refusals, 30) << "the sequence reaches the limit";
  EXPECT_GT(refunds, 30);
}

TEST_F(SharedLoginThrottleTest, ARefundNeverFillsABucketBeyondItsBurst) {
  EXPECT_TRUE(node_a_.Admit("192.0.2.9").admitted);
  for (int i = 0; i < 10; ++i) node_a_.Refund("192.0.2.9");
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(node_b_.Admit("192.0.2.9").admitted) << i;
  EXPECT_FALSE(node_b_.Admit("192.0.2.9").admitted);
}

TEST_F(SharedLoginThrottleTest, ABucketPrefixKeepsAnotherLimitApart) {
  SharedLoginThrottle credentials(pool_a_, clock_, kOptions, "credentials ");
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(node_a_.Admit("192.0.2.7").admitted);
  EXPECT_FALSE(node_a_.Admit("192.0.2.7").admitted);
  EXPECT_TRUE(credentials.Admit("192.0.2.7").admitted) << "logins spent, credentials not";
  credentials.Refund("192.0.2.7");
  EXPECT_FALSE(node_b_.Admit("192.0.2.7").admitted) << "the refund went to its own bucket";
}

}  // namespace
}  // namespace vigie::identity
