#include "identity/login_throttle.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "tests/support/matchers.h"

namespace vigie::identity {
namespace {

using ::vigie::testing::ErrorCodeIs;

TEST(LoginThrottleTest, AllowsABurstThenRefusesWithRetryAfter) {
  FakeClock clock{TimePoint(std::chrono::seconds(1000))};
  LoginThrottle throttle(clock, {.burst = 3, .refill_interval = std::chrono::seconds(6)});
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(throttle.Admit("192.0.2.1").admitted);
  Admission refused = throttle.Admit("192.0.2.1");
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.retry_after_seconds, 6);
  auto as_result = refused.ToResult();
  ASSERT_THAT(as_result, ErrorCodeIs(ErrorCode::kResourceExhausted));
  EXPECT_NE(as_result.error().message().find("retry after 6 s"), std::string::npos);
  // Another address is unaffected.
  EXPECT_TRUE(throttle.Admit("192.0.2.2").admitted);
  // Tokens come back with time.
  clock.Advance(std::chrono::seconds(4));
  EXPECT_EQ(throttle.Admit("192.0.2.1").retry_after_seconds, 2);
  clock.Advance(std::chrono::seconds(2));
  EXPECT_TRUE(throttle.Admit("192.0.2.1").admitted);
  EXPECT_FALSE(throttle.Admit("192.0.2.1").admitted);
  // Never more than the burst, however long the wait.
  clock.Advance(std::chrono::hours(1));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(throttle.Admit("192.0.2.1").admitted);
  EXPECT_FALSE(throttle.Admit("192.0.2.1").admitted);
}

TEST(LoginThrottleTest, ARefundGivesATokenBackUpToTheBurst) {
  FakeClock clock{TimePoint(std::chrono::seconds(1000))};
  LoginThrottle throttle(clock, {.burst = 2, .refill_interval = std::chrono::seconds(5)});
  throttle.Refund("192.0.2.1");
  EXPECT_EQ(throttle.size(), 0u) << "no bucket made for a refund";
  EXPECT_TRUE(throttle.Admit("192.0.2.1").admitted);
  EXPECT_TRUE(throttle.Admit("192.0.2.1").admitted);
  EXPECT_FALSE(throttle.Admit("192.0.2.1").admitted);
  throttle.Refund("192.0.2.1");
  EXPECT_TRUE(throttle.Admit("192.0.2.1").admitted);
  EXPECT_FALSE(throttle.Admit("192.0.2.1").admitted);
  for (int i = 0; i < 5; ++i) throttle.Refund("192.0.2.1");
  EXPECT_TRUE(throttle.Admit("192.0.2.1").admitted);
  EXPECT_TRUE(throttle.Admit("192.0.2.1").admitted);
  EXPECT_FALSE(throttle.Admit("192.0.2.1").admitted) << "never beyond the burst";
}

TEST(LoginThrottleTest, GroupsIpv6By64AndUnmapsIpv4) {
  EXPECT_EQ(LoginThrottle::KeyOf("2001:db8:1:2:aaaa::1"), LoginThrottle::KeyOf("2001:db8:1:2::9"));
  EXPECT_NE(LoginThrottle::KeyOf("2001:db8:1:2::1"), LoginThrottle::KeyOf("2001:db8:1:3::1"));
  EXPECT_EQ(LoginThrottle::KeyOf("::ffff:192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(LoginThrottle::KeyOf("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(LoginThrottle::KeyOf(std::string(500, 'x')).size(), 64u);

  FakeClock clock{TimePoint(std::chrono::seconds(1000))};
  LoginThrottle throttle(clock, {.burst = 1});
  EXPECT_TRUE(throttle.Admit("2001:db8::1").admitted);
  EXPECT_FALSE(throttle.Admit("2001:db8::ffff").admitted);
}

TEST(LoginThrottleTest, MemoryIsBoundedByForgettingTheLeastRecent) {
  FakeClock clock{TimePoint(std::chrono::seconds(1000))};
  LoginThrottle throttle(clock, {.burst = 1, .max_addresses = 3});
  EXPECT_TRUE(throttle.Admit("10.0.0.1").admitted);
  EXPECT_TRUE(throttle.Admit("10.0.0.2").admitted);
  EXPECT_TRUE(throttle.Admit("10.0.0.3").admitted);
  EXPECT_FALSE(throttle.Admit("10.0.0.1").admitted);  // 1 is now the most recent
  EXPECT_TRUE(throttle.Admit("10.0.0.4").admitted);   // evicts 2
  EXPECT_EQ(throttle.size(), 3u);
  EXPECT_FALSE(throttle.Admit("10.0.0.1").admitted);  // still remembered
  EXPECT_TRUE(throttle.Admit("10.0.0.2").admitted);   // forgotten: fresh bucket
  EXPECT_EQ(throttle.size(), 3u);
}

TEST(LoginThrottleTest, IsThreadSafe) {
  FakeClock clock{TimePoint(std::chrono::seconds(1000))};
  LoginThrottle throttle(clock, {.burst = 100, .max_addresses = 50});
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) {
        if (throttle.Admit("10.0." + std::to_string(t) + ".1").admitted) ++admitted;
        throttle.Admit("10.1." + std::to_string(i % 200) + ".1");
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_LE(throttle.size(), 50u);
  EXPECT_GE(admitted.load(), 100);
}

}  // namespace
}  // namespace vigie::identity
