#pragma once
// What detection reads of an agent's past from the audit log (the
// Detector's History and LastSeen), through the log's agent index.
// Thread-safety: the functions returned are thread-safe (AuditLog::Find is).

#include "audit/audit_log.h"
#include "detect/detector.h"

namespace vigie::app::internal {

// The agent's past since `since`: a baseline needs the recent part, so
// only the latest 20 000 events are read (newest first), however busy the
// agent was; returned in sequence order.
detect::Detector::History HistoryFrom(audit::AuditLog* log);

// When the agent last acted before `before_sequence`: their newest activity
// that succeeded (Detector::IsSignOfLife), read back a page at a time in
// time order (events recorded with them as actor that are not activity, or
// refused attempts, cannot hide it), up to 64 pages of 256; when none is
// found, their newest activation (an account never used since); past those
// pages, never seen.
detect::Detector::LastSeen LastSeenFrom(audit::AuditLog* log);

}  // namespace vigie::app::internal
