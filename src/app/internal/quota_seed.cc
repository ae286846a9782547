#include "app/internal/quota_seed.h"

#include <vector>

namespace vigie::app::internal {

using audit::AuditEvent;

policy::QuotaLimiter::Seed QuotaSeedFrom(audit::AuditLog* log) {
  return [log](int64_t agent_id, policy::ConsultationKind kind,
               int64_t unix_seconds) -> Result<policy::QuotaLimiter::Counted> {
    constexpr int64_t kHour = 3600, kDay = 86400, kMicros = 1'000'000;
    constexpr size_t kPageEvents = 4096;
    constexpr int kPages = 16;
    const bool file = kind == policy::ConsultationKind::kFileOpening;
    const int64_t hour_from = unix_seconds / kHour * kHour * kMicros;
    audit::EventFilter filter{
        .agent_id = agent_id,
        .type = file ? audit::AuditEventType::kFileOpening : audit::AuditEventType::kSearch,
        .since_unix_micros = unix_seconds / kDay * kDay * kMicros,
        .limit = kPageEvents};
    policy::QuotaLimiter::Counted counted;
    for (int page = 0; page < kPages; ++page) {
      ASSIGN_OR_RETURN(std::vector<AuditEvent> events, log->Find(filter));
      for (const AuditEvent& event : events) {
        const bool paid = event.outcome == audit::AuditOutcome::kOk ||
                          (file && event.refusal_code == ErrorCodeName(ErrorCode::kNotFound));
        if (!paid) continue;
        ++counted.day;
        if (event.time_unix_micros >= hour_from) ++counted.hour;
      }
      if (events.size() < kPageEvents) break;
      filter.after_sequence = events.back().sequence + 1;
    }
    return counted;
  };
}

}  // namespace vigie::app::internal
