// Portal's administration: units and agents, for administrators; each act
// audited, and a suspension or reset ends the agent's sessions at once.

#include "app/audit_trail.h"
#include "app/internal/audited.h"
#include "app/portal.h"
#include "incident/containment.h"
#include "session/session_store.h"

namespace vigie::app {
namespace {

using audit::AuditEvent;
using audit::AuditEventType;
using internal::Audited;
using internal::AuditedBeforeCommit;
using internal::Now;

// Security: an agent suspended, reset or disabled holds no session.
constexpr std::string_view kEndSuspended = "suspended";

// An administrator's event names the agent by service number already.
void DescribeNothing(AuditEvent&, const identity::Agent&) {}

}  // namespace

Result<void> Portal::RequireAdministrator(const Caller& caller) const {
  if (!policy::MayAdminister(caller.roles)) {
    return Fail(ErrorCode::kPermissionDenied, "only administrators manage agents and units");
  }
  return {};
}

Result<void> Portal::RequireSecurityOfficer(const Caller& caller) const {
  if (!caller.roles.Has(identity::Role::kSecurityOfficer)) {
    return Fail(ErrorCode::kPermissionDenied,
                "only security officers handle alerts and incidents");
  }
  return {};
}

Result<void> Portal::RequireNoStepUpDemanded(const Caller& caller) const {
  if (caller.step_up_demanded) {
    return Fail(ErrorCode::kPermissionDenied, std::string(kStepUpRequired));
  }
  return {};
}

Result<void> Portal::RequireSessionInGoodStanding(const Caller& caller) const {
  RETURN_IF_ERROR(RequireNoStepUpDemanded(caller));
  if (!caller.notice_acknowledged) {
    return Fail(ErrorCode::kPermissionDenied, std::string(kNoticeNotAcknowledged));
  }
  return {};
}

Result<void> Portal::RequireNotContained(store::Connection& db, std::string_view service_number) {
  ASSIGN_OR_RETURN(identity::Agent agent,
                   identity::AgentDirectory(db, *parts_.clock, identity_options_)
                       .FindAgent(service_number));
  ASSIGN_OR_RETURN(incident::AccessBar bar, incident::AccessBarred(db, agent.id));
  if (bar.contained) {
    return Fail(ErrorCode::kConflict, "agent " + agent.service_number +
                                          " is held by an open incident: release the incident");
  }
  return {};
}

Result<identity::Unit> Portal::AddUnit(const Caller& caller, const identity::NewUnit& unit) {
  const auto started = Now();
  // Durable before the unit exists: recorded after, an event the log then
  // failed to take left a unit nobody added (and a retry only a Conflict).
  return AuditedBeforeCommit<identity::Unit, identity::Unit>(
      *trail_, trail_->Administration(caller, AuditEventType::kUnitAdded, unit.code), started,
      [](AuditEvent&, const identity::Unit&) {},
      [&](const identity::AgentDirectory::UnitBeforeCommit& before_commit)
          -> Result<identity::Unit> {
        RETURN_IF_ERROR(RequireAdministrator(caller));
        RETURN_IF_ERROR(RequireNoStepUpDemanded(caller));
        ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
        return identity::AgentDirectory(*db, *parts_.clock, identity_options_)
            .AddUnit(unit, before_commit);
      });
}

Result<std::vector<identity::Unit>> Portal::ListUnits(const Caller& caller) {
  RETURN_IF_ERROR(RequireAdministrator(caller));
  ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
  return identity::AgentDirectory(*db, *parts_.clock, identity_options_).ListUnits();
}

Result<identity::AgentWithCode> Portal::AddAgent(const Caller& caller,
                                                 const identity::NewAgent& agent) {
  const auto started = Now();
  return AuditedBeforeCommit<identity::AgentWithCode, identity::Agent>(
      *trail_, trail_->Administration(caller, AuditEventType::kAgentAdded, agent.service_number),
      started, DescribeNothing,
      [&](const identity::AgentDirectory::BeforeCommit& before_commit)
          -> Result<identity::AgentWithCode> {
        RETURN_IF_ERROR(RequireAdministrator(caller));
        RETURN_IF_ERROR(RequireNoStepUpDemanded(caller));
        ASSIGN_OR_RETURN(identity::RoleSet roles, identity::RoleSet::FromNames(agent.roles));
        RETURN_IF_ERROR(policy::CheckSeparationOfDuties(roles));
        ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
        return identity::AgentDirectory(*db, *parts_.clock, identity_options_)
            .AddAgent(agent, before_commit);
      });
}

Result<std::vector<identity::Agent>> Portal::ListAgents(const Caller& caller,
                                                        const identity::AgentQuery& query) {
  RETURN_IF_ERROR(RequireAdministrator(caller));
  ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
  return identity::AgentDirectory(*db, *parts_.clock, identity_options_).ListAgents(query);
}

Result<identity::Agent> Portal::ShowAgent(const Caller& caller, std::string_view service_number) {
  RETURN_IF_ERROR(RequireAdministrator(caller));
  ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
  return identity::AgentDirectory(*db, *parts_.clock, identity_options_).FindAgent(service_number);
}

Result<identity::Agent> Portal::SuspendAgent(const Caller& caller,
                                             std::string_view service_number) {
  const auto started = Now();
  auto suspended = [&]() -> Result<identity::Agent> {
    RETURN_IF_ERROR(RequireAdministrator(caller));
    ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
    identity::AgentDirectory directory(*db, *parts_.clock, identity_options_);
    session::SessionStore sessions(*db, *parts_.clock, session_options_);
    return directory.Suspend(service_number, [&](const identity::Agent& agent_now) -> Result<void> {
      // In the suspension's transaction: a hold an incident takes, or a
      // release lifts, meanwhile cannot see one without the other.
      RETURN_IF_ERROR(incident::KeepSuspendedAfterRelease(*db, agent_now.id));
      RETURN_IF_ERROR(sessions.EndAllForAgentInTransaction(agent_now.id, kEndSuspended));
      return {};
    });
  }();
  return Audited(*trail_,
                 trail_->Administration(caller, AuditEventType::kAgentSuspended, service_number),
                 started, std::move(suspended));
}

Result<identity::Agent> Portal::ReinstateAgent(const Caller& caller,
                                               std::string_view service_number) {
  const auto started = Now();
  // An agent back at work only once the log says who brought them back: a
  // log that cannot be written refuses the reinstatement whole.
  auto reinstated = AuditedBeforeCommit<identity::Agent, identity::Agent>(
      *trail_, trail_->Administration(caller, AuditEventType::kAgentReinstated, service_number),
      started, DescribeNothing,
      [&](const identity::AgentDirectory::BeforeCommit& before_commit) -> Result<identity::Agent> {
        RETURN_IF_ERROR(RequireAdministrator(caller));
        RETURN_IF_ERROR(RequireNoStepUpDemanded(caller));
        ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
        // Checked in the transaction that reinstates: a containment
        // committed between a check and the change would otherwise be undone.
        return identity::AgentDirectory(*db, *parts_.clock, identity_options_)
            .Reinstate(service_number, [&](const identity::Agent& agent) -> Result<void> {
              RETURN_IF_ERROR(RequireNotContained(*db, service_number));
              return before_commit(agent);
            });
      });
  // Its hash, perhaps from before the parameters were lowered, is
  // verifiable again: refusals are priced again at the next login.
  if (reinstated) refusal_pricer_->Stale();
  return reinstated;
}

Result<identity::AgentWithCode> Portal::ResetAgent(const Caller& caller,
                                                   std::string_view service_number) {
  const auto started = Now();
  return AuditedBeforeCommit<identity::AgentWithCode, identity::Agent>(
      *trail_, trail_->Administration(caller, AuditEventType::kAgentReset, service_number), started,
      DescribeNothing,
      [&](const identity::AgentDirectory::BeforeCommit& before_commit)
          -> Result<identity::AgentWithCode> {
        RETURN_IF_ERROR(RequireAdministrator(caller));
        RETURN_IF_ERROR(RequireNoStepUpDemanded(caller));
        ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
        session::SessionStore sessions(*db, *parts_.clock, session_options_);
        return identity::AgentDirectory(*db, *parts_.clock, identity_options_)
            .Reset(service_number, identity::AgentDirectory::OnSuspension::kKeep,
                   [&](const identity::Agent& agent) -> Result<void> {
                     // In the reset's transaction, as for a reinstatement; no
                     // session outlives the credentials it was opened with.
                     RETURN_IF_ERROR(RequireNotContained(*db, service_number));
                     RETURN_IF_ERROR(
                         sessions.EndAllForAgentInTransaction(agent.id, incident::kEndReset));
                     return before_commit(agent);
                   });
      });
}

}  // namespace vigie::app
