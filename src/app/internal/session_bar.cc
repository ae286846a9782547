#include "app/internal/session_bar.h"

#include "incident/containment.h"

namespace vigie::app::internal {

Result<std::optional<SessionBar>> SessionBarFor(store::Connection& db,
                                                const identity::Agent& agent) {
  // Security: a lock-out stops password guessing; ending live sessions on it
  // would let anyone who knows a service number throw its agent out with
  // five wrong passwords.
  if (agent.status != identity::AgentStatus::kActive &&
      agent.status != identity::AgentStatus::kLocked) {
    // Defence in depth: status changes also end sessions where they happen.
    return SessionBar{.end_reason = kEndAgentInactive, .why = "agent is not active"};
  }
  // A containment holds from its commit, before its suspensions are done.
  ASSIGN_OR_RETURN(incident::AccessBar bar, incident::AccessBarred(db, agent.id));
  if (bar.contained) {
    return SessionBar{.end_reason = incident::kEndContained, .why = "agent is contained"};
  }
  if (bar.lockdown && !identity::SparedByContainment(agent.roles)) {
    return SessionBar{.end_reason = {}, .why = "the portal is locked down"};
  }
  return std::nullopt;
}

}  // namespace vigie::app::internal
