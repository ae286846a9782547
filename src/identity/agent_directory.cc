#include "identity/agent_directory.h"

#include <utility>

#include "crypto/bytes.h"
#include "identity/activation_code.h"
#include "identity/internal/agent_rows.h"
#include "identity/internal/codes.h"
#include "identity/internal/lockout.h"
#include "store/retry.h"

namespace vigie::identity {
namespace {

using internal::AgentRow;

Result<Unit> ReadUnit(const store::Statement& s) {
  Unit unit;
  unit.id = s.ColumnInt(0);
  unit.code = std::string(s.ColumnText(1));
  unit.name = std::string(s.ColumnText(2));
  auto kind = ParseUnitKind(s.ColumnText(3));
  if (!kind) return Fail(ErrorCode::kDataLoss, "unit " + unit.code + ": bad kind");
  unit.kind = *kind;
  unit.created_at = s.ColumnInt(4);
  return unit;
}

Result<AgentRow> RequireAgent(store::Connection& db, std::string_view service_number, int64_t now) {
  std::string normalised = internal::UpperAscii(service_number);
  // Not one that could exist (bytes from a URL's path, not UTF-8): not
  // looked up, so no database's complaint about it reaches the caller.
  if (!ValidateCode("service number", normalised)) {
    return Fail(ErrorCode::kNotFound, "no agent has this service number");
  }
  ASSIGN_OR_RETURN(auto row, internal::LoadAgentByServiceNumber(db, normalised, now));
  if (!row) return Fail(ErrorCode::kNotFound, "no agent has this service number");
  return std::move(*row);
}

// Sets the stored status (and clears any lock), dropping pending login
// challenges. Failures before `now` stop counting.
Result<void> SetStatus(store::Connection& db, int64_t agent_id, AgentStatus status, int64_t now) {
  ASSIGN_OR_RETURN(store::Statement * update,
                   db.Prepare("UPDATE agent SET status = $2, locked_until = 0, "
                              "failure_count_since = $3, updated_at = $3 WHERE id = $1"));
  update->BindInt(1, agent_id).BindText(2, AgentStatusName(status)).BindInt(3, now);
  RETURN_IF_ERROR(update->Run());
  ASSIGN_OR_RETURN(store::Statement * drop,
                   db.Prepare("DELETE FROM login_challenge WHERE agent_id = $1"));
  drop->BindInt(1, agent_id);
  RETURN_IF_ERROR(drop->Run());
  return internal::ForgetLoginFailures(db, agent_id);
}

// Security: erasing credentials leaves nothing that could authenticate as the
// agent: no password hash, no sealed seed, no activation code.
Result<void> EraseCredentials(store::Connection& db, int64_t agent_id, int64_t now) {
  ASSIGN_OR_RETURN(store::Statement * update,
                   db.Prepare("UPDATE agent SET password_hash = NULL, totp_key_id = NULL, "
                              "totp_sealed = NULL, totp_last_step = 0, updated_at = $2 "
                              "WHERE id = $1"));
  update->BindInt(1, agent_id).BindInt(2, now);
  RETURN_IF_ERROR(update->Run());
  // Security: a reset or a disabling takes every second factor with it,
  // passkeys too: the agent enrols again from the new activation code.
  for (std::string_view table : {"activation_code", "passkey", "passkey_challenge"}) {
    ASSIGN_OR_RETURN(store::Statement * drop,
                     db.Prepare("DELETE FROM " + std::string(table) + " WHERE agent_id = $1"));
    drop->BindInt(1, agent_id);
    RETURN_IF_ERROR(drop->Run());
  }
  return {};
}

}  // namespace

Result<Unit> AgentDirectory::AddUnit(const NewUnit& input, const UnitBeforeCommit& before_commit) {
  std::string code = internal::UpperAscii(input.code);
  RETURN_IF_ERROR(ValidateCode("unit code", code));
  ASSIGN_OR_RETURN(std::string name, ValidateName("unit name", input.name));
  ASSIGN_OR_RETURN(UnitKind kind, ParseUnitKind(input.kind));
  int64_t now = UnixSeconds(clock_->Now());

  // Run again on a PostgreSQL conflict.
  return store::RetryOnConflict([&]() -> Result<Unit> {
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(*db_));
    ASSIGN_OR_RETURN(store::Statement * exists, db_->Prepare("SELECT 1 FROM unit WHERE code = $1"));
    exists->BindText(1, code);
    ASSIGN_OR_RETURN(bool duplicate, exists->Step());
    RETURN_IF_ERROR(exists->Run());
    if (duplicate) return Fail(ErrorCode::kConflict, "a unit with code " + code + " exists");
    ASSIGN_OR_RETURN(store::Statement * insert,
                     db_->Prepare("INSERT INTO unit (code, name, kind, created_at) "
                                  "VALUES ($1, $2, $3, $4) RETURNING id"));
    insert->BindText(1, code).BindText(2, name).BindText(3, UnitKindName(kind)).BindInt(4, now);
    ASSIGN_OR_RETURN(bool row, insert->Step());
    if (!row) return Fail(ErrorCode::kInternal, "INSERT ... RETURNING gave no row");
    Unit unit{
        .id = insert->ColumnInt(0), .code = code, .name = name, .kind = kind, .created_at = now};
    RETURN_IF_ERROR(insert->Run());
    if (before_commit) RETURN_IF_ERROR(before_commit(unit));
    RETURN_IF_ERROR(tx.Commit());
    return unit;
  });
}

