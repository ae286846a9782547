#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace vigie::cli {

ProgressLine::ProgressLine(std::string label)
    : label_(std::move(label)),
      enabled_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()) {}

ProgressLine::~ProgressLine() { Finish(); }

void ProgressLine::Update(uint64_t done, uint64_t total, std::string_view unit) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100) && done != total) return;
  last_draw_ = now;
  drawn_ = true;
  double seconds = std::chrono::duration<double>(now - start_).count();
  double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  if (total > 0) {
    double pct = 100.0 * static_cast<double>(done) / static_cast<double>(total);
    double eta = rate > 0 ? static_cast<double>(total - std::min(done, total)) / rate : 0;
    std::fprintf(stderr, "\r%s %5.1f%%  %llu/%llu %.*s  %.0f/s  ETA %.0fs   ", label_.c_str(), pct,
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
                 static_cast<int>(unit.size()), unit.data(), rate, eta);
  } else {
    std::fprintf(stderr, "\r%s %llu %.*s  %.0f/s   ", label_.c_str(),
                 static_cast<unsigned long long>(done), static_cast<int>(unit.size()), unit.data(),
                 rate);
  }
  std::fflush(stderr);
}

void ProgressLine::Finish() {
  if (enabled_ && drawn_) {
    std::fputc('\n', stderr);
    drawn_ = false;
  }
}

}  // namespace vigie::cli
