#include "core/serial_worker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <new>
#include <vector>

namespace vigie {
namespace {

TEST(SerialWorkerTest, RunsTasksInOrderOnAnotherThread) {
  std::vector<int> order;
  std::promise<std::thread::id> ran_on;
  {
    SerialWorker worker(16);
    EXPECT_TRUE(worker.Post([&] { ran_on.set_value(std::this_thread::get_id()); }));
    for (int i = 0; i < 10; ++i) EXPECT_TRUE(worker.Post([&order, i] { order.push_back(i); }));
  }  // the destructor runs what was posted, then joins
  EXPECT_NE(ran_on.get_future().get(), std::this_thread::get_id());
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

// A task that throws ends neither the worker nor the process.
TEST(SerialWorkerTest, ATaskThatThrowsIsLoggedAndTheNextOneRuns) {
  std::atomic<bool> next_ran = false;
  {
    SerialWorker worker(4);
    EXPECT_TRUE(worker.Post([] { throw std::bad_alloc(); }));
    EXPECT_TRUE(worker.Post([] { throw 7; }));
    EXPECT_TRUE(worker.Post([&] { next_ran = true; }));
  }
  EXPECT_TRUE(next_ran);
}

TEST(SerialWorkerTest, RefusesBeyondItsBound) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  std::atomic<int> runs = 0;
  SerialWorker worker(2);
  ASSERT_TRUE(worker.Post([&] {
    started.set_value();
    released.wait();
    ++runs;
  }));
  started.get_future().wait();  // the first task left the queue
  EXPECT_TRUE(worker.Post([&] { ++runs; }));
  EXPECT_TRUE(worker.Post([&] { ++runs; }));
  EXPECT_FALSE(worker.Post([&] { ++runs; }));  // two already wait
  release.set_value();
  while (runs < 3) std::this_thread::yield();
  EXPECT_TRUE(worker.Post([&] { ++runs; }));  // room again
}

}  // namespace
}  // namespace vigie