Result<std::vector<Unit>> AgentDirectory::ListUnits() {
  ASSIGN_OR_RETURN(store::Statement * s,
                   db_->Prepare("SELECT id, code, name, kind, created_at FROM unit ORDER BY code"));
  std::vector<Unit> units;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    ASSIGN_OR_RETURN(Unit unit, ReadUnit(*s));
    units.push_back(std::move(unit));
  }
  return units;
}

Result<Unit> AgentDirectory::FindUnit(std::string_view code) {
  ASSIGN_OR_RETURN(store::Statement * s,
                   db_->Prepare("SELECT id, code, name, kind, created_at FROM unit "
                                "WHERE code = $1"));
  s->BindText(1, internal::UpperAscii(code));
  ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return Fail(ErrorCode::kNotFound, "no unit has this code");
  ASSIGN_OR_RETURN(Unit unit, ReadUnit(*s));
  RETURN_IF_ERROR(s->Run());
  return unit;
}

Result<IssuedActivationCode> AgentDirectory::IssueActivationCode(int64_t agent_id, int64_t now) {
  IssuedActivationCode issued;
  issued.code = GenerateActivationCode();
  issued.expires_at = now + options_.activation_code_lifetime.count();
  ASSIGN_OR_RETURN(crypto::SecretBytes canonical,
                   CanonicalActivationCode(crypto::AsText(issued.code.view())));
  crypto::Sha256Digest digest = HashActivationCode(canonical);
  // One code per agent: a new one replaces (and so revokes) the previous one.
  ASSIGN_OR_RETURN(store::Statement * upsert,
                   db_->Prepare("INSERT INTO activation_code "
                                "(agent_id, code_hash, created_at, expires_at, used_at) "
                                "VALUES ($1, $2, $3, $4, NULL) ON CONFLICT (agent_id) DO UPDATE "
                                "SET code_hash = excluded.code_hash, created_at = "
                                "excluded.created_at, expires_at = excluded.expires_at, "
                                "used_at = NULL"));
  upsert->BindInt(1, agent_id).BindBlob(2, digest).BindInt(3, now).BindInt(4, issued.expires_at);
  RETURN_IF_ERROR(upsert->Run());
  return issued;
}

