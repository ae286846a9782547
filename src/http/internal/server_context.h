#pragma once
// What every connection of one Server shares: options, handler, TLS context,
// worker pool, metrics, access log, and the registry of open connections
// that graceful shutdown walks. Internal: includes Asio.
// Ownership: the Server's Impl owns the ServerContext and outlives every
// connection (Wait() returns only after the last one ended).
// Thread-safety: fields are immutable after Start() except the atomics and
// the registry, which locks.

#include <algorithm>
#include <atomic>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/random.h"
#include "http/address_range.h"
#include "http/internal/connection_registry.h"
#include "http/internal/upload_slots.h"
#include "http/message.h"
#include "http/metrics.h"
#include "http/server_options.h"

namespace vigie::http::internal {

// The steady clock's minute: a warning that may repeat many times a second
// is logged once in each.
inline int64_t SteadyMinute() {
  return std::chrono::duration_cast<std::chrono::minutes>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct ServerContext {
  ServerContext(ServerOptions o, Handler h)
      : options(std::move(o)), handler(std::move(h)), workers(options.worker_threads) {
    if (!options.waiting_paths.empty()) waiting.emplace(options.waiting_workers);
  }

  // Whether a handler for `path` runs on the waiting pool
  // (ServerOptions::waiting_paths) rather than on the workers.
  bool IsWaitingPath(std::string_view path) const {
    const auto& paths = options.waiting_paths;
    return waiting && std::find(paths.begin(), paths.end(), path) != paths.end();
  }

  // A place on the waiting pool, or false when each of its threads has a
  // handler already. Security: beyond, a request would queue inside the
  // pool without bound or deadline (a login flood from many addresses),
  // holding its connection and the shutdown; it is refused (429) instead.
  bool TakeWaitingPlace() {
    size_t taken = waiting_taken.load();
    do {
      if (taken >= options.waiting_workers) return false;
    } while (!waiting_taken.compare_exchange_weak(taken, taken + 1));
    return true;
  }
  void ReleaseWaitingPlace() { waiting_taken.fetch_sub(1); }

  void JoinWorkers() {
    workers.join();
    if (waiting) waiting->join();
  }

  const ServerOptions options;
  const Handler handler;
  std::unique_ptr<boost::asio::ssl::context> tls;  // null: plain HTTP
  std::vector<AddressRange> proxy_sources;          // options.proxy_protocol_from, parsed
  boost::asio::thread_pool workers;                // runs handlers, never I/O
  std::optional<boost::asio::thread_pool> waiting;  // runs options.waiting_paths' handlers
  std::atomic<size_t> waiting_taken{0};             // its handlers running or queued
  MetricsRegistry* metrics = nullptr;              // owned by the Server
  AccessLogSink access_log;                        // never null after Start()
  const Clock* clock = nullptr;                    // never null after Start()
  RandomSource* random = nullptr;                  // never null after Start()
  std::atomic<bool> stopping{false};
  UploadSlots uploads;  // requests holding a body over max_body_bytes
  ConnectionRegistry connections;
  // The steady-clock minute (SteadyMinute) the per-address cap was last logged in.
  std::atomic<int64_t> per_address_refusal_logged{-1};
  std::function<void()>
      on_drained;  // called (any thread) when the last connection ends while stopping
};

}  // namespace vigie::http::internal
