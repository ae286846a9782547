#pragma once
// One JSON line per answered request:
//   {"time":"...Z","request_id":"...","remote":"127.0.0.1","method":"GET",
//    "route":"/api/v1/persons/{id}","status":200,"latency_us":812,
//    "bytes":341,"tls":true,"agent":"A123"}
// Security: never the query string, a header or a body (they carry search
// terms, tokens and DPoP proofs: DESIGN invariant 2), nor the raw path (it
// may hold a person's id): the route is the handler's pattern, capped, or
// kUnroutedRoute.
// Thread-safety: pure functions; the default sink may be called from any thread.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/metrics.h"
#include "http/server_options.h"

namespace vigie::http::internal {

// Security: a path is attacker-chosen; a long one must not bloat the log.
inline constexpr size_t kMaxLoggedRouteBytes = 256;
// The route of a request refused before routing, or of a handler that names
// no pattern.
inline constexpr std::string_view kUnroutedRoute = "(unrouted)";

struct AccessLogEntry {
  std::chrono::system_clock::time_point time;
  std::string_view request_id;
  std::string_view remote_address;
  std::string_view method;  // "" when the request line could not be parsed
  std::string_view route;   // handler pattern, or "" (logged as kUnroutedRoute)
  int status = 0;
  std::chrono::microseconds latency{0};
  size_t response_bytes = 0;
  bool tls = false;
  std::string_view agent_id;  // "" when unauthenticated (then omitted)
};

std::string FormatAccessLogLine(const AccessLogEntry& entry);

// What may wait for a slow standard output before lines are dropped.
inline constexpr size_t kMaxBufferedAccessLogBytes = size_t{8} << 20;

// Each line and a newline to standard output, whole lines only, written by a
// thread of its own (line_writer.h); counts the lines dropped in `metrics`
// (vigie_access_log_dropped_lines_total), which keeps the writer alive.
AccessLogSink StdoutAccessLogSink(MetricsRegistry& metrics);

}  // namespace vigie::http::internal
