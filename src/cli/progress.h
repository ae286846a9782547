#pragma once
// A progress line for long operations, drawn on stderr only when stderr is a
// terminal: pipes and CI logs stay quiet.

#include <chrono>
#include <cstdint>
#include <string>

namespace vigie::cli {

class ProgressLine {
 public:
  explicit ProgressLine(std::string label);
  ~ProgressLine();
  // `total` 0 means unknown. Redraws at most ten times a second.
  void Update(uint64_t done, uint64_t total, std::string_view unit);
  void Finish();

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace vigie::cli
