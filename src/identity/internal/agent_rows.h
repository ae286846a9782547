#pragma once
// Reading agent rows, shared by the directory, activation and login: one
// SELECT, one mapping, one place that decides the effective status.
// Thread-safety: as store::Connection (one thread at a time).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "identity/model.h"
#include "store/store.h"

namespace vigie::identity::internal {

// An agent with the credential columns the login path needs.
struct AgentRow {
  Agent agent;  // status is the effective one at `now`
  AgentStatus stored_status = AgentStatus::kPendingActivation;
  std::optional<std::string> password_hash;  // PHC string
  uint32_t totp_key_id = 0;
  std::vector<uint8_t> totp_sealed;  // empty when not enrolled
  int64_t totp_last_step = 0;
  int64_t failure_count_since = 0;
};

// nullopt when there is no such agent. DataLoss: a row whose status or roles
// do not parse. Unavailable/Internal from the store.
Result<std::optional<AgentRow>> LoadAgentById(store::Connection& db, int64_t id, int64_t now);
Result<std::optional<AgentRow>> LoadAgentByServiceNumber(store::Connection& db,
                                                         std::string_view service_number,
                                                         int64_t now);

// Pages of agents in id order, after `after_id`, optionally in one unit.
Result<std::vector<Agent>> LoadAgents(store::Connection& db, std::optional<int64_t> unit_id,
                                      int64_t after_id, int64_t limit, int64_t now);

// The effective status: a lock that has run out reads as active.
AgentStatus EffectiveStatus(AgentStatus stored, int64_t locked_until, int64_t now);

}  // namespace vigie::identity::internal
