#pragma once
// Where a lone node's per-agent quota starts after a restart: what the audit
// log holds of the agent's consultations in the current hour and day
// (QuotaLimiter's Seed; on PostgreSQL the counts live in the database).
// Counted as the quota counted them - a search or a file opening answered,
// or a file found missing (which pays the same) - and never more: a refusal
// that kept its unit (a step-up reached by openings sent at once) is not
// counted, nor anything past the first 65 536 of the day's events read.
// Thread-safety: the function returned is thread-safe (AuditLog::Find is).

#include "audit/audit_log.h"
#include "policy/quota.h"

namespace vigie::app::internal {

policy::QuotaLimiter::Seed QuotaSeedFrom(audit::AuditLog* log);

}  // namespace vigie::app::internal
