#include "session/step_up_tracker.h"

#include <string>

#include "session/internal/session_rows.h"
#include "store/retry.h"

namespace vigie::session {

Result<void> StepUpTracker::RequireLiveSession(int64_t session_id) {
  ASSIGN_OR_RETURN(auto session, internal::FindSession(db_, session_id));
  if (!session) return Fail(ErrorCode::kNotFound, "no session " + std::to_string(session_id));
  if (!session->live()) return Fail(ErrorCode::kUnauthenticated, "session ended");
  return {};
}

Result<int64_t> StepUpTracker::OpenedInWindow(int64_t session_id, int64_t now) {
  // Openings before the last step-up were deleted by RecordStepUp.
  ASSIGN_OR_RETURN(store::Statement * count,
                   db_.Prepare("SELECT count(*) FROM session_file_opening "
                               "WHERE session_id = $1 AND opened_at > $2"));
  count->BindInt(1, session_id).BindInt(2, now - rule_.window_seconds);
  ASSIGN_OR_RETURN(bool row, count->Step());
  if (!row) return Fail(ErrorCode::kInternal, "count returned no row");
  const int64_t opened = count->ColumnInt(0);
  RETURN_IF_ERROR(count->Run());
  return opened;
}

Result<bool> StepUpTracker::RecordFileOpening(int64_t session_id) {
  // Security: SQLite's write transaction is exclusive, PostgreSQL's is
  // serializable (two counting the same rows conflict, one runs again).
  return store::RetryOnConflict([&]() -> Result<bool> {
    const int64_t now = UnixSeconds(clock_.Now());
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(db_));
    RETURN_IF_ERROR(RequireLiveSession(session_id));
    ASSIGN_OR_RETURN(int64_t opened, OpenedInWindow(session_id, now));
    if (opened >= rule_.files) return false;  // rolls back: nothing written
    ASSIGN_OR_RETURN(store::Statement * prune,
                     db_.Prepare("DELETE FROM session_file_opening "
                                 "WHERE session_id = $1 AND opened_at <= $2"));
    prune->BindInt(1, session_id).BindInt(2, now - rule_.window_seconds);
    RETURN_IF_ERROR(prune->Run());
    ASSIGN_OR_RETURN(store::Statement * insert,
                     db_.Prepare("INSERT INTO session_file_opening (session_id, opened_at) "
                                 "VALUES ($1, $2)"));
    insert->BindInt(1, session_id).BindInt(2, now);
    RETURN_IF_ERROR(insert->Run());
    RETURN_IF_ERROR(tx.Commit());
    return true;
  });
}

Result<bool> StepUpTracker::StepUpRequired(int64_t session_id) {
  const int64_t now = UnixSeconds(clock_.Now());
  ASSIGN_OR_RETURN(auto tx, store::Transaction::BeginRead(db_));
  RETURN_IF_ERROR(RequireLiveSession(session_id));
  ASSIGN_OR_RETURN(int64_t opened, OpenedInWindow(session_id, now));
  RETURN_IF_ERROR(tx.Commit());
  return opened >= rule_.files;
}

Result<std::optional<int64_t>> StepUpTracker::Demanded(int64_t session_id) {
  ASSIGN_OR_RETURN(auto session, internal::FindSession(db_, session_id));
  if (!session) return Fail(ErrorCode::kNotFound, "no session " + std::to_string(session_id));
  if (!session->live()) return Fail(ErrorCode::kUnauthenticated, "session ended");
  return session->step_up_demanded_at;
}

Result<void> StepUpTracker::RecordStepUp(int64_t session_id, std::optional<int64_t> demand_met) {
  return store::RetryOnConflict([&]() -> Result<void> {
    const int64_t now = UnixSeconds(clock_.Now());
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(db_));
    RETURN_IF_ERROR(RequireLiveSession(session_id));
    // -1 matches no demand (they are times): with none read, none is met.
    // A demand met is kept, negated: the next one must differ from it
    // (DemandForAgent), or a code checked against it, still on its way,
    // would meet a demand made after it.
    ASSIGN_OR_RETURN(store::Statement * mark,
                     db_.Prepare("UPDATE session SET step_up_at = $2, step_up_demanded_at = "
                                 "CASE WHEN step_up_demanded_at = $3 THEN -step_up_demanded_at "
                                 "ELSE step_up_demanded_at END WHERE id = $1"));
    mark->BindInt(1, session_id).BindInt(2, now).BindInt(3, demand_met.value_or(-1));
    RETURN_IF_ERROR(mark->Run());
    ASSIGN_OR_RETURN(store::Statement * reset,
                     db_.Prepare("DELETE FROM session_file_opening WHERE session_id = $1"));
    reset->BindInt(1, session_id);
    RETURN_IF_ERROR(reset->Run());
    return tx.Commit();
  });
}

Result<void> StepUpTracker::DemandForAgent(int64_t agent_id) {
  // A new demand never repeats the value a code was checked against: it is
  // past the standing one, or the last one met (stored negated).
  ASSIGN_OR_RETURN(store::Statement * demand,
                   db_.Prepare("UPDATE session SET step_up_demanded_at = "
                               "CASE WHEN ABS(step_up_demanded_at) >= $2 "
                               "THEN ABS(step_up_demanded_at) + 1 "
                               "ELSE $2 END WHERE agent_id = $1 AND ended_at IS NULL"));
  demand->BindInt(1, agent_id).BindInt(2, UnixSeconds(clock_.Now()));
  RETURN_IF_ERROR(demand->Run());
  return {};
}

}  // namespace vigie::session
