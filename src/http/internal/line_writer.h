#pragma once
// Lines written to a file descriptor by a thread of their own, in batches.
// The access log's sink: a slow reader of standard output (a stalled
// journald, a full pipe) must never hold the threads that serve requests.
// At most `max_buffered_bytes` wait to be written; beyond that, lines are
// dropped and counted, and the count is written as a line of its own
// ({"access_log_dropped_lines":N}) before the next line accepted, or at the
// end. The access log
// is an operational record; the audit log is the one that never drops.
//
// At the end, what waits is written for at most kFinalFlush; a reader
// stalled longer loses it (a server must be able to stop).
//
// Thread-safety: Write and dropped_lines may be called from any thread.
// Errors: none reported; a failing descriptor (EPIPE, EIO) drops its lines.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace vigie::http::internal {

class LineWriter {
 public:
  // `fd` stays the caller's: it is written to, never closed.
  LineWriter(int fd, size_t max_buffered_bytes);
  // Writes every line already accepted, then stops.
  ~LineWriter();
  LineWriter(const LineWriter&) = delete;
  LineWriter& operator=(const LineWriter&) = delete;

  // Queues `line` and a newline; returns at once.
  void Write(std::string_view line);
  uint64_t dropped_lines() const { return dropped_total_.load(std::memory_order_relaxed); }

 private:
  static constexpr std::chrono::seconds kFinalFlush{2};

  void Run();
  // The drops not yet told, as a line of pending_ (mutex_ held).
  void AppendDroppedCount();

  const int fd_;
  const size_t max_buffered_bytes_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::string pending_;              // guarded by mutex_
  uint64_t dropped_unreported_ = 0;  // guarded by mutex_
  bool stopping_ = false;            // guarded by mutex_
  std::chrono::steady_clock::time_point stop_requested_at_;  // guarded by mutex_
  std::atomic<uint64_t> dropped_total_{0};
  std::thread thread_;
};

}  // namespace vigie::http::internal
