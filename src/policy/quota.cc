#include "policy/quota.h"

#include <algorithm>

namespace vigie::policy {
namespace {

constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 86400;

// Starts a new count when `now` has moved into a later window. Security:
// only forward. A request whose clock was read just before the window
// turned (or a clock stepped back) counts into the newer window; resetting
// for it would let alternating times start the count over and over.
void Roll(int64_t now, int64_t length, int64_t& start, int& count) {
  int64_t current = now / length;
  if (current > start) {
    start = current;
    count = 0;
  }
}

// Uncounts one unit of the window `taken_at` fell in, if it still counts.
void Uncount(int64_t taken_at, int64_t length, int64_t start, int& count) {
  if (taken_at / length == start && count > 0) --count;
}

}  // namespace

Error QuotaReached(ConsultationKind kind, bool daily, const QuotaLimits& limits,
                   int64_t full_window, int64_t unix_seconds, int64_t* retry_after_seconds) {
  const bool search = kind == ConsultationKind::kSearch;
  const int limit = daily ? (search ? limits.searches_per_day : limits.files_per_day)
                          : (search ? limits.searches_per_hour : limits.files_per_hour);
  const int64_t window = daily ? kDay : kHour;
  // Until the full window ends, not the one `unix_seconds` falls in.
  const int64_t own_window = unix_seconds / window;
  if (retry_after_seconds != nullptr) {
    *retry_after_seconds = (std::max(full_window, own_window) + 1) * window - unix_seconds;
  }
  return Error(ErrorCode::kResourceExhausted,
               std::string(daily ? "daily" : "hourly") + " quota of " +
                   (search ? "searches" : "file openings") + " reached (" +
                   std::to_string(limit) + ")");
}

QuotaLimiter::CountsByAgent& QuotaLimiter::CountsOf(ConsultationKind kind) {
  return kind == ConsultationKind::kSearch ? searches_ : files_;
}

Result<QuotaLimiter::Counts*> QuotaLimiter::SeededCounts(std::unique_lock<std::mutex>& lock,
                                                         int64_t agent_id, ConsultationKind kind,
                                                         int64_t unix_seconds) {
  CountsByAgent& counts = CountsOf(kind);
  if (!seed_) return &counts[agent_id];
  if (auto known = counts.find(agent_id); known != counts.end()) return &known->second;
  // Read unlocked (the log may be slow). No count of this process can be
  // missing from it: the agent took nothing here yet. Two first requests
  // read the same; the first to come back seeds, the other counts on it.
  lock.unlock();
  Result<Counted> counted = seed_(agent_id, kind, unix_seconds);
  lock.lock();
  if (auto known = counts.find(agent_id); known != counts.end()) return &known->second;
  if (!counted) {
    return Fail(ErrorCode::kUnavailable,
                "the quota cannot be counted: " + counted.error().message());
  }
  Counts& seeded = counts[agent_id];
  seeded.day = {.start = unix_seconds / kDay, .count = counted->day};
  seeded.hour = {.start = unix_seconds / kHour, .count = counted->hour};
  return &seeded;
}

Result<void> QuotaLimiter::Take(int64_t agent_id, ConsultationKind kind, int64_t unix_seconds,
                                int64_t* retry_after_seconds) {
  bool search = kind == ConsultationKind::kSearch;
  int per_hour = search ? limits_.searches_per_hour : limits_.files_per_hour;
  int per_day = search ? limits_.searches_per_day : limits_.files_per_day;
  std::unique_lock lock(mutex_);
  ASSIGN_OR_RETURN(Counts * seeded, SeededCounts(lock, agent_id, kind, unix_seconds));
  Counts& counts = *seeded;
  Roll(unix_seconds, kHour, counts.hour.start, counts.hour.count);
  Roll(unix_seconds, kDay, counts.day.start, counts.day.count);
  if (counts.day.count >= per_day) {
    return Fail(QuotaReached(kind, /*daily=*/true, limits_, counts.day.start, unix_seconds,
                             retry_after_seconds));
  }
  if (counts.hour.count >= per_hour) {
    return Fail(QuotaReached(kind, /*daily=*/false, limits_, counts.hour.start, unix_seconds,
                             retry_after_seconds));
  }
  ++counts.hour.count;
  ++counts.day.count;
  return {};
}

Result<void> QuotaLimiter::GiveBack(int64_t agent_id, ConsultationKind kind, int64_t taken_at) {
  std::lock_guard lock(mutex_);
  Counts& counts = CountsOf(kind)[agent_id];
  Uncount(taken_at, kHour, counts.hour.start, counts.hour.count);
  Uncount(taken_at, kDay, counts.day.start, counts.day.count);
  return {};
}

}  // namespace vigie::policy
