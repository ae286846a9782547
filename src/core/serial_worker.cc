#include "core/serial_worker.h"

#include <exception>
#include <utility>

#include "core/log.h"

namespace vigie {

SerialWorker::~SerialWorker() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  posted_.notify_one();
  if (thread_.joinable()) thread_.join();
}

bool SerialWorker::Post(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= max_queued_) return false;
    queue_.push_back(std::move(task));
    if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
  }
  posted_.notify_one();
  return true;
}

void SerialWorker::Run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    posted_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left to run
    std::function<void()> task = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    // A task that throws (out of memory) is logged and the next one runs:
    // escaping this thread, it would end the whole process.
    try {
      task();
    } catch (const std::exception& e) {
      Log(LogLevel::kError, "worker_task_failed", {{"error", e.what()}});
    } catch (...) {
      Log(LogLevel::kError, "worker_task_failed", {{"error", "unknown exception"}});
    }
    lock.lock();
  }
}

}  // namespace vigie
