#include "audit/checkpoint_relay.h"

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace vigie::audit {
namespace {

Checkpoint OfSize(uint64_t size) {
  Checkpoint checkpoint;
  checkpoint.tree_size = size;
  return checkpoint;
}

// What a consumer received; shared, since a stuck consumer's thread may
// outlive the relay and the test's locals.
struct Received {
  std::mutex mutex;
  std::vector<uint64_t> sizes;
  std::promise<void> first_taken;
  std::shared_future<void> release;

  void Take(const Checkpoint& checkpoint) {
    bool first = false;
    {
      std::lock_guard lock(mutex);
      sizes.push_back(checkpoint.tree_size);
      first = sizes.size() == 1;
    }
    if (first) first_taken.set_value();
    if (release.valid()) release.wait();
  }
  std::vector<uint64_t> Sizes() {
    std::lock_guard lock(mutex);
    return sizes;
  }
};

CheckpointRelay::Consumer ConsumerOf(const std::shared_ptr<Received>& received) {
  return [received](const Checkpoint& checkpoint) { received->Take(checkpoint); };
}

TEST(CheckpointRelayTest, DeliversEveryCheckpointInOrder) {
  auto received = std::make_shared<Received>();
  {
    CheckpointRelay relay(ConsumerOf(received), /*capacity=*/64);
    for (uint64_t size = 1; size <= 20; ++size) relay.Offer(OfSize(size));
  }  // the destructor delivers what waits
  std::vector<uint64_t> expected;
  for (uint64_t size = 1; size <= 20; ++size) expected.push_back(size);
  EXPECT_EQ(received->Sizes(), expected);
}

TEST(CheckpointRelayTest, AStuckConsumerMakesOffersDropTheOldestNotWait) {
  auto received = std::make_shared<Received>();
  std::promise<void> release;
  received->release = release.get_future().share();
  std::future<void> first_taken = received->first_taken.get_future();
  {
    CheckpointRelay relay(ConsumerOf(received), /*capacity=*/3);
    relay.Offer(OfSize(1));
    first_taken.wait();  // the consumer holds checkpoint 1 and is stuck
    for (uint64_t size = 2; size <= 6; ++size) relay.Offer(OfSize(size));
    EXPECT_EQ(relay.dropped(), 2u);  // 2 and 3: the newest cover them
    release.set_value();
  }
  EXPECT_EQ(received->Sizes(), (std::vector<uint64_t>{1, 4, 5, 6}));
}

TEST(CheckpointRelayTest, TheDestructorLeavesAStuckConsumerBehind) {
  auto received = std::make_shared<Received>();
  std::promise<void> release;
  received->release = release.get_future().share();
  std::future<void> first_taken = received->first_taken.get_future();
  auto relay =
      std::make_unique<CheckpointRelay>(ConsumerOf(received), 8, std::chrono::milliseconds(50));
  relay->Offer(OfSize(1));
  relay->Offer(OfSize(2));
  first_taken.wait();
  std::future<void> destroyed = std::async(std::launch::async, [&] { relay.reset(); });
  const bool returned = destroyed.wait_for(std::chrono::seconds(20)) == std::future_status::ready;
  // Returned while the consumer still holds the first: it did not wait for it.
  EXPECT_TRUE(returned) << "the destructor waits on the stuck consumer";
  EXPECT_EQ(received->Sizes(), (std::vector<uint64_t>{1}));
  release.set_value();  // the consumer's thread, alone now, delivers the second and ends
  for (int i = 0; i < 5000 && received->Sizes().size() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(received->Sizes(), (std::vector<uint64_t>{1, 2}));
}

}  // namespace
}  // namespace vigie::audit
