#include "http/internal/access_log.h"

#include <unistd.h>

#include <memory>

#include "core/json_text.h"
#include "core/rfc3339_time.h"
#include "http/internal/line_writer.h"

namespace vigie::http::internal {

std::string FormatAccessLogLine(const AccessLogEntry& e) {
  // Security: never the raw target: its path may hold a person's id or an
  // agent's service number (a request refused before routing, a handler that
  // names no pattern).
  std::string_view route = e.route.empty() ? kUnroutedRoute : e.route;
  if (route.size() > kMaxLoggedRouteBytes) route = route.substr(0, kMaxLoggedRouteBytes);

  std::string line;
  line.reserve(256);
  line += "{\"time\":";
  AppendJsonText(line, Rfc3339Millis(e.time));
  line += ",\"request_id\":";
  AppendJsonText(line, e.request_id);
  line += ",\"remote\":";
  AppendJsonText(line, e.remote_address);
  line += ",\"method\":";
  AppendJsonText(line, e.method.substr(0, 32));
  line += ",\"route\":";
  AppendJsonText(line, route);
  line += ",\"status\":";
  line += std::to_string(e.status);
  line += ",\"latency_us\":";
  line += std::to_string(e.latency.count());
  line += ",\"bytes\":";
  line += std::to_string(e.response_bytes);
  line += ",\"tls\":";
  line += e.tls ? "true" : "false";
  if (!e.agent_id.empty()) {
    line += ",\"agent\":";
    AppendJsonText(line, e.agent_id);
  }
  line += '}';
  return line;
}

AccessLogSink StdoutAccessLogSink(MetricsRegistry& metrics) {
  auto writer = std::make_shared<LineWriter>(STDOUT_FILENO, kMaxBufferedAccessLogBytes);
  // The name is free: one server registers it, once (Server::Start runs once).
  (void)metrics.Register(
      "vigie_access_log_dropped_lines_total",
      "Access log lines dropped because standard output was not read fast enough.",
      MetricsRegistry::Kind::kCounter,
      [writer] { return static_cast<double>(writer->dropped_lines()); });
  return [writer](std::string_view line) { writer->Write(line); };
}

}  // namespace vigie::http::internal
