#include "core/retrying_worker.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "core/log.h"

namespace vigie {

RetryingWorker::~RetryingWorker() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

bool RetryingWorker::Post(Attempt attempt) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || waiting_.size() >= max_waiting_) return false;
    waiting_.emplace(
        std::chrono::steady_clock::now() + first_pause_,
        Waiter{.attempt = std::move(attempt), .pause = std::min(2 * first_pause_, longest_pause_)});
    if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
  }
  wake_.notify_one();
  return true;
}

size_t RetryingWorker::Waiting() const {
  std::lock_guard lock(mutex_);
  return waiting_.size();
}

void RetryingWorker::Run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (waiting_.empty()) {
      wake_.wait(lock);
      continue;
    }
    const TimePoint due = waiting_.begin()->first;
    if (std::chrono::steady_clock::now() < due) {
      wake_.wait_until(lock, due);  // or woken by a Post due earlier, or the stop
      continue;
    }
    Waiter waiter = std::move(waiting_.begin()->second);
    waiting_.erase(waiting_.begin());
    lock.unlock();
    // An attempt that throws (out of memory) is logged and given up:
    // escaping this thread, it would end the whole process.
    bool done = true;
    try {
      done = waiter.attempt();
    } catch (const std::exception& e) {
      Log(LogLevel::kError, "worker_attempt_failed", {{"error", e.what()}});
    } catch (...) {
      Log(LogLevel::kError, "worker_attempt_failed", {{"error", "unknown exception"}});
    }
    // Not run again: destroyed unlocked, as its captures may Post.
    if (done) waiter.attempt = nullptr;
    lock.lock();
    if (done) continue;
    if (stopping_) {  // dropped with those waiting
      lock.unlock();
      waiter.attempt = nullptr;
      lock.lock();
      continue;
    }
    const auto pause = waiter.pause;
    waiter.pause = std::min(2 * pause, longest_pause_);
    waiting_.emplace(std::chrono::steady_clock::now() + pause, std::move(waiter));
  }
  auto dropped = std::move(waiting_);  // destroyed unlocked: a capture's destructor may Post
  lock.unlock();
}

}  // namespace vigie