Result<AgentWithCode> AgentDirectory::AddAgent(const NewAgent& input,
                                               const BeforeCommit& before_commit) {
  std::string service_number = internal::UpperAscii(input.service_number);
  RETURN_IF_ERROR(ValidateCode("service number", service_number));
  ASSIGN_OR_RETURN(std::string display_name, ValidateName("display name", input.display_name));
  ASSIGN_OR_RETURN(RoleSet roles, RoleSet::FromNames(input.roles));
  int64_t now = UnixSeconds(clock_->Now());

  // Run again on a PostgreSQL conflict (a rolled-back attempt issued no
  // code; its audit hook may have recorded the act twice: over-reporting).
  return store::RetryOnConflict([&]() -> Result<AgentWithCode> {
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(*db_));
    auto unit = FindUnit(input.unit_code);
    if (!unit) {
      if (unit.error().code() != ErrorCode::kNotFound) return Fail(unit.error());
      return Fail(ErrorCode::kInvalidArgument, "unknown unit (no unit has this code)");
    }
    ASSIGN_OR_RETURN(auto existing, internal::LoadAgentByServiceNumber(*db_, service_number, now));
    if (existing) {
      return Fail(ErrorCode::kConflict,
                  "an agent with service number " + service_number + " exists");
    }
    ASSIGN_OR_RETURN(
        store::Statement * insert,
        db_->Prepare("INSERT INTO agent (service_number, display_name, unit_id, roles, "
                     "status, failure_count_since, created_at, updated_at) "
                     "VALUES ($1, $2, $3, $4, $5, $6, $6, $6) RETURNING id"));
    insert->BindText(1, service_number).BindText(2, display_name).BindInt(3, unit->id);
    insert->BindText(4, roles.ToString());
    insert->BindText(5, AgentStatusName(AgentStatus::kPendingActivation)).BindInt(6, now);
    ASSIGN_OR_RETURN(bool row, insert->Step());
    if (!row) return Fail(ErrorCode::kInternal, "INSERT ... RETURNING gave no row");
    int64_t id = insert->ColumnInt(0);
    RETURN_IF_ERROR(insert->Run());
    ASSIGN_OR_RETURN(IssuedActivationCode issued, IssueActivationCode(id, now));
    ASSIGN_OR_RETURN(Agent agent, Reload(id));
    if (before_commit) RETURN_IF_ERROR(before_commit(agent));
    RETURN_IF_ERROR(tx.Commit());
    return AgentWithCode{std::move(agent), std::move(issued)};
  });
}

Result<std::vector<Agent>> AgentDirectory::ListAgents(const AgentQuery& query) {
  if (query.limit < 1 || query.limit > kMaxAgentPage) {
    return Fail(ErrorCode::kInvalidArgument,
                "limit must be between 1 and " + std::to_string(kMaxAgentPage));
  }
  std::optional<int64_t> unit_id;
  ASSIGN_OR_RETURN(auto tx, store::Transaction::BeginRead(*db_));
  if (query.unit_code) {
    auto unit = FindUnit(*query.unit_code);
    if (!unit) {
      if (unit.error().code() != ErrorCode::kNotFound) return Fail(unit.error());
      return Fail(ErrorCode::kInvalidArgument, "unknown unit (no unit has this code)");
    }
    unit_id = unit->id;
  }
  ASSIGN_OR_RETURN(
      std::vector<Agent> agents,
      internal::LoadAgents(*db_, unit_id, query.after_id, query.limit, UnixSeconds(clock_->Now())));
  RETURN_IF_ERROR(tx.Commit());
  return agents;
}

Result<Agent> AgentDirectory::Reload(int64_t id) {
  ASSIGN_OR_RETURN(auto row, internal::LoadAgentById(*db_, id, UnixSeconds(clock_->Now())));
  if (!row) return Fail(ErrorCode::kNotFound, "no agent " + std::to_string(id));
  return std::move(row->agent);
}

Result<Agent> AgentDirectory::GetAgent(int64_t id) { return Reload(id); }

Result<Agent> AgentDirectory::FindAgent(std::string_view service_number) {
  ASSIGN_OR_RETURN(AgentRow row, RequireAgent(*db_, service_number, UnixSeconds(clock_->Now())));
  return std::move(row.agent);
}

Result<Agent> AgentDirectory::Suspend(std::string_view service_number,
                                      const BeforeCommit& before_commit) {
  return store::RetryOnConflict([&]() -> Result<Agent> {
    int64_t now = UnixSeconds(clock_->Now());
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(*db_));
    ASSIGN_OR_RETURN(AgentRow row, RequireAgent(*db_, service_number, now));
    if (row.stored_status == AgentStatus::kDisabled) {
      return Fail(ErrorCode::kConflict, "agent " + row.agent.service_number + " is disabled");
    }
    if (row.stored_status != AgentStatus::kSuspended) {
      RETURN_IF_ERROR(SetStatus(*db_, row.agent.id, AgentStatus::kSuspended, now));
    }
    ASSIGN_OR_RETURN(Agent agent, Reload(row.agent.id));
    if (before_commit) RETURN_IF_ERROR(before_commit(agent));
    RETURN_IF_ERROR(tx.Commit());
    return agent;
  });
}

