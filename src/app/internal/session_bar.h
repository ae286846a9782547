#pragma once
// Why an agent's live session may not be used now: read on every request
// (Portal::Authenticate) and at every refresh, so both obey the same bars.

#include <optional>
#include <string_view>

#include "core/clock.h"
#include "core/error.h"
#include "identity/model.h"
#include "session/session_store.h"
#include "store/store.h"

namespace vigie::app::internal {

inline constexpr std::string_view kEndAgentInactive = "agent_inactive";

// Why an agent's live session may not be used now. `end_reason` set: the
// session ends on it; empty: refused while the bar lasts (a lock-down).
struct SessionBar {
  std::string_view end_reason;
  std::string_view why;
};

Result<std::optional<SessionBar>> SessionBarFor(store::Connection& db,
                                                const identity::Agent& agent);

// Ends the sessions of an agent whose suspension or reset has committed. A
// failure is logged, not returned: the change is done and must be reported
// (and logged) as done, and the sessions end on their next request anyway
// (SessionBarFor: the agent is no longer active).
void EndSessionsOfInactiveAgent(store::Connection& db, const Clock& clock,
                                const session::SessionOptions& options, int64_t agent_id,
                                std::string_view reason);

}  // namespace vigie::app::internal
