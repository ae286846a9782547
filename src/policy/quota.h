#pragma once
// Per-agent consultation quotas: searches and file openings counted in the
// current hour and the current day (UTC calendar windows). Beyond either
// limit the consultation is refused with the seconds until the window that
// blocks it ends (HTTP 429 with Retry-After).
//
// Counts live in this process: one node's view. A refused attempt is not
// counted, so an agent who waits gets the full allowance back.
// Thread-safety: all methods are thread-safe.

#include <cstdint>
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

class QuotaLimiter {
 public:
  explicit QuotaLimiter(QuotaLimits limits) : limits_(limits) {}

  // Counts one consultation of `kind` for the agent at `unix_seconds`, or
  // refuses it: ResourceExhausted whose message names the window and ends
  // with no count taken; `retry_after_seconds` (if given) receives the wait.
  Result<void> Take(int64_t agent_id, ConsultationKind kind, int64_t unix_seconds,
                    int64_t* retry_after_seconds = nullptr);

 private:
  struct Window {
    int64_t start = -1;  // hour or day number the count belongs to
    int count = 0;
  };
  struct Counts {
    Window hour, day;
  };
  Counts& CountsFor(int64_t agent_id, ConsultationKind kind);

  const QuotaLimits limits_;
  std::mutex mutex_;
  std::unordered_map<int64_t, Counts> searches_, files_;
};

}  // namespace vigie::policy
