#pragma once
// ClockWatch: the start-up clock check (clock_check.h) repeated while a node
// serves. A clock set or drifting after start-up would have this node judge
// DPoP proofs, sessions and detection windows by another time than the other
// nodes: out of step, `vigie serve` answers its API with 503 and reports
// itself not ready until the clock is back, logging each change once.
//
// Thread-safety: in_step() and offset() from any thread; Check() from one
// thread at a time (the watch's own once Start() was called).

#include <atomic>
#include <chrono>
#include <thread>

#include "core/clock.h"
#include "store/connection_pool.h"

namespace vigie::store {

class ClockWatch {
 public:
  // In step until a check finds otherwise.
  ClockWatch(ConnectionPool& pool, const Clock& clock, std::chrono::seconds tolerance)
      : pool_(pool), clock_(clock), tolerance_(tolerance) {}
  ClockWatch(const ClockWatch&) = delete;
  ClockWatch& operator=(const ClockWatch&) = delete;

  // Checks every `interval` on a thread of its own until destroyed.
  void Start(std::chrono::milliseconds interval);
  // One comparison now. A database that cannot answer leaves the verdict as
  // it was: the requests meet that failure themselves.
  void Check();

  bool in_step() const { return in_step_.load(std::memory_order_acquire); }
  // The last offset measured (positive: this node ahead).
  std::chrono::milliseconds offset() const {
    return std::chrono::milliseconds(offset_ms_.load(std::memory_order_relaxed));
  }

 private:
  ConnectionPool& pool_;
  const Clock& clock_;
  const std::chrono::seconds tolerance_;
  std::atomic<bool> in_step_{true};
  std::atomic<int64_t> offset_ms_{0};
  std::jthread checker_;  // last: stopped and joined before the rest goes
};

}  // namespace vigie::store
