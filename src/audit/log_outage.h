#pragma once
// LogOutage: what the audit log's writer knows of its current outage - since
// when the log fails and how many events it refused - and the
// `audit_log_resumed` event that records it once the log is written again.
// Given a path, it is also kept in an OutageMark there (outage_mark.h), so
// that a restart in the middle of the outage does not erase it.
//
// Thread-safety: the writer thread's alone.
// Errors: none; a mark that cannot be read, written or removed is logged
// (an unreadable one still says an outage was under way).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>

#include "audit/audit_event.h"

namespace vigie::audit {

class LogOutage {
 public:
  explicit LogOutage(std::filesystem::path mark) : mark_(std::move(mark)) {}

  // Takes up an outage a restart cut short, from the mark if there is one.
  void Load();
  bool ongoing() const { return state_.has_value(); }
  // `refused` events were refused: the outage begins (at `now`, when the
  // first of them was) or goes on, and the mark is written - for a refused
  // batch, before anyone is told (a full queue refuses at once, and is
  // counted here afterwards).
  void Refused(uint64_t refused, int64_t now_unix_micros);
  // `late` events became durable only after waiting longer than max_wait,
  // so their consultations were refused (a database that hung rather than
  // failed): the outage begins at `due_unix_micros` (when the first of them
  // was due) or goes on, and the mark is written.
  void Late(uint64_t late, int64_t due_unix_micros);
  // Since when the outage lasts (0 when its mark was unreadable).
  // REQUIRES: ongoing().
  int64_t since_unix_micros() const { return state_->since_unix_micros; }
  // The event that records the outage. REQUIRES: ongoing().
  AuditEvent ResumedEvent(int64_t now_unix_micros) const;
  // Whether `resumed`, a logged audit_log_resumed event, already records
  // this outage: a process stopped between that record's commit and its
  // mark's removal leaves the mark behind. REQUIRES: ongoing().
  bool RecordedBy(const AuditEvent& resumed) const;
  // That event is durable: the outage is over, its mark removed.
  void Recorded();

 private:
  struct State {
    int64_t since_unix_micros = 0;
    uint64_t refused = 0;    // events refused (the outage events tried meanwhile aside)
    bool restarted = false;  // a process before this one saw it begin
    uint64_t late = 0;       // events durable after their consultations were refused
  };
  const std::filesystem::path mark_;  // empty: none
  std::optional<State> state_;
  bool mark_failing_ = false;  // the last write of the mark failed

  void WriteMark();
  // The record's subject without the qualifiers: when, and how many.
  std::string Figures() const;
};

}  // namespace vigie::audit
