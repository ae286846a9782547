#include "audit/pending_event.h"

#include <algorithm>
#include <utility>

namespace vigie::audit {

bool Tell(PendingEvent& pending, Result<uint64_t> outcome) {
  return pending.done ? pending.done(std::move(outcome)) : true;
}

std::optional<LateAnswers> TellAndFindLateAnswers(std::vector<PendingEvent>& batch,
                                                  std::vector<Result<uint64_t>>& outcomes,
                                                  const Clock& clock) {
  uint64_t late = 0;
  std::optional<std::chrono::steady_clock::time_point> first_due;
  for (size_t i = 0; i < batch.size(); ++i) {
    const bool durable = outcomes[i].has_value();
    if (Tell(batch[i], std::move(outcomes[i])) || !durable) continue;
    ++late;
    if (batch[i].due) first_due = std::min(first_due.value_or(*batch[i].due), *batch[i].due);
  }
  if (late == 0) return std::nullopt;
  const auto now = std::chrono::steady_clock::now();
  const auto overdue = std::chrono::duration_cast<std::chrono::microseconds>(
      now - std::min(first_due.value_or(now), now));
  return LateAnswers{.late = late, .due_unix_micros = UnixMicros(clock.Now()) - overdue.count()};
}

}  // namespace vigie::audit
