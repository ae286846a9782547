#pragma once
// Per-agent consultation quotas: searches and file openings counted in the
// current hour and the current day (UTC calendar windows). Beyond either
// limit the consultation is refused with the seconds until the window that
// blocks it ends (HTTP 429 with Retry-After). A refused attempt is not
// counted, so an agent who waits gets the full allowance back.
//
// QuotaLimiter counts in this process (one node: SQLite), each agent's count
// started from what the audit log holds of the current windows (its Seed),
// so a restart gives no new allowance; SharedQuotaLimiter (shared_quota.h)
// counts in the database, for nodes sharing one (PostgreSQL).
// Thread-safety: all methods are thread-safe.

#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>

#include "core/error.h"

namespace vigie::policy {

enum class ConsultationKind { kSearch, kFileOpening };

struct QuotaLimits {
  int searches_per_hour = 300;
  int searches_per_day = 1500;
  int files_per_hour = 60;
  int files_per_day = 300;
};

class ConsultationQuota {
 public:
  virtual ~ConsultationQuota() = default;

  // Counts one consultation of `kind` for the agent at `unix_seconds`, or
  // refuses it: ResourceExhausted whose message names the window and ends
  // with no count taken; `retry_after_seconds` (if given) receives the wait.
  // Unavailable when the count cannot be kept (fail closed).
  virtual Result<void> Take(int64_t agent_id, ConsultationKind kind, int64_t unix_seconds,
                            int64_t* retry_after_seconds = nullptr) = 0;

  // Gives back one consultation Take counted at `taken_at` whose answer was
  // never given (the audit log or the database failed on our side): an
  // agent retrying through an outage keeps the allowance. Only the windows
  // still counting from `taken_at` get it back; a later one keeps its count.
  // Unavailable when the count cannot be changed (the unit is then lost).
  virtual Result<void> GiveBack(int64_t agent_id, ConsultationKind kind, int64_t taken_at) = 0;
};

// The refusal Take returns: the daily window when `daily`, else the hourly.
// `full_window`: the number of that full window (unix seconds / its length),
// which may be later than `unix_seconds`' own (windows only move forward).
Error QuotaReached(ConsultationKind kind, bool daily, const QuotaLimits& limits,
                   int64_t full_window, int64_t unix_seconds, int64_t* retry_after_seconds);

class QuotaLimiter final : public ConsultationQuota {
 public:
  // What an earlier process counted for the agent, in the day and the hour
  // `unix_seconds` falls in (at most; never more than it counted).
  struct Counted {
    int day = 0;
    int hour = 0;
  };
  // Asked once per agent and kind, at their first consultation here, outside
  // the lock. An error refuses that consultation (Unavailable: fail closed)
  // and is asked again at the next. Null: every count starts at zero.
  using Seed =
      std::function<Result<Counted>(int64_t agent_id, ConsultationKind kind, int64_t unix_seconds)>;

  explicit QuotaLimiter(QuotaLimits limits, Seed seed = nullptr)
      : limits_(limits), seed_(std::move(seed)) {}

  Result<void> Take(int64_t agent_id, ConsultationKind kind, int64_t unix_seconds,
                    int64_t* retry_after_seconds = nullptr) override;
  Result<void> GiveBack(int64_t agent_id, ConsultationKind kind, int64_t taken_at) override;

 private:
  struct Window {
    int64_t start = -1;  // hour or day number the count belongs to
    int count = 0;
  };
  struct Counts {
    Window hour, day;
  };
  using CountsByAgent = std::unordered_map<int64_t, Counts>;
  CountsByAgent& CountsOf(ConsultationKind kind);
  // The agent's counts for `kind`, seeded on first sight (locks `lock`'s
  // mutex again before it returns).
  Result<Counts*> SeededCounts(std::unique_lock<std::mutex>& lock, int64_t agent_id,
                               ConsultationKind kind, int64_t unix_seconds);

  const QuotaLimits limits_;
  const Seed seed_;
  std::mutex mutex_;
  CountsByAgent searches_, files_;
};

}  // namespace vigie::policy
