#pragma once
// RetryingWorker: one thread of its own that runs posted attempts, each
// again after a pause (doubling from `first_pause` up to `longest_pause`)
// until it says it is done - for work that must eventually be done but
// cannot be now (its database is down) and must not hold up the thread that
// found it. Attempts wait in the order of their next run. Bounded: beyond
// `max_waiting` attempts, Post refuses. The thread starts with the first
// attempt. Stopping (the destructor) lets an attempt running end, then
// drops those waiting, never done: their owner must leave a trace that
// outlives the process (e.g. a mark not moved past them).
//
// Thread-safety: Post may be called from any thread, including from an
// attempt.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace vigie {

class RetryingWorker {
 public:
  // An attempt: true when done (not to be run again). One that throws is
  // logged (worker_attempt_failed) and not run again.
  using Attempt = std::function<bool()>;

  RetryingWorker(size_t max_waiting, std::chrono::milliseconds first_pause,
                 std::chrono::milliseconds longest_pause)
      : max_waiting_(max_waiting), first_pause_(first_pause), longest_pause_(longest_pause) {}
  ~RetryingWorker();
  RetryingWorker(const RetryingWorker&) = delete;
  RetryingWorker& operator=(const RetryingWorker&) = delete;

  // Queues `attempt` for its first run a first pause from now; false (and
  // `attempt` dropped) when max_waiting wait, or the worker is stopping.
  bool Post(Attempt attempt);
  // Attempts waiting (the one running not counted).
  size_t Waiting() const;

 private:
  using TimePoint = std::chrono::steady_clock::time_point;
  struct Waiter {
    Attempt attempt;
    std::chrono::milliseconds pause;  // before the run after next
  };
  void Run();

  const size_t max_waiting_;
  const std::chrono::milliseconds first_pause_;
  const std::chrono::milliseconds longest_pause_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::multimap<TimePoint, Waiter> waiting_;  // guarded by mutex_: by next run
  bool stopping_ = false;                     // guarded by mutex_
  std::thread thread_;                        // started by the first Post
};

}  // namespace vigie
