#include "policy/quota.h"

namespace vigie::policy {
namespace {

constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 86400;

// Starts a new count when `now` has moved into a later window.
void Roll(int64_t now, int64_t length, int64_t& start, int& count) {
  int64_t current = now / length;
  if (start != current) {
    start = current;
    count = 0;
  }
}

}  // namespace

QuotaLimiter::Counts& QuotaLimiter::CountsFor(int64_t agent_id, ConsultationKind kind) {
  return (kind == ConsultationKind::kSearch ? searches_ : files_)[agent_id];
}

Result<void> QuotaLimiter::Take(int64_t agent_id, ConsultationKind kind, int64_t unix_seconds,
                                int64_t* retry_after_seconds) {
  bool search = kind == ConsultationKind::kSearch;
  int per_hour = search ? limits_.searches_per_hour : limits_.files_per_hour;
  int per_day = search ? limits_.searches_per_day : limits_.files_per_day;
  std::lock_guard lock(mutex_);
  Counts& counts = CountsFor(agent_id, kind);
  Roll(unix_seconds, kHour, counts.hour.start, counts.hour.count);
  Roll(unix_seconds, kDay, counts.day.start, counts.day.count);
  const char* what = search ? "searches" : "file openings";
  if (counts.day.count >= per_day) {
    if (retry_after_seconds != nullptr) *retry_after_seconds = kDay - unix_seconds % kDay;
    return Fail(ErrorCode::kResourceExhausted, std::string("daily quota of ") + what +
                                                   " reached (" + std::to_string(per_day) + ")");
  }
  if (counts.hour.count >= per_hour) {
    if (retry_after_seconds != nullptr) *retry_after_seconds = kHour - unix_seconds % kHour;
    return Fail(ErrorCode::kResourceExhausted, std::string("hourly quota of ") + what +
                                                   " reached (" + std::to_string(per_hour) + ")");
  }
  ++counts.hour.count;
  ++counts.day.count;
  return {};
}

}  // namespace vigie::policy
