#include "http/internal/line_writer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace vigie::http::internal {
namespace {

// Every byte the read end holds until the write end is closed.
std::string ReadToEnd(int fd) {
  std::string all;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) return all;
    all.append(buffer, static_cast<size_t>(n));
  }
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(text.substr(start, end - start));
  }
  EXPECT_EQ(start, text.size()) << "the last line is whole";
  return lines;
}

TEST(LineWriterTest, WritesEveryLineWholeAndInOrder) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  {
    LineWriter writer(pipe_fds[1], 1 << 20);
    for (int i = 0; i < 1000; ++i) writer.Write("{\"n\":" + std::to_string(i) + "}");
    EXPECT_EQ(writer.dropped_lines(), 0u);
  }  // the destructor writes what waits
  ::close(pipe_fds[1]);
  const std::vector<std::string> lines = Lines(ReadToEnd(pipe_fds[0]));
  ::close(pipe_fds[0]);
  ASSERT_EQ(lines.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(lines[i], "{\"n\":" + std::to_string(i) + "}");
}

// The reader gone for good (`vigie serve | tee log`, tee killed): lines are
// dropped, the process lives on (no SIGPIPE).
TEST(LineWriterTest, AClosedPipeCostsLinesNotTheProcess) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  ::close(pipe_fds[0]);
  {
    LineWriter writer(pipe_fds[1], 1 << 20);
    for (int i = 0; i < 100; ++i) {
      writer.Write("{\"n\":" + std::to_string(i) + "}");
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  ::close(pipe_fds[1]);
  SUCCEED() << "still running";
}

// Nobody reads the pipe (a stalled journald): the callers never wait; what
// does not fit is dropped, counted, and the count is written once the
// reader is back.
TEST(LineWriterTest, AReaderThatStallsCostsDroppedLinesNeverAWait) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  ASSERT_GT(::fcntl(pipe_fds[1], F_SETPIPE_SZ, 4096), 0);
  const std::string line(100, 'x');
  constexpr size_t kBuffered = 10'000;
  constexpr int kWritten = 5'000;  // 500 KB: 50 times what may wait
  auto writer = std::make_unique<LineWriter>(pipe_fds[1], kBuffered);
  uint64_t written = 0;
  for (; written < kWritten; ++written) writer->Write(line);  // returns: nobody reads
  // Kept at most: a buffer's worth waiting, one being written, and what the
  // pipe holds (99 + 99 + 41 lines of 101 bytes).
  EXPECT_GT(writer->dropped_lines(), uint64_t{kWritten} - 300);
  // The last line written is a dropped one (the writer may just have taken
  // the buffer, and the last ones fitted): drops not yet told wait for the
  // next line kept.
  for (const uint64_t before = writer->dropped_lines(); writer->dropped_lines() == before;
       ++written) {
    writer->Write(line);
  }
  std::string all;
  std::thread reader([&] { all = ReadToEnd(pipe_fds[0]); });
  // Room comes back as the reader reads.
  int attempts = 0;
  for (uint64_t before = ~uint64_t{0}; before != writer->dropped_lines(); ++attempts) {
    if (attempts > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    before = writer->dropped_lines();
    writer->Write("{\"after\":true}");
  }
  const uint64_t dropped = writer->dropped_lines();
  writer.reset();  // writes what waits; the reader takes it
  ::close(pipe_fds[1]);
  reader.join();
  const std::vector<std::string> lines = Lines(all);
  ASSERT_FALSE(lines.empty());
  uint64_t reported = 0;
  size_t kept = 0;
  for (const std::string& l : lines) {
    if (l == line) {
      ++kept;
    } else if (l.starts_with("{\"access_log_dropped_lines\":")) {
      reported += std::stoull(l.substr(28));
    } else {
      EXPECT_EQ(l, "{\"after\":true}");
    }
  }
  EXPECT_EQ(kept + dropped, written + static_cast<uint64_t>(attempts) - 1);
  EXPECT_EQ(reported, dropped) << "every dropped line is counted in the output";
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines.back(), "{\"after\":true}");
  EXPECT_TRUE(lines[lines.size() - 2].starts_with("{\"access_log_dropped_lines\":"))
      << "the drops are told before the next line";
  ::close(pipe_fds[0]);
}

// A reader that never comes back does not hold the writer's end (a server
// stopping with its log reader stalled): what is left is dropped.
TEST(LineWriterTest, AReaderStalledForeverCannotHoldTheEnd) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  ASSERT_GT(::fcntl(pipe_fds[1], F_SETPIPE_SZ, 4096), 0);
  const auto started = std::chrono::steady_clock::now();
  {
    LineWriter writer(pipe_fds[1], 1 << 20);
    for (int i = 0; i < 1000; ++i) writer.Write(std::string(100, 'x'));
  }  // nobody ever reads
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}

}  // namespace
}  // namespace vigie::http::internal
