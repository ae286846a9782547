#pragma once
// Server metrics in Prometheus text exposition format (version 0.0.4), served
// on the separate loopback metrics listener. The server records its own
// counters; other components may add gauges or counters read at scrape time.
// Thread-safety: every member is thread-safe. Record* are lock-free.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace vigie::http {

class MetricsRegistry {
 public:
  // Upper bounds of the latency histogram buckets, in seconds (+Inf implied).
  static constexpr std::array<double, 12> kLatencyBounds = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0};

  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // One answered request: its status and time from first byte to last byte written.
  void RecordRequest(int status, std::chrono::microseconds latency);
  void RequestStarted() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
  void RequestFinished() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }
  void ConnectionOpened() { open_connections_.fetch_add(1, std::memory_order_relaxed); }
  void ConnectionClosed() { open_connections_.fetch_sub(1, std::memory_order_relaxed); }
  void ConnectionRejected() { rejected_connections_.fetch_add(1, std::memory_order_relaxed); }
  void ConnectionRejectedPerAddress() {
    rejected_per_address_.fetch_add(1, std::memory_order_relaxed);
  }
  void TlsHandshakeFailed() { tls_handshake_failures_.fetch_add(1, std::memory_order_relaxed); }
  void ProxyHeaderRefused() { proxy_header_refusals_.fetch_add(1, std::memory_order_relaxed); }

  int64_t open_connections() const { return open_connections_.load(std::memory_order_relaxed); }
  int64_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }

  // Adds a metric whose value `read` returns at scrape time. `read` must be
  // thread-safe and must not block. InvalidArgument: a name that is not
  // [a-zA-Z_:][a-zA-Z0-9_:]*, a help text with a newline, or a name already
  // registered.
  enum class Kind { kGauge, kCounter };
  Result<void> Register(std::string name, std::string help, Kind kind,
                        std::function<double()> read);

  // The whole exposition, ending in a newline.
  std::string RenderPrometheus() const;

 private:
  struct Extra {
    std::string name, help;
    Kind kind;
    std::function<double()> read;
  };

  std::array<std::atomic<uint64_t>, 5> requests_by_class_{};  // 1xx .. 5xx
  std::array<std::atomic<uint64_t>, kLatencyBounds.size() + 1> latency_buckets_{};
  std::atomic<uint64_t> latency_sum_us_{0};
  std::atomic<uint64_t> latency_count_{0};
  std::atomic<int64_t> in_flight_{0};
  std::atomic<int64_t> open_connections_{0};
  std::atomic<uint64_t> rejected_connections_{0};
  std::atomic<uint64_t> rejected_per_address_{0};
  std::atomic<uint64_t> tls_handshake_failures_{0};
  std::atomic<uint64_t> proxy_header_refusals_{0};

  mutable std::mutex extras_mutex_;
  std::vector<Extra> extras_;  // guarded by extras_mutex_
};

}  // namespace vigie::http
