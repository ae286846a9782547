#include "http/internal/builtin_routes.h"

#include "http/problem.h"

namespace vigie::http::internal {
namespace {

bool IsGetOrHead(const Request& request) {
  return request.method == "GET" || request.method == "HEAD";
}

Response MethodNotAllowed(const Request& request) {
  Response r =
      Problem(405, StatusPhrase(405), "Only GET and HEAD are allowed here.", request.request_id);
  r.headers.emplace_back("Allow", "GET, HEAD");
  return r;
}

}  // namespace

Response HealthResponse(const Request& request) {
  if (!IsGetOrHead(request)) return MethodNotAllowed(request);
  Response r;
  r.content_type = "application/json";
  r.body = R"({"status":"ok"})";
  r.log_route = std::string(kHealthPath);
  return r;
}

Response ReadinessResponse(const Request& request, bool ready) {
  if (!IsGetOrHead(request)) return MethodNotAllowed(request);
  Response r;
  if (ready) {
    r.content_type = "application/json";
    r.body = R"({"status":"ready"})";
  } else {
    // Security: why not is for the operators (metrics, logs), not for anyone asking.
    r = Problem(503, StatusPhrase(503), "This node cannot serve now.", request.request_id);
  }
  r.log_route = std::string(kReadyPath);
  return r;
}

Response MetricsListenerResponse(const Request& request, const MetricsRegistry& metrics) {
  if (request.Path() != kMetricsPath) return NotFoundResponse(request);
  if (!IsGetOrHead(request)) return MethodNotAllowed(request);
  Response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = metrics.RenderPrometheus();
  r.log_route = std::string(kMetricsPath);
  return r;
}

Response NotFoundResponse(const Request& request) {
  return Problem(404, StatusPhrase(404), "No resource at this path.", request.request_id);
}

}  // namespace vigie::http::internal
