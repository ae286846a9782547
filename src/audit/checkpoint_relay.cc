#include "audit/checkpoint_relay.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <utility>

#include "core/log.h"

namespace vigie::audit {

// Shared with the consumer's thread, which may outlive the relay.
struct CheckpointRelay::State {
  Consumer consumer;
  size_t capacity = 0;
  std::mutex mutex;
  std::condition_variable wake, finished_changed;
  std::deque<Checkpoint> waiting;
  uint64_t dropped = 0;
  uint64_t dropped_untold = 0;  // since the consumer last logged them
  bool closing = false, finished = false;
};

CheckpointRelay::CheckpointRelay(Consumer consumer, size_t capacity,
                                 std::chrono::milliseconds drain_for)
    : state_(std::make_shared<State>()), drain_for_(drain_for) {
  state_->consumer = std::move(consumer);
  state_->capacity = capacity;
  consumer_thread_ = std::thread([state = state_] { Deliver(state); });
}

CheckpointRelay::~CheckpointRelay() {
  std::unique_lock lock(state_->mutex);
  state_->closing = true;
  state_->wake.notify_one();
  const bool drained =
      state_->finished_changed.wait_for(lock, drain_for_, [&] { return state_->finished; });
  const size_t left = state_->waiting.size();
  lock.unlock();
  if (drained) {
    consumer_thread_.join();
    return;
  }
  Log(LogLevel::kError, "audit_checkpoint_sink_stuck", {{"checkpoints_waiting", left}});
  consumer_thread_.detach();
}

void CheckpointRelay::Offer(const Checkpoint& checkpoint) {
  std::lock_guard lock(state_->mutex);
  if (state_->waiting.size() >= state_->capacity) {
    // The newest covers the oldest: that one goes. Told by the consumer's
    // thread once it moves again: logging here could block this caller on
    // the very daemon that is stuck.
    state_->waiting.pop_front();
    ++state_->dropped;
    ++state_->dropped_untold;
  }
  state_->waiting.push_back(checkpoint);
  state_->wake.notify_one();
}

uint64_t CheckpointRelay::dropped() const {
  std::lock_guard lock(state_->mutex);
  return state_->dropped;
}

std::function<void(const Checkpoint&)> CheckpointRelay::Sink(Consumer consumer) {
  auto relay = std::make_shared<CheckpointRelay>(std::move(consumer));
  return [relay](const Checkpoint& checkpoint) { relay->Offer(checkpoint); };
}

void CheckpointRelay::Deliver(const std::shared_ptr<State>& state) {
  std::unique_lock lock(state->mutex);
  for (;;) {
    state->wake.wait(lock, [&] { return !state->waiting.empty() || state->closing; });
    if (state->waiting.empty()) break;
    const Checkpoint next = std::move(state->waiting.front());
    state->waiting.pop_front();
    const uint64_t untold = std::exchange(state->dropped_untold, 0);
    lock.unlock();
    if (untold > 0) {
      Log(LogLevel::kError, "audit_checkpoint_sink_behind",
          {{"dropped", untold}, {"next_tree_size", next.tree_size}});
    }
    state->consumer(next);
    lock.lock();
  }
  state->finished = true;
  state->finished_changed.notify_all();
}

}  // namespace vigie::audit
