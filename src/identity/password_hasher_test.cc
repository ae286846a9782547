#include "identity/password_hasher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "tests/support/matchers.h"

namespace vigie::identity {
namespace {

using ::vigie::testing::ErrorCodeIs;

constexpr crypto::Argon2Params kCheap{.t_cost = 1, .m_cost_kib = 8};

TEST(PasswordHasherTest, InlineHashesAndVerifies) {
  InlinePasswordHasher hasher;
  auto phc = hasher.Hash("correct horse", kCheap);
  ASSERT_OK(phc);
  EXPECT_TRUE(*hasher.Verify(*phc, "correct horse"));
  EXPECT_FALSE(*hasher.Verify(*phc, "wrong horse"));
}

TEST(PasswordHasherTest, PoolGivesTheSameAnswers) {
  PasswordHasherPool pool(2, 4);
  auto phc = pool.Hash("correct horse", kCheap);
  ASSERT_OK(phc);
  EXPECT_TRUE(*pool.Verify(*phc, "correct horse"));
  EXPECT_FALSE(*pool.Verify(*phc, "wrong horse"));
  EXPECT_THAT(pool.Verify("not a phc", "x"), ErrorCodeIs(ErrorCode::kDataLoss));
}

TEST(PasswordHasherTest, PoolServesManyThreads) {
  PasswordHasherPool pool(2, 64);
  auto phc = pool.Hash("pw", kCheap);
  ASSERT_OK(phc);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 4; ++j) {
        auto r = pool.Verify(*phc, "pw");
        if (r && *r) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 32);
}

constexpr std::string_view kSomePhc =
    "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";

TEST(PasswordHasherTest, FullPoolRefusesAtOnce) {
  // One worker, no queue: while a slow hash runs, the next caller is refused
  // at once rather than made to wait. (If the scheduler lets the slow hash
  // finish before we look, the worker is free again: try once more.)
  PasswordHasherPool pool(1, 0);
  const crypto::Argon2Params slow{.t_cost = 8, .m_cost_kib = 32 * 1024};
  bool refused = false;
  for (int attempt = 0; attempt < 20 && !refused; ++attempt) {
    std::atomic<bool> done{false};
    std::thread busy([&] {
      EXPECT_OK(pool.Hash("slow", slow));
      done = true;
    });
    while (pool.running() == 0 && !done) std::this_thread::yield();
    auto verified = pool.Verify(kSomePhc, "x");
    refused = !verified && verified.error().code() == ErrorCode::kResourceExhausted;
    busy.join();
  }
  EXPECT_TRUE(refused);
  EXPECT_EQ(pool.running(), 0u);
  EXPECT_OK(pool.Hash("now free", kCheap));
}

// A held place is one the next caller cannot take: the holder's check runs
// however full the pool has become meanwhile; unused, it is given back.
TEST(PasswordHasherTest, ARoomHoldsAPlaceForOneVerification) {
  PasswordHasherPool pool(1, 1);
  auto phc = pool.Hash("pw", kCheap);
  ASSERT_OK(phc);
  auto first = pool.Reserve();
  ASSERT_OK(first);
  auto second = pool.Reserve();
  ASSERT_OK(second);
  EXPECT_THAT(pool.Reserve(), ErrorCodeIs(ErrorCode::kResourceExhausted));
  EXPECT_THAT(pool.Verify(*phc, "pw"), ErrorCodeIs(ErrorCode::kResourceExhausted));
  EXPECT_THAT(pool.Hash("pw", kCheap), ErrorCodeIs(ErrorCode::kResourceExhausted));
  auto in_room = pool.VerifyInRoom(*first, *phc, "pw");
  ASSERT_OK(in_room);
  EXPECT_TRUE(*in_room);
  // Used up: that place is free again; the second is still held.
  auto third = pool.Reserve();
  ASSERT_OK(third);
  EXPECT_THAT(pool.Verify(*phc, "pw"), ErrorCodeIs(ErrorCode::kResourceExhausted));
  { PasswordHasher::Room given_back = std::move(*second); }
  EXPECT_OK(pool.Verify(*phc, "pw"));
  // A room from elsewhere holds nothing here: the call queues as any other.
  PasswordHasher::Room none;
  EXPECT_OK(pool.VerifyInRoom(none, *phc, "pw"));
  EXPECT_OK(pool.VerifyInRoom(*third, *phc, "pw"));
  EXPECT_OK(pool.Reserve());
}

// The time a verification reports is its hashing's, not its wait behind
// another caller's slow hash (login pads refusals to it).
TEST(PasswordHasherTest, AVerificationReportsItsHashingTimeWithoutItsWait) {
  PasswordHasherPool pool(1, 4);
  auto phc = pool.Hash("pw", kCheap);
  ASSERT_OK(phc);
  // ~0.4 s: the verification queued behind it waits far longer than it
  // hashes, however the threads are scheduled on a loaded machine.
  const crypto::Argon2Params slow{.t_cost = 8, .m_cost_kib = 128 * 1024};
  std::thread busy([&] { EXPECT_OK(pool.Hash("slow", slow)); });
  while (pool.running() == 0) std::this_thread::yield();
  PasswordHasher::Room none;
  std::chrono::nanoseconds hashing{0};
  const auto started = std::chrono::steady_clock::now();
  auto verified = pool.VerifyInRoom(none, *phc, "pw", &hashing);
  const auto waited = std::chrono::steady_clock::now() - started;
  busy.join();
  ASSERT_OK(verified);
  EXPECT_TRUE(*verified);
  EXPECT_GT(hashing.count(), 0);
  EXPECT_LT(hashing * 4, waited) << "the wait behind the slow hash was counted";
}

// Destroyed with a hash running and another queued behind it: the running
// one finishes, the queued one is refused. (That the refused caller has
// left the pool's lock before the destructor returns is not shown here: it
// leaves while the running hash ends.)
TEST(PasswordHasherTest, DestroyingThePoolFinishesRunningWorkAndDropsTheQueued) {
  auto pool = std::make_unique<PasswordHasherPool>(1, 4);
  const crypto::Argon2Params slow{.t_cost = 8, .m_cost_kib = 64 * 1024};  // ~0.5 s
  Result<std::string> ran = Fail(ErrorCode::kInternal, "not run");
  Result<bool> queued = Fail(ErrorCode::kInternal, "not run");
  std::atomic<bool> waited{false};
  std::thread running([&] { ran = pool->Hash("pw", slow); });
  while (pool->running() == 0) std::this_thread::yield();
  std::thread waiting([&] {
    queued = pool->Verify(kSomePhc, "x");
    waited = true;
  });
  while (pool->queued() == 0 && !waited) std::this_thread::yield();
  const bool was_queued = !waited;
  pool.reset();
  running.join();
  waiting.join();
  if (!was_queued) GTEST_SKIP() << "the slow hash ended before the other was queued";
  EXPECT_OK(ran);
  EXPECT_THAT(queued, ErrorCodeIs(ErrorCode::kUnavailable));
}

}  // namespace
}  // namespace vigie::identity
