#pragma once
// How a run is reported on stdout: a few lines for people, then one
// machine-readable line, "RESULT key=value …", for scripts:
//   mode label url connections seconds requests ok refused errors
//   transport_errors reconnections rps ops_per_s p50_ms p90_ms p99_ms max_ms
//   plus the mode's own keys (e.g. signed_in_line).
// Thread-safety: stateless.

#include <string>
#include <utility>
#include <vector>

#include "bench/api_load/load_engine.h"

namespace vigie::bench {

struct RunDescription {
  std::string mode;
  std::string label;
  std::string url;
  size_t connections = 0;
  double warmup_seconds = 0;
  std::vector<std::pair<std::string, std::string>> extra;  // mode-specific keys, in order
};

void PrintReport(const RunDescription& run, LoadResult& result);

// "12.35" style number for the RESULT line.
std::string Fixed(double value, int decimals);

}  // namespace vigie::bench
