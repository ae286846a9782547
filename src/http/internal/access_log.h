#pragma once
// One JSON line per answered request:
//   {"time":"...Z","request_id":"...","remote":"127.0.0.1","method":"GET",
//    "route":"/api/v1/persons/{id}","status":200,"latency_us":812,
//    "bytes":341,"tls":true,"agent":"A123"}
// Security: never the query string, a header or a body (they carry search
// terms, tokens and DPoP proofs: DESIGN invariant 2). The route is the
// handler's pattern when it gives one, else the path cut at '?' and capped.
// Thread-safety: pure functions; the default sink serialises writes.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/server_options.h"

namespace vigie::http::internal {

// Security: a path is attacker-chosen; a long one must not bloat the log.
inline constexpr size_t kMaxLoggedRouteBytes = 256;

struct AccessLogEntry {
  std::chrono::system_clock::time_point time;
  std::string_view request_id;
  std::string_view remote_address;
  std::string_view method;  // "" when the request line could not be parsed
  std::string_view route;   // handler pattern, or "" to fall back on target
  std::string_view target;  // raw target; only its path part is ever logged
  int status = 0;
  std::chrono::microseconds latency{0};
  size_t response_bytes = 0;
  bool tls = false;
  std::string_view agent_id;  // "" when unauthenticated (then omitted)
};

std::string FormatAccessLogLine(const AccessLogEntry& entry);

// Writes each line and a newline to standard output, whole lines only.
AccessLogSink StdoutAccessLogSink();

}  // namespace vigie::http::internal
