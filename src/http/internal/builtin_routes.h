#pragma once
// The answers the server gives itself, without the application handler:
// /healthz and /readyz on the main listener, /metrics on the metrics listener.
// Thread-safety: pure functions (MetricsRegistry is thread-safe).

#include <string_view>

#include "http/message.h"
#include "http/metrics.h"

namespace vigie::http::internal {

inline constexpr std::string_view kHealthPath = "/healthz";
inline constexpr std::string_view kReadyPath = "/readyz";
inline constexpr std::string_view kMetricsPath = "/metrics";

// GET/HEAD: 200 {"status":"ok"}; any other method: 405 problem.
Response HealthResponse(const Request& request);

// GET/HEAD: 200 {"status":"ready"} when `ready`, else a 503 problem; any
// other method: 405 problem.
Response ReadinessResponse(const Request& request, bool ready);

// The metrics listener's only resource: GET/HEAD /metrics in Prometheus text
// format; other paths 404, other methods 405 (problems).
Response MetricsListenerResponse(const Request& request, const MetricsRegistry& metrics);

// 404 problem for a path the main listener does not serve (no handler, or
// /metrics, which is reserved for the loopback metrics listener).
Response NotFoundResponse(const Request& request);

}  // namespace vigie::http::internal
