#include "core/retrying_worker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>
#include <stdexcept>
#include <vector>

namespace vigie {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Waits (up to a minute) until `done` holds.
template <class F>
bool Eventually(F done) {
  for (auto until = Clock::now() + 60s; Clock::now() < until; std::this_thread::sleep_for(1ms)) {
    if (done()) return true;
  }
  return false;
}

TEST(RetryingWorkerTest, RunsAnAttemptAgainUntilItIsDoneThenNoMore) {
  std::atomic<int> runs = 0;
  RetryingWorker worker(8, 1ms, 4ms);
  ASSERT_TRUE(worker.Post([&] { return ++runs == 4; }));
  ASSERT_TRUE(Eventually([&] { return runs == 4 && worker.Waiting() == 0; }));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(runs, 4);
}

// An attempt that throws is given up (not retried for ever), and neither
// the worker nor the process ends.
TEST(RetryingWorkerTest, AnAttemptThatThrowsIsGivenUpAndTheOthersRun) {
  std::atomic<int> throws = 0;
  std::atomic<bool> other_done = false;
  RetryingWorker worker(8, 1ms, 4ms);
  ASSERT_TRUE(worker.Post([&]() -> bool {
    ++throws;
    throw std::runtime_error("out of memory");
  }));
  ASSERT_TRUE(worker.Post([&] { return other_done = true; }));
  ASSERT_TRUE(Eventually([&] { return other_done && worker.Waiting() == 0; }));
  EXPECT_EQ(throws, 1);
}

TEST(RetryingWorkerTest, ThePauseBeforeEachRunDoublesUpToTheLongest) {
  std::vector<Clock::time_point> runs;
  std::atomic<size_t> count = 0;  // published after each run's time
  const Clock::time_point posted = Clock::now();
  RetryingWorker worker(8, 20ms, 80ms);
  ASSERT_TRUE(worker.Post([&] {
    runs.push_back(Clock::now());
    return ++count == 5;
  }));
  ASSERT_TRUE(Eventually([&] { return count == 5; }));
  // At least these pauses (a loaded machine only lengthens them).
  EXPECT_GE(runs[0] - posted, 20ms);
  EXPECT_GE(runs[1] - runs[0], 40ms);
  EXPECT_GE(runs[2] - runs[1], 80ms);
  EXPECT_GE(runs[3] - runs[2], 80ms);
  EXPECT_GE(runs[4] - runs[3], 80ms);
}

TEST(RetryingWorkerTest, AnAttemptPostedLaterButDueEarlierRunsFirst) {
  std::vector<int> order;
  std::mutex order_mutex;
  const auto note = [&](int which) {
    std::lock_guard lock(order_mutex);
    order.push_back(which);
    return order.size();
  };
  const auto noted = [&] {
    std::lock_guard lock(order_mutex);
    return order.size();
  };
  // The first runs at 300 ms and, not done, again at 900 ms; the second,
  // posted just after its first run, is due at about 600 ms.
  RetryingWorker worker(8, 300ms, 1h);
  ASSERT_TRUE(worker.Post([&] { return note(1) > 1; }));
  ASSERT_TRUE(Eventually([&] { return noted() == 1; }));
  ASSERT_TRUE(worker.Post([&] { return note(2) > 0; }));
  ASSERT_TRUE(Eventually([&] { return noted() == 3 && worker.Waiting() == 0; }));
  std::lock_guard lock(order_mutex);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 1}));
}

TEST(RetryingWorkerTest, RefusesBeyondItsBound) {
  RetryingWorker worker(2, 1h, 1h);
  EXPECT_TRUE(worker.Post([] { return true; }));
  EXPECT_TRUE(worker.Post([] { return true; }));
  EXPECT_FALSE(worker.Post([] { return true; }));
  EXPECT_EQ(worker.Waiting(), 2u);
}

TEST(RetryingWorkerTest, StoppingDropsTheAttemptsWaitingWithoutRunningThem) {
  auto held = std::make_shared<int>(0);
  std::atomic<int> runs = 0;
  {
    RetryingWorker worker(8, 1h, 1h);
    ASSERT_TRUE(worker.Post([&runs, held] { return ++runs > 0; }));
    EXPECT_EQ(held.use_count(), 2);
  }  // an hour before its first run
  EXPECT_EQ(runs, 0);
  EXPECT_EQ(held.use_count(), 1) << "the attempt was destroyed";
}

TEST(RetryingWorkerTest, StoppingLetsTheRunningAttemptEndAndDoesNotRunItAgain) {
  std::promise<void> started, release;
  std::atomic<int> runs = 0;
  auto worker = std::make_unique<RetryingWorker>(8, 1ms, 1ms);
  ASSERT_TRUE(worker->Post([&, released = release.get_future().share()] {
    if (++runs == 1) started.set_value();
    released.wait();
    return false;  // not done: would run again but for the stop
  }));
  started.get_future().wait();
  auto stopped = std::async(std::launch::async, [&] { worker.reset(); });
  // Long enough for the stop to be set before the attempt ends.
  EXPECT_EQ(stopped.wait_for(300ms), std::future_status::timeout) << "waits for the attempt";
  release.set_value();
  stopped.get();
  EXPECT_EQ(runs, 1);
}

}  // namespace
}  // namespace vigie
