#pragma once
// The audit log writer's queue entries (audit_log.cc): an event waiting to
// be written and how its caller is answered, and the answers that came too
// late (their caller had stopped waiting: refused, though the event is in
// the log).
// Thread-safety: none; the writer's thread alone.

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "audit/audit_event.h"
#include "audit/audit_log.h"
#include "core/clock.h"
#include "core/error.h"

namespace vigie::audit {

struct PendingEvent {
  AuditEvent event;
  AuditLog::Done done;  // may be empty (the writer's own events)
  // When its caller stops waiting (max_wait after it was queued); none for
  // bulk appends, which wait however long it takes.
  std::optional<std::chrono::steady_clock::time_point> due;
};

// Whether the caller took the answer in time (AuditLog::Done).
bool Tell(PendingEvent& pending, Result<uint64_t> outcome);

// Durable events whose callers had stopped waiting.
struct LateAnswers {
  uint64_t late = 0;
  int64_t due_unix_micros = 0;  // when the first of them was due
};

// Tells the callers of a committed batch each their outcome (`outcomes[i]`
// for `batch[i]`, moved from) and returns those who had stopped waiting on
// a durable event, if any: the log records that stall as an outage.
std::optional<LateAnswers> TellAndFindLateAnswers(std::vector<PendingEvent>& batch,
                                                  std::vector<Result<uint64_t>>& outcomes,
                                                  const Clock& clock);

}  // namespace vigie::audit