Result<Agent> AgentDirectory::Reinstate(std::string_view service_number,
                                        const BeforeCommit& before_commit) {
  return store::RetryOnConflict([&]() -> Result<Agent> {
    int64_t now = UnixSeconds(clock_->Now());
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(*db_));
    ASSIGN_OR_RETURN(AgentRow row, RequireAgent(*db_, service_number, now));
    if (row.stored_status != AgentStatus::kSuspended && row.stored_status != AgentStatus::kLocked) {
      return Fail(ErrorCode::kConflict, "agent " + row.agent.service_number + " is " +
                                            std::string(AgentStatusName(row.agent.status)) +
                                            ", not suspended or locked");
    }
    bool activated = row.password_hash.has_value() && !row.totp_sealed.empty();
    RETURN_IF_ERROR(SetStatus(
        *db_, row.agent.id, activated ? AgentStatus::kActive : AgentStatus::kPendingActivation, now));
    ASSIGN_OR_RETURN(Agent agent, Reload(row.agent.id));
    if (before_commit) RETURN_IF_ERROR(before_commit(agent));
    RETURN_IF_ERROR(tx.Commit());
    return agent;
  });
}

Result<AgentWithCode> AgentDirectory::Reset(std::string_view service_number,
                                            OnSuspension on_suspension,
                                            const BeforeCommit& before_commit) {
  return ResetCredentials(service_number, on_suspension, /*issue_code=*/true, before_commit);
}

Result<Agent> AgentDirectory::EraseForReactivation(std::string_view service_number,
                                                   OnSuspension on_suspension,
                                                   const BeforeCommit& before_commit) {
  ASSIGN_OR_RETURN(AgentWithCode erased, ResetCredentials(service_number, on_suspension,
                                                          /*issue_code=*/false, before_commit));
  return std::move(erased.agent);
}

Result<AgentWithCode> AgentDirectory::ResetCredentials(std::string_view service_number,
                                                       OnSuspension on_suspension, bool issue_code,
                                                       const BeforeCommit& before_commit) {
  int64_t now = UnixSeconds(clock_->Now());
  // Run again on a PostgreSQL conflict (a rolled-back attempt issued no
  // code; its audit hook may have recorded the act twice: over-reporting).
  return store::RetryOnConflict([&]() -> Result<AgentWithCode> {
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(*db_));
    ASSIGN_OR_RETURN(AgentRow row, RequireAgent(*db_, service_number, now));
    if (row.stored_status == AgentStatus::kDisabled) {
      return Fail(ErrorCode::kConflict, "agent " + row.agent.service_number + " is disabled");
    }
    RETURN_IF_ERROR(EraseCredentials(*db_, row.agent.id, now));
    // Security: new credentials do not lift a suspension (by detection, an
    // officer, an administrator) by the way: "forgot my password" is no
    // reinstatement.
    if (row.stored_status != AgentStatus::kSuspended || on_suspension == OnSuspension::kLift) {
      RETURN_IF_ERROR(SetStatus(*db_, row.agent.id, AgentStatus::kPendingActivation, now));
    }
    IssuedActivationCode issued;  // none: EraseCredentials dropped any earlier one
    if (issue_code) {
      ASSIGN_OR_RETURN(issued, IssueActivationCode(row.agent.id, now));
    }
    ASSIGN_OR_RETURN(Agent agent, Reload(row.agent.id));
    if (before_commit) RETURN_IF_ERROR(before_commit(agent));
    RETURN_IF_ERROR(tx.Commit());
    return AgentWithCode{std::move(agent), std::move(issued)};
  });
}

Result<Agent> AgentDirectory::Disable(std::string_view service_number,
                                      const BeforeCommit& before_commit) {
  return store::RetryOnConflict([&]() -> Result<Agent> {
    int64_t now = UnixSeconds(clock_->Now());
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(*db_));
    ASSIGN_OR_RETURN(AgentRow row, RequireAgent(*db_, service_number, now));
    if (row.stored_status != AgentStatus::kDisabled) {
      RETURN_IF_ERROR(EraseCredentials(*db_, row.agent.id, now));
      RETURN_IF_ERROR(SetStatus(*db_, row.agent.id, AgentStatus::kDisabled, now));
    }
    ASSIGN_OR_RETURN(Agent agent, Reload(row.agent.id));
    if (before_commit) RETURN_IF_ERROR(before_commit(agent));
    RETURN_IF_ERROR(tx.Commit());
    return agent;
  });
}

}  // namespace vigie::identity
