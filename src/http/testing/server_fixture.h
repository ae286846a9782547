#pragma once
// Shared pieces of the socket tests: a server started on an ephemeral port
// with an in-memory access log, and a gate a handler can block on so tests
// control timing without sleeps.

#include <gtest/gtest.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/server.h"
#include "tests/support/matchers.h"

namespace vigie::http::testing {

// A one-shot latch: Wait() blocks until Open() (or a bound passes).
class Gate {
 public:
  void Open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    cv_.notify_all();
  }
  bool Wait(std::chrono::milliseconds bound = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, bound, [this] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool open_ = false;
};

class ServerFixture : public ::testing::Test {
 protected:
  ServerOptions BaseOptions() {
    ServerOptions o;
    o.access_log = [this](std::string_view line) {
      std::lock_guard lock(log_mutex_);
      log_.emplace_back(line);
    };
    return o;
  }

  void StartServer(ServerOptions options, Handler handler) {
    server_ = std::make_unique<Server>(std::move(options), std::move(handler));
    ASSERT_OK(server_->Start());
  }

  std::vector<std::string> LogLines() {
    std::lock_guard lock(log_mutex_);
    return log_;
  }

  // Polls `condition` every few milliseconds for at most `bound`.
  template <class F>
  static bool Eventually(F condition, std::chrono::milliseconds bound = std::chrono::seconds(5)) {
    auto deadline = std::chrono::steady_clock::now() + bound;
    while (std::chrono::steady_clock::now() < deadline) {
      if (condition()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return condition();
  }

  // Stops the server before the log it writes to goes away.
  void TearDown() override { server_.reset(); }

  std::mutex log_mutex_;
  std::vector<std::string> log_;  // guarded by log_mutex_
  std::unique_ptr<Server> server_;
};

}  // namespace vigie::http::testing
