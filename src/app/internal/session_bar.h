#pragma once
// Why an agent's live session may not be used now: read on every request
// (Portal::Authenticate) and at every refresh, so both obey the same bars.

#include <optional>
#include <string_view>

#include "core/error.h"
#include "identity/model.h"
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

}  // namespace vigie::app::internal
