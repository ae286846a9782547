#include "incident/internal/hold_lifter.h"

#include "session/session_store.h"
#include "store/retry.h"

namespace vigie::incident::internal {
namespace {

using identity::Agent;
using identity::AgentStatus;

// A hold as read: the status it brings the agent back to, whether it is
// lifted, and whether another incident's hold still bars the agent.
struct HoldState {
  std::string prior_status;
  bool lifted = false;
  bool held_elsewhere = false;
  bool operator==(const HoldState&) const = default;
};

Result<HoldState> ReadHold(store::Connection& db, int64_t incident_id, int64_t agent_id) {
  ASSIGN_OR_RETURN(
      store::Statement * select,
      db.Prepare("SELECT ia.prior_status, CASE WHEN ia.lifted_at IS NULL THEN 0 ELSE 1 END, "
                 "CASE WHEN EXISTS (SELECT 1 FROM incident_agent o WHERE o.agent_id = ia.agent_id "
                 "AND o.lifted_at IS NULL AND o.incident_id <> ia.incident_id) THEN 1 ELSE 0 END "
                 "FROM incident_agent ia WHERE ia.incident_id = $1 AND ia.agent_id = $2"));
  select->BindInt(1, incident_id).BindInt(2, agent_id);
  ASSIGN_OR_RETURN(bool row, select->Step());
  if (!row) return Fail(ErrorCode::kNotFound, "the incident holds no such agent");
  HoldState state{.prior_status = std::string(select->ColumnText(0)),
                  .lifted = select->ColumnInt(1) != 0,
                  .held_elsewhere = select->ColumnInt(2) != 0};
  RETURN_IF_ERROR(select->Run());
  return state;
}

Result<void> MarkLifted(store::Connection& db, int64_t incident_id, int64_t agent_id,
                        int64_t now) {
  ASSIGN_OR_RETURN(store::Statement * lift,
                   db.Prepare("UPDATE incident_agent SET lifted_at = $3 "
                              "WHERE incident_id = $1 AND agent_id = $2 AND lifted_at IS NULL"));
  lift->BindInt(1, incident_id).BindInt(2, agent_id).BindInt(3, now);
  RETURN_IF_ERROR(lift->Run());
  return {};
}

enum class Decision {
  kStillHeld,      // another incident holds it: stays suspended (reset, if the mode says so)
  kKeepSuspended,  // suspended before the incident, or meanwhile for another reason (idem)
  kReset,          // credentials erased, for an administrator's new code
  kReinstate,      // back as it was
  kAlreadyActive,  // never suspended (its suspension failed at containment)
  kLeave,          // not the release's to decide: left as it is, reported
};

Decision Decide(const HoldState& hold, const Agent& agent, ReleaseMode mode, std::string& why) {
  if (hold.held_elsewhere) return Decision::kStillHeld;
  if (agent.status == AgentStatus::kDisabled) {
    why = "the agent was disabled meanwhile: nothing to lift";
    return Decision::kLeave;
  }
  if (hold.prior_status == "suspended") {
    if (agent.status == AgentStatus::kSuspended) return Decision::kKeepSuspended;
    why = "the agent was suspended before the incident but is " +
          std::string(AgentStatusName(agent.status)) + " now: left as it is, to be checked";
    return Decision::kLeave;
  }
  // Security: whatever the mode, a reset erases the credentials.
  if (mode == ReleaseMode::kReset) return Decision::kReset;
  if (agent.status == AgentStatus::kActive) {
    // Activated or reinstated by someone while held: not the release's to
    // bless. (Locked when held is active once its lock runs out.)
    if (hold.prior_status != "active" && hold.prior_status != "locked") {
      why = "the agent became active while held (it was " + hold.prior_status +
            "): left as it is, to be checked";
      return Decision::kLeave;
    }
    return Decision::kAlreadyActive;
  }
  if (agent.status != AgentStatus::kSuspended) {
    why = "the agent is " + std::string(AgentStatusName(agent.status)) +
          ", not suspended: left as it is";
    return Decision::kLeave;
  }
  return Decision::kReinstate;
}

// Rounds of read, decide, apply when the hold keeps changing under us.
constexpr int kRounds = 4;

}  // namespace

Result<void> HoldLifter::Lift(int64_t incident_id, int64_t agent_id,
                              const std::string& service_number, ReleaseMode mode,
                              const identity::AgentDirectory::BeforeCommit& before_reset,
                              const identity::AgentDirectory::BeforeCommit& before_reinstate,
                              const identity::AgentDirectory::BeforeCommit& before_suspend,
                              Released& done) {
  identity::AgentDirectory directory(db_, clock_, identity_);
  session::SessionStore sessions(db_, clock_, sessions_);
  for (int round = 0; round < kRounds; ++round) {
    ASSIGN_OR_RETURN(HoldState hold, ReadHold(db_, incident_id, agent_id));
    if (hold.lifted) return {};  // a concurrent release of this incident did it
    ASSIGN_OR_RETURN(Agent now, directory.FindAgent(service_number));
    std::string why;
    const Decision decision = Decide(hold, now, mode, why);
    // Runs inside the transaction that changes the agent (or alone): the
    // hold still as read - no containment, no suspension since - then lifted.
    // Security: no session opens while a hold stands, so one still live now
    // predates the containment (its revocation then failed, or a login raced
    // it): it ends here, in the same transaction, or the agent does not come
    // back with it.
    bool moved = false;
    auto as_read_then_lift = [&](std::string_view end_reason) -> Result<void> {
      ASSIGN_OR_RETURN(HoldState again, ReadHold(db_, incident_id, agent_id));
      if (!(again == hold)) {
        moved = true;
        return Fail(ErrorCode::kConflict, "the agent's holds changed during the release");
      }
      RETURN_IF_ERROR(MarkLifted(db_, incident_id, agent_id, UnixSeconds(clock_.Now())));
      RETURN_IF_ERROR(sessions.EndAllForAgentInTransaction(agent_id, end_reason));
      return {};
    };
    Result<void> applied;
    // `before_commit`, if set, runs with the lift, on the agent as read.
    auto lift_alone =
        [&](const identity::AgentDirectory::BeforeCommit& before_commit = {}) -> Result<void> {
      return store::RetryOnConflict([&]() -> Result<void> {
        ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(db_));
        // The status as read too: a containment suspending the agent since
        // (it suspends after its holds commit) makes this a reinstatement,
        // decided again; lifted as it was read, it would stay suspended
        // with no incident holding it.
        ASSIGN_OR_RETURN(Agent still, directory.FindAgent(service_number));
        if (still.status != now.status) {
          moved = true;
          return Fail(ErrorCode::kConflict, "the agent's status changed during the release");
        }
        RETURN_IF_ERROR(as_read_then_lift(kEndContained));
        if (before_commit) RETURN_IF_ERROR(before_commit(now));
        return tx.Commit();
      });
    };
    // Credentials erased, the hold lifted in the same transaction;
    // `on_suspension` says whether the agent leaves its suspension too.
    auto reset_credentials = [&](identity::AgentDirectory::OnSuspension on_suspension) -> bool {
      auto reset = directory.EraseForReactivation(
          service_number, on_suspension, [&](const Agent& agent) -> Result<void> {
            // No session outlives the credentials it was opened with.
            RETURN_IF_ERROR(as_read_then_lift(kEndReset));
            return before_reset ? before_reset(agent) : Result<void>{};
          });
      if (!reset) {
        applied = Fail(reset.error());
        return false;
      }
      done.reset.push_back(std::move(*reset));
      return true;
    };
    switch (decision) {
      case Decision::kReset:
        if (reset_credentials(identity::AgentDirectory::OnSuspension::kLift)) return {};
        break;
      case Decision::kStillHeld:
      case Decision::kKeepSuspended:
      case Decision::kLeave:
        // Security: the reset this release orders is not skipped because the
        // agent stays suspended, or is left as it is to be checked: a later
        // reinstatement (of the other incident, by an administrator) must
        // not bring back credentials the attacker may hold. An
        // administrator's code works once the agent is reinstated.
        // (A disabled agent has no credentials left.)
        if (mode == ReleaseMode::kReset && now.status != AgentStatus::kDisabled) {
          if (!reset_credentials(identity::AgentDirectory::OnSuspension::kKeep)) break;
        } else if (decision == Decision::kLeave && now.status != AgentStatus::kDisabled) {
          // Security: not the release's to bless, so not un-barred either
          // (an agent activated while held, by whoever had its code): its
          // hold gives way to a suspension in the same transaction, for an
          // administrator to reinstate or reset once checked.
          auto suspended =
              directory.Suspend(service_number, [&](const Agent& agent) -> Result<void> {
                RETURN_IF_ERROR(as_read_then_lift(kEndContained));
                return before_suspend ? before_suspend(agent) : Result<void>{};
              });
          if (!suspended) {
            applied = Fail(suspended.error());
            break;
          }
          why += " (suspended)";
        } else {
          applied = lift_alone();
          if (!applied) break;
        }
        if (decision == Decision::kStillHeld) done.still_contained.push_back(service_number);
        if (decision == Decision::kKeepSuspended) done.kept_suspended.push_back(std::move(now));
        if (decision == Decision::kLeave) return Fail(ErrorCode::kConflict, why);
        return {};
      case Decision::kReinstate: {
        // Set by the attempt whose hook refused (never retried, so never
        // stale): a hold that moved says so itself; a session that would not
        // end is the release's error, not a change to go round for.
        bool hook_refused = false;
        auto reinstated =
            directory.Reinstate(service_number, [&](const Agent& agent) -> Result<void> {
              Result<void> lifted = as_read_then_lift(kEndContained);
              hook_refused = !lifted && lifted.error().code() == ErrorCode::kConflict;
              if (!lifted || !before_reinstate) return lifted;
              return before_reinstate(agent);
            });
        if (!reinstated) {
          // Refused before the hook: its status changed since it was read.
          if (!hook_refused && reinstated.error().code() == ErrorCode::kConflict) moved = true;
          applied = Fail(reinstated.error());
          break;
        }
        done.reinstated.push_back(std::move(*reinstated));
        return {};
      }
      case Decision::kAlreadyActive:
        // Back in service once its reinstatement is in the log, as below.
        applied = lift_alone(before_reinstate);
        if (!applied) break;
        done.reinstated.push_back(std::move(now));
        return {};
    }
    if (!moved) return applied;
  }
  return Fail(ErrorCode::kConflict,
              "the agent's holds kept changing during the release: release again to finish");
}

}  // namespace vigie::incident::internal
