#include "audit/log_outage.h"

#include <algorithm>
#include <string>

#include "audit/outage_mark.h"
#include "core/log.h"

namespace vigie::audit {

void LogOutage::Load() {
  if (mark_.empty()) return;
  auto mark = ReadOutageMark(mark_);
  if (!mark) {
    // Unreadable, it still says an outage was under way: recorded without
    // its figures rather than forgotten.
    Log(LogLevel::kError, "audit_outage_mark_unreadable", {{"error", mark.error().message()}});
    state_ = State{.restarted = true};
  } else if (mark->has_value()) {
    state_ = State{.since_unix_micros = (*mark)->failing_since_unix_micros,
                   .refused = (*mark)->refused,
                   .restarted = true,
                   .late = (*mark)->late};
  }
}

void LogOutage::Refused(uint64_t refused, int64_t now_unix_micros) {
  if (!state_) state_ = State{.since_unix_micros = now_unix_micros};
  // A full queue's refusals are counted after the fact: they may predate it.
  state_->since_unix_micros = std::min(state_->since_unix_micros, now_unix_micros);
  state_->refused += refused;
  WriteMark();
}

void LogOutage::Late(uint64_t late, int64_t due_unix_micros) {
  if (!state_) state_ = State{.since_unix_micros = due_unix_micros};
  state_->since_unix_micros = std::min(state_->since_unix_micros, due_unix_micros);
  state_->late += late;
  WriteMark();
}

void LogOutage::WriteMark() {
  if (mark_.empty()) return;
  auto written = WriteOutageMark(mark_,
                                 OutageMark{.failing_since_unix_micros = state_->since_unix_micros,
                                            .refused = state_->refused,
                                            .late = state_->late},
                                 /*sync_directory=*/mark_failing_);
  // An alert once per outage, not once per refused batch.
  if (!written && !mark_failing_) {
    Log(LogLevel::kError, "audit_outage_mark_failing", {{"error", written.error().message()}});
  }
  mark_failing_ = !written;
}

std::string LogOutage::Figures() const {
  return "failing_since_us=" + std::to_string(state_->since_unix_micros) +
         " refused_events=" + std::to_string(state_->refused);
}

AuditEvent LogOutage::ResumedEvent(int64_t now_unix_micros) const {
  AuditEvent event;
  event.type = AuditEventType::kAuditLogResumed;
  event.time_unix_micros = now_unix_micros;
  event.actor.service_number = "vigie-audit";
  event.source_address = "local";
  event.subject = Figures();
  if (state_->restarted) event.subject += " restarted=1";
  if (state_->late > 0) event.subject += " late_events=" + std::to_string(state_->late);
  return event;
}

bool LogOutage::RecordedBy(const AuditEvent& resumed) const {
  // The record that left the mark behind was written from the same figures
  // (the start to the microsecond, the count); whether it said "restarted"
  // or counted late events depends on the process that wrote it.
  const std::string figures = Figures();
  return resumed.type == AuditEventType::kAuditLogResumed && state_->since_unix_micros != 0 &&
         (resumed.subject == figures || resumed.subject.starts_with(figures + " "));
}

void LogOutage::Recorded() {
  state_.reset();
  mark_failing_ = false;
  if (mark_.empty()) return;
  if (auto removed = RemoveOutageMark(mark_); !removed) {
    // Left behind, the next start finds this record and removes it again.
    Log(LogLevel::kError, "audit_outage_mark_not_removed", {{"error", removed.error().message()}});
  }
}

}  // namespace vigie::audit
