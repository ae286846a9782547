#include "session/internal/session_rows.h"

#include <string>

namespace vigie::session::internal {
namespace {

std::optional<int64_t> OptionalInt(const store::Statement& row, int column) {
  if (row.ColumnIsNull(column)) return std::nullopt;
  return row.ColumnInt(column);
}

}  // namespace

Session ReadSession(const store::Statement& row, int first) {
  Session s;
  s.id = row.ColumnInt(first + 0);
  s.agent_id = row.ColumnInt(first + 1);
  s.jkt = std::string(row.ColumnText(first + 2));
  s.created_at = row.ColumnInt(first + 3);
  s.last_seen_at = row.ColumnInt(first + 4);
  s.expires_at = row.ColumnInt(first + 5);
  s.notice_acknowledged_at = OptionalInt(row, first + 6);
  s.last_step_up_at = row.ColumnInt(first + 7);
  s.ended_at = OptionalInt(row, first + 8);
  if (s.ended_at) s.end_reason = std::string(row.ColumnText(first + 9));
  s.step_up_demanded_at = OptionalInt(row, first + 10);
  // Negative: the last demand met (StepUpTracker), none standing.
  if (s.step_up_demanded_at && *s.step_up_demanded_at <= 0) s.step_up_demanded_at.reset();
  return s;
}

Result<std::optional<Session>> FindSession(store::Connection& db, int64_t id) {
  static const std::string kSql =
      "SELECT " + std::string(kSessionColumns) + " FROM session s WHERE s.id = $1";
  ASSIGN_OR_RETURN(store::Statement * select, db.Prepare(kSql));
  select->BindInt(1, id);
  ASSIGN_OR_RETURN(bool found, select->Step());
  if (!found) return std::optional<Session>();
  Session session = ReadSession(*select);
  RETURN_IF_ERROR(select->Run());
  return std::optional<Session>(std::move(session));
}

std::optional<std::string_view> LapseReason(const Session& session, int64_t now,
                                            const SessionOptions& options) {
  if (now >= session.expires_at) return kEndExpired;
  if (now - session.last_seen_at >= options.idle_timeout_seconds) return kEndIdleTimeout;
  return std::nullopt;
}

Result<bool> EndSession(store::Connection& db, int64_t id, int64_t now, std::string_view reason) {
  ASSIGN_OR_RETURN(store::Statement * end,
                   db.Prepare("UPDATE session SET ended_at = $2, end_reason = $3 "
                              "WHERE id = $1 AND ended_at IS NULL"));
  end->BindInt(1, id).BindInt(2, now).BindText(3, reason);
  ASSIGN_OR_RETURN(int64_t ended, end->Run());
  // Security: the tokens of an ended session are worthless (every check
  // reads the session row first) but are deleted anyway: less to steal, and
  // the tables stay the size of the live sessions.
  for (std::string_view sql : {"DELETE FROM access_token WHERE session_id = $1",
                               "DELETE FROM refresh_token WHERE session_id = $1",
                               "DELETE FROM session_file_opening WHERE session_id = $1"}) {
    ASSIGN_OR_RETURN(store::Statement * purge, db.Prepare(sql));
    purge->BindInt(1, id);
    RETURN_IF_ERROR(purge->Run());
  }
  return ended > 0;
}

bool IsValidEndReason(std::string_view reason) {
  if (reason.empty() || reason.size() > 64) return false;
  for (char c : reason) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

}  // namespace vigie::session::internal
