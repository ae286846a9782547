#include "bench/api_load/run_report.h"

#include <cstdio>

namespace vigie::bench {

std::string Fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

void PrintReport(const RunDescription& run, LoadResult& result) {
  double seconds = result.measured_seconds > 0 ? result.measured_seconds : 1;
  double rps = static_cast<double>(result.requests) / seconds;
  double ops = static_cast<double>(result.operations) / seconds;
  LatencySample& latency = result.latency;
  double p50 = latency.QuantileMs(0.50), p90 = latency.QuantileMs(0.90);
  double p99 = latency.QuantileMs(0.99), max = latency.QuantileMs(1.0);

  std::printf("== %s%s%s  %s  %zu connections, %.1f s measured after %.1f s warm-up\n",
              run.mode.c_str(), run.label.empty() ? "" : " / ", run.label.c_str(),
              run.url.c_str(), run.connections, result.measured_seconds, run.warmup_seconds);
  std::printf("   %llu requests (%.1f/s), %llu operations (%.1f/s): %llu ok, %llu refused (429), "
              "%llu errors, %llu transport errors\n",
              static_cast<unsigned long long>(result.requests), rps,
              static_cast<unsigned long long>(result.operations), ops,
              static_cast<unsigned long long>(result.successes),
              static_cast<unsigned long long>(result.refused),
              static_cast<unsigned long long>(result.failures),
              static_cast<unsigned long long>(result.transport_errors));
  std::printf("   latency p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms\n", p50, p90, p99, max);
  std::string statuses;
  for (const auto& [status, count] : result.statuses) {
    statuses += " " + std::to_string(status) + "=" + std::to_string(count);
  }
  std::printf("   statuses:%s\n", statuses.empty() ? " none" : statuses.c_str());
  for (const std::string& sample : result.failure_samples) {
    std::printf("   not ok: %s\n", sample.c_str());
  }

  std::string line = "RESULT mode=" + run.mode;
  if (!run.label.empty()) line += " label=" + run.label;
  line += " url=" + run.url;
  line += " connections=" + std::to_string(run.connections);
  line += " seconds=" + Fixed(result.measured_seconds, 3);
  line += " requests=" + std::to_string(result.requests);
  line += " ok=" + std::to_string(result.successes);
  line += " refused=" + std::to_string(result.refused);
  line += " errors=" + std::to_string(result.failures);
  line += " transport_errors=" + std::to_string(result.transport_errors);
  line += " reconnections=" + std::to_string(result.reconnections);
  line += " rps=" + Fixed(rps, 1);
  line += " ops_per_s=" + Fixed(ops, 1);
  line += " p50_ms=" + Fixed(p50, 3);
  line += " p90_ms=" + Fixed(p90, 3);
  line += " p99_ms=" + Fixed(p99, 3);
  line += " max_ms=" + Fixed(max, 3);
  for (const auto& [key, value] : run.extra) line += " " + key + "=" + value;
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace vigie::bench
