#pragma once
// How the use cases record their outcome in the audit log, shared by the
// files that define Portal's members (internal to app).

#include <chrono>
#include <type_traits>

#include "app/audit_trail.h"
#include "audit/audit_event.h"

namespace vigie::app::internal {

using audit::AuditEvent;

inline AuditTrail::Started Now() { return std::chrono::steady_clock::now(); }

// Records how a step ended: a refusal is recorded as such (and stays the
// answer); a success is recorded with what `describe` adds, and becomes
// Unavailable if its event cannot be made durable.
template <typename T, typename Describe>
Result<T> Audited(AuditTrail& trail, AuditEvent event, AuditTrail::Started started,
                  Result<T> outcome, Describe describe) {
  if (!outcome) {
    trail.RecordRefusal(std::move(event), outcome.error(), started);
    return outcome;
  }
  if constexpr (std::is_void_v<T>) {
    describe(event);
  } else {
    describe(event, *outcome);
  }
  RETURN_IF_ERROR(trail.Record(std::move(event), started));
  return outcome;
}

template <typename T>
Result<T> Audited(AuditTrail& trail, AuditEvent event, AuditTrail::Started started,
                  Result<T> outcome) {
  if constexpr (std::is_void_v<T>) {
    return Audited(trail, std::move(event), started, std::move(outcome), [](AuditEvent&) {});
  } else {
    return Audited(trail, std::move(event), started, std::move(outcome),
                   [](AuditEvent&, const T&) {});
  }
}

}  // namespace vigie::app::internal
