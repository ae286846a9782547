#pragma once
// Reading and ending rows of the `session` table (migration 3), shared by
// SessionStore and StepUpTracker. Internal to the session component.
// Thread-safety: as the Connection passed in (one thread at a time).

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/error.h"
#include "session/session_options.h"
#include "session/session_store.h"
#include "store/store.h"

namespace vigie::session::internal {

// The session columns, in the order ReadSession expects; the table is `s`.
inline constexpr std::string_view kSessionColumns =
    "s.id, s.agent_id, s.jkt, s.created_at, s.last_seen_at, s.expires_at, "
    "s.notice_acknowledged_at, s.step_up_at, s.ended_at, s.end_reason, s.step_up_demanded_at";
inline constexpr int kSessionColumnCount = 11;

// Reads kSessionColumns starting at column `first` of the current row.
Session ReadSession(const store::Statement& row, int first = 0);

// The session `id`, or nullopt.
Result<std::optional<Session>> FindSession(store::Connection& db, int64_t id);

// Why a session not yet marked ended has lapsed by `now`, if it has.
std::optional<std::string_view> LapseReason(const Session& session, int64_t now,
                                            const SessionOptions& options);

// Marks the session ended at `now` with `reason` unless it already was, and
// deletes its tokens and file openings. Returns whether this call ended it.
// REQUIRES: inside a write transaction when atomicity with other writes matters.
Result<bool> EndSession(store::Connection& db, int64_t id, int64_t now, std::string_view reason);

// 1 to 64 characters of [a-z0-9_]. Security: reasons end up in logs and
// audit events; a closed alphabet keeps them from carrying anything else.
bool IsValidEndReason(std::string_view reason);

}  // namespace vigie::session::internal
