#pragma once
// AgentDirectory: units and agents as administrators see them — creation,
// listing, and the account life cycle:
//
//   add / reset ──► pending_activation ──(Activation)──► active ◄─► locked
//                                                          │ ▲   (lock-out)
//                                          suspend ────────▼ │ reinstate
//                                                       suspended
//   disable (from any status) ──► disabled (terminal, credentials erased)
//
// Who may call what (separation of duties) is decided by `policy`; this class
// only validates and records. Revoking sessions after a suspension, reset or
// disablement is the caller's job (the session component owns sessions).
//
// Thread-safety: one AgentDirectory per connection, used by one thread at a
// time. Each mutating call runs in its own write transaction.
// Errors (all calls): Unavailable/Internal from the store; DataLoss for a
// corrupt row.

#include <cstdint>
#include <optional>
#include <functional>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "crypto/secret_bytes.h"
#include "identity/model.h"
#include "identity/options.h"
#include "store/store.h"

namespace vigie::identity {

// An activation code shown once to the administrator, to hand over in person.
struct IssuedActivationCode {
  crypto::SecretBytes code;  // display form, e.g. "7K3M-Q9XD-..." (text bytes)
  int64_t expires_at = 0;    // unix seconds
};

struct AgentWithCode {
  Agent agent;
  IssuedActivationCode activation;
};

struct AgentQuery {
  std::optional<std::string> unit_code;  // only this unit's agents
  int64_t after_id = 0;                  // paging: ids greater than this
  int64_t limit = 100;                   // 1..kMaxAgentPage
};
inline constexpr int64_t kMaxAgentPage = 1000;

class AgentDirectory {
 public:
  AgentDirectory(store::Connection& db, const Clock& clock, const IdentityOptions& options = {})
      : db_(&db), clock_(&clock), options_(options) {}

  // InvalidArgument: bad code, name or kind. Conflict: the code exists.
  // `before_commit` as for AddAgent below.
  using UnitBeforeCommit = std::function<Result<void>(const Unit&)>;
  Result<Unit> AddUnit(const NewUnit& unit, const UnitBeforeCommit& before_commit = {});
  // All units, by code.
  Result<std::vector<Unit>> ListUnits();
  // NotFound: no unit has this code.
  Result<Unit> FindUnit(std::string_view code);

  // Creates an agent in status pending_activation with a fresh activation
  // code (valid options.activation_code_lifetime).
  // InvalidArgument: bad service number or name, unknown unit, unknown role,
  // no role. Conflict: the service number exists.
  // `before_commit`, when given, runs inside the transaction once everything
  // is written and before it commits (the caller makes its audit event
  // durable there); its error rolls the change back.
  using BeforeCommit = std::function<Result<void>(const Agent&)>;
  Result<AgentWithCode> AddAgent(const NewAgent& agent, const BeforeCommit& before_commit = {});

  // InvalidArgument: bad query (limit out of range, unknown unit).
  Result<std::vector<Agent>> ListAgents(const AgentQuery& query = {});
  // NotFound when there is no such agent.
  Result<Agent> GetAgent(int64_t id);
  Result<Agent> FindAgent(std::string_view service_number);

  // Suspends an agent (any status but disabled; suspending a suspended agent
  // changes nothing). Pending challenges are dropped.
  // NotFound. Conflict: the agent is disabled.
  // `before_commit` as for AddAgent (a caller ends the agent's sessions there:
  // a suspension never stands with them alive).
  Result<Agent> Suspend(std::string_view service_number, const BeforeCommit& before_commit = {});

  // Lifts a suspension or a lock: back to active when the agent has
  // activated, else to pending_activation. Failures before now stop counting.
  // NotFound. Conflict: the agent is neither suspended nor locked.
  // `before_commit` as for AddAgent (a caller checks there, in the same
  // transaction, that no incident holds the agent).
  Result<Agent> Reinstate(std::string_view service_number, const BeforeCommit& before_commit = {});

  // What a reset does to a suspended agent.
  enum class OnSuspension {
    kKeep,  // an administrator's reset: lifting it is a reinstatement of its own
    kLift,  // a containment's release: the release is the act that lifts it
  };

  // Forces a new activation: erases the password and TOTP factor, issues a
  // new activation code (the old one stops working), status
  // pending_activation - or suspended still, under OnSuspension::kKeep.
  // NotFound. Conflict: the agent is disabled.
  Result<AgentWithCode> Reset(std::string_view service_number, OnSuspension on_suspension,
                              const BeforeCommit& before_commit = {});
  // As Reset, but no code is issued (any earlier one stops working): the
  // agent waits for an administrator's Reset. For a security officer's
  // release of an incident: a code in the officer's hands would let them
  // activate, and act as, any agent (an investigator reading records).
  Result<Agent> EraseForReactivation(std::string_view service_number, OnSuspension on_suspension,
                                     const BeforeCommit& before_commit = {});

  // Disables an agent for good: erases its credentials and activation code.
  // Idempotent. NotFound.
  // Security: sessions are not ended here (SessionStore::Authenticate does
  // not read the agent's status): `before_commit` must end them, as for a
  // suspension, or the agent's live sessions outlive the account.
  Result<Agent> Disable(std::string_view service_number, const BeforeCommit& before_commit);

 private:
  Result<IssuedActivationCode> IssueActivationCode(int64_t agent_id, int64_t now);
  // Reset, issuing a code only if `issue_code`.
  Result<AgentWithCode> ResetCredentials(std::string_view service_number,
                                         OnSuspension on_suspension, bool issue_code,
                                         const BeforeCommit& before_commit);
  Result<Agent> Reload(int64_t id);

  store::Connection* db_;
  const Clock* clock_;
  IdentityOptions options_;
};

}  // namespace vigie::identity
