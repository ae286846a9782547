#include "http/internal/line_writer.h"

#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <functional>

namespace vigie::http::internal {
namespace {

// False when the descriptor refused the rest (a closed pipe, a disk error),
// or when `give_up` says so while the reader is stalled. Pieces of at most
// PIPE_BUF bytes, each once the descriptor can take one, so no write blocks
// for long: a stalled reader cannot hold the process at its exit.
bool WriteAll(int fd, std::string_view bytes, const std::function<bool()>& give_up) {
  while (!bytes.empty()) {
    pollfd ready{.fd = fd, .events = POLLOUT, .revents = 0};
    const int polled = ::poll(&ready, 1, 100);
    if (polled < 0 && errno != EINTR) return false;
    if (polled <= 0) {
      if (give_up()) return false;
      continue;
    }
    const ssize_t written = ::write(fd, bytes.data(), std::min<size_t>(bytes.size(), PIPE_BUF));
    if (written < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return true;
}

size_t LineCount(std::string_view text) {
  size_t lines = 0;
  for (char c : text) lines += c == '\n' ? 1 : 0;
  return lines;
}

}  // namespace

LineWriter::LineWriter(int fd, size_t max_buffered_bytes)
    : fd_(fd), max_buffered_bytes_(max_buffered_bytes), thread_([this] { Run(); }) {}

LineWriter::~LineWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    stop_requested_at_ = std::chrono::steady_clock::now();
  }
  wake_.notify_one();
  thread_.join();
}

void LineWriter::Write(std::string_view line) {
  bool was_empty = false;
  {
    std::lock_guard lock(mutex_);
    if (pending_.size() + line.size() + 1 > max_buffered_bytes_) {
      ++dropped_unreported_;
      dropped_total_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    was_empty = pending_.empty();
    AppendDroppedCount();  // before this line: the drops came first
    pending_.append(line);
    pending_.push_back('\n');
  }
  if (was_empty) wake_.notify_one();
}

void LineWriter::AppendDroppedCount() {
  if (dropped_unreported_ == 0) return;
  pending_ += "{\"access_log_dropped_lines\":" + std::to_string(dropped_unreported_) + "}\n";
  dropped_unreported_ = 0;
}

void LineWriter::Run() {
  // A reader gone (a closed pipe) must cost lines, not the process: with
  // SIGPIPE blocked on this thread, write() fails with EPIPE instead.
  sigset_t pipe_signal;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
  std::string batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return !pending_.empty() || stopping_; });
      if (stopping_) AppendDroppedCount();
      if (pending_.empty()) return;  // stopping, and everything written
      batch.swap(pending_);
      pending_.clear();
    }
    // Once stopping, a reader stalled for kFinalFlush loses what is left.
    auto give_up = [this] {
      std::lock_guard lock(mutex_);
      return stopping_ && std::chrono::steady_clock::now() - stop_requested_at_ > kFinalFlush;
    };
    if (!WriteAll(fd_, batch, give_up)) {
      dropped_total_.fetch_add(LineCount(batch), std::memory_order_relaxed);
    }
    batch.clear();
  }
}

}  // namespace vigie::http::internal
