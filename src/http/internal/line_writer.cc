#include "http/internal/line_writer.h"

#include <unistd.h>

#include <cerrno>

namespace vigie::http::internal {
namespace {

// False when the descriptor refused the rest (a closed pipe, a disk error).
bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
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
    if (!WriteAll(fd_, batch)) {
      dropped_total_.fetch_add(LineCount(batch), std::memory_order_relaxed);
    }
    batch.clear();
  }
}

}  // namespace vigie::http::internal
