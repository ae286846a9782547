#pragma once
// AlertStore: the alerts detection raised, kept in the main database for
// security officers to list and acknowledge (each alert is also an
// `alert_raised` event of the audit log, so it travels with the audit export).
//
// Thread-safety: one thread at a time, like its Connection.
// Errors: NotFound (no such alert), Conflict (already acknowledged),
// InvalidArgument (a note that is not valid UTF-8 or too long), store errors.

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "store/store.h"

namespace vigie::detect {

struct Alert {
  int64_t id = 0;
  int64_t raised_at = 0;  // unix seconds
  std::string rule;       // RuleName
  std::string severity;   // SeverityName
  std::string action;     // ActionName: what was done
  int64_t agent_id = 0;
  std::string service_number;
  int64_t session_id = 0;
  std::string source_address;
  std::string detail;
  uint64_t event_sequence = 0;  // the audit event that fired it
  std::optional<int64_t> acknowledged_at;
  std::string acknowledged_by;
  std::string note;
};

struct AlertQuery {
  bool open_only = true;
  std::optional<int64_t> agent_id;
  int64_t before_id = 0;  // > 0: only older alerts (paging, newest first)
  int limit = 100;        // clamped to 1..1000
};

inline constexpr size_t kMaxAlertNoteBytes = 1000;

class AlertStore {
 public:
  AlertStore(store::Connection& db, const Clock& clock) : db_(db), clock_(clock) {}

  // Stores `alert` (id, raised_at and acknowledgement ignored); returns its id.
  Result<int64_t> Add(const Alert& alert);
  // As Add, unless an alert of its rule for its event is stored already:
  // then that one's id. For an insert run again after a failure that may
  // have come after its commit (a connection lost before the reply).
  Result<int64_t> AddOnce(const Alert& alert);
  // The first alert `rule` raised for the event numbered `event_sequence`.
  Result<std::optional<Alert>> ForEvent(uint64_t event_sequence, std::string_view rule);
  // Whether `rule` already raised an alert for the event numbered
  // `event_sequence`, or (agent_id > 0) for agent `agent_id` from `since`
  // to `until` (unix seconds, both included): what a node judging its
  // events again after a restart must not raise twice.
  Result<bool> Raised(uint64_t event_sequence, std::string_view rule, int64_t agent_id = 0,
                      int64_t since = 0, int64_t until = std::numeric_limits<int64_t>::max());
  Result<Alert> Get(int64_t id);
  // Newest first.
  Result<std::vector<Alert>> List(const AlertQuery& query);
  // Run inside the acknowledgement's transaction, just before it commits
  // (the alert as it is about to be): its failure leaves the alert open.
  using BeforeCommit = std::function<Result<void>(const Alert&)>;
  // `by`: the acknowledging officer's service number. Errors: NotFound,
  // Conflict (already acknowledged), PermissionDenied (an alert about `by`
  // itself), InvalidArgument (the note), and those of `before_commit`.
  Result<Alert> Acknowledge(int64_t id, std::string_view by, std::string_view note,
                            const BeforeCommit& before_commit = {});

 private:
  store::Connection& db_;
  const Clock& clock_;
};

// Canary persons: decoys planted among the records (`vigie canary plant`).
Result<std::vector<int64_t>> ListCanaries(store::Connection& db);
// In the caller's transaction, so decoys and their watch commit together.
Result<void> AddCanaries(store::Connection& db, const std::vector<int64_t>& person_ids,
                         int64_t planted_at);

}  // namespace vigie::detect
