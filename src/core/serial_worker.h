#pragma once
// SerialWorker: one thread of its own that runs posted tasks in the order
// they came, for work that must leave the thread that found it (the audit
// log's writer must not block) and may itself block. The thread starts with
// the first task. Bounded: beyond `max_queued` waiting tasks, Post refuses.
// The destructor runs every task already posted, then joins.
//
// Thread-safety: Post may be called from any thread, not from a task.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace vigie {

class SerialWorker {
 public:
  explicit SerialWorker(size_t max_queued) : max_queued_(max_queued) {}
  ~SerialWorker();
  SerialWorker(const SerialWorker&) = delete;
  SerialWorker& operator=(const SerialWorker&) = delete;

  // Queues `task`; false (and `task` dropped) when max_queued are waiting.
  // A task that throws is logged (worker_task_failed); the next one runs.
  bool Post(std::function<void()> task);

 private:
  void Run();

  const size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable posted_;
  std::deque<std::function<void()>> queue_;  // guarded by mutex_
  bool stopping_ = false;                    // guarded by mutex_
  std::thread thread_;                       // started by the first Post
};

}  // namespace vigie
