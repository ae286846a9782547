#pragma once
// The HTTP(S) server: accepts connections, enforces TLS policy and limits,
// parses requests, runs the Handler on a bounded worker pool, adds security
// headers and a request id to every response, writes the access log, serves
// /healthz itself and /metrics on a separate loopback listener, and shuts
// down gracefully. No Asio or Beast type appears here (pimpl): they stay
// inside src/http.
//
// Lifecycle: construct, Start() once, then Stop() from any thread (or
// StopOnSignals()), and Wait() for the drain to end. The destructor stops and
// waits. Thread-safety: Stop() and the accessors are thread-safe; Start(),
// StopOnSignals() and Wait() are for the owning thread.
//
// Connections: each is served one request at a time, in order. Pipelined
// requests are answered in the order sent; Security: one request in flight
// per connection, so one connection can never occupy more than one worker,
// and read-ahead is bounded by the header cap.

#include <cstdint>
#include <memory>
#include <optional>

#include "core/error.h"
#include "http/message.h"
#include "http/metrics.h"
#include "http/server_options.h"

namespace vigie::http {

class Server {
 public:
  // `handler` answers every request except GET/HEAD /healthz; a null handler
  // answers 404 problems.
  Server(ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Validates the options (ValidateServerOptions), loads the TLS certificate
  // and key, binds the listeners and starts the I/O and worker threads.
  // Errors: InvalidArgument (options, unreadable or mismatched certificate
  // and key, a key file readable by others), Unavailable (address in use or
  // cannot bind), Conflict (already started).
  Result<void> Start();

  // The bound ports (meaningful after a successful Start()).
  uint16_t port() const;
  std::optional<uint16_t> metrics_port() const;

  // Starts a graceful stop and returns at once: the listeners close, idle
  // connections close, in-flight requests finish (their responses carry
  // "Connection: close") for at most drain_timeout, then the rest are cut.
  // Idempotent.
  void Stop();

  // Stop() on SIGINT or SIGTERM (for `vigie serve`). Call after Start().
  void StopOnSignals();

  // Blocks until the server has stopped and its threads have ended. A handler
  // that never returns keeps Wait() waiting: handlers must bound their own time.
  void Wait();

  // Thread-safe; lives as long as the server.
  MetricsRegistry& metrics();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigie::http
