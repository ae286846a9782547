#include "http/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace vigie::http {
namespace {

bool IsMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

std::string FormatDouble(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // Shortest text that reads back as the same double: 0.0005, not 0.00050000000000000001.
  char buf[400];  // fixed notation of the largest double fits
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return ec == std::errc() ? std::string(buf, end) : "NaN";
}

void Header(std::string& out, std::string_view name, std::string_view help, std::string_view type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void Sample(std::string& out, std::string_view name, std::string_view labels, std::string value) {
  out += name;
  out += labels;
  out += ' ';
  out += value;
  out += '\n';
}

}  // namespace

void MetricsRegistry::RecordRequest(int status, std::chrono::microseconds latency) {
  int cls = status / 100;
  if (cls >= 1 && cls <= 5) requests_by_class_[cls - 1].fetch_add(1, std::memory_order_relaxed);
  double seconds = static_cast<double>(latency.count()) / 1e6;
  size_t bucket = 0;
  while (bucket < kLatencyBounds.size() && seconds > kLatencyBounds[bucket]) ++bucket;
  latency_buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  latency_sum_us_.fetch_add(static_cast<uint64_t>(std::max<int64_t>(latency.count(), 0)),
                            std::memory_order_relaxed);
  latency_count_.fetch_add(1, std::memory_order_relaxed);
}

Result<void> MetricsRegistry::Register(std::string name, std::string help, Kind kind,
                                       std::function<double()> read) {
  if (!IsMetricName(name)) return Fail(ErrorCode::kInvalidArgument, "bad metric name: " + name);
  if (help.find('\n') != std::string::npos || help.find('\\') != std::string::npos) {
    return Fail(ErrorCode::kInvalidArgument, "metric help must be one line without '\\'");
  }
  if (!read) return Fail(ErrorCode::kInvalidArgument, "metric " + name + " has no reader");
  if (name.starts_with("vigie_http_")) {
    return Fail(ErrorCode::kInvalidArgument, "vigie_http_ metrics belong to the server");
  }
  std::lock_guard lock(extras_mutex_);
  for (const Extra& e : extras_) {
    if (e.name == name)
      return Fail(ErrorCode::kInvalidArgument, "metric already registered: " + name);
  }
  extras_.push_back({std::move(name), std::move(help), kind, std::move(read)});
  return {};
}

std::string MetricsRegistry::RenderPrometheus() const {
  std::string out;
  out.reserve(2048);
  constexpr std::string_view kRequests = "vigie_http_requests_total";
  Header(out, kRequests, "HTTP requests answered, by status class.", "counter");
  static constexpr std::string_view kClasses[] = {"1xx", "2xx", "3xx", "4xx", "5xx"};
  for (size_t i = 0; i < 5; ++i) {
    Sample(out, kRequests, "{code=\"" + std::string(kClasses[i]) + "\"}",
           std::to_string(requests_by_class_[i].load(std::memory_order_relaxed)));
  }

  constexpr std::string_view kLatency = "vigie_http_request_duration_seconds";
  Header(out, kLatency, "Time from a request's first byte to its response's last byte.",
         "histogram");
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= kLatencyBounds.size(); ++i) {
    cumulative += latency_buckets_[i].load(std::memory_order_relaxed);
    std::string le = i < kLatencyBounds.size() ? FormatDouble(kLatencyBounds[i]) : "+Inf";
    Sample(out, std::string(kLatency) + "_bucket", "{le=\"" + le + "\"}",
           std::to_string(cumulative));
  }
  Sample(out, std::string(kLatency) + "_sum", "",
         FormatDouble(static_cast<double>(latency_sum_us_.load(std::memory_order_relaxed)) / 1e6));
  Sample(out, std::string(kLatency) + "_count", "",
         std::to_string(latency_count_.load(std::memory_order_relaxed)));

  Header(out, "vigie_http_requests_in_flight", "Requests being handled now.", "gauge");
  Sample(out, "vigie_http_requests_in_flight", "", std::to_string(in_flight()));
  Header(out, "vigie_http_open_connections", "Client connections open now.", "gauge");
  Sample(out, "vigie_http_open_connections", "", std::to_string(open_connections()));
  Header(out, "vigie_http_rejected_connections_total",
         "Connections closed at once because max_connections was reached.", "counter");
  Sample(out, "vigie_http_rejected_connections_total", "",
         std::to_string(rejected_connections_.load(std::memory_order_relaxed)));
  Header(out, "vigie_http_rejected_connections_per_address_total",
         "Connections closed at once because their client address (an IPv6 /64) held "
         "max_connections_per_address.",
         "counter");
  Sample(out, "vigie_http_rejected_connections_per_address_total", "",
         std::to_string(rejected_per_address_.load(std::memory_order_relaxed)));
  Header(out, "vigie_http_tls_handshake_failures_total", "TLS handshakes that failed.", "counter");
  Sample(out, "vigie_http_tls_handshake_failures_total", "",
         std::to_string(tls_handshake_failures_.load(std::memory_order_relaxed)));
  Header(out, "vigie_http_proxy_header_refusals_total",
         "Connections from a trusted balancer closed for a missing or malformed PROXY header.",
         "counter");
  Sample(out, "vigie_http_proxy_header_refusals_total", "",
         std::to_string(proxy_header_refusals_.load(std::memory_order_relaxed)));

  std::lock_guard lock(extras_mutex_);
  for (const Extra& e : extras_) {
    Header(out, e.name, e.help, e.kind == Kind::kGauge ? "gauge" : "counter");
    Sample(out, e.name, "", FormatDouble(e.read()));
  }
  return out;
}

}  // namespace vigie::http
