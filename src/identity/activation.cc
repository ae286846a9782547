#include "identity/activation.h"

#include "identity/activation_code.h"
#include "identity/internal/agent_rows.h"
#include "identity/internal/lockout.h"
#include "identity/internal/totp_seed.h"
#include "store/retry.h"

namespace vigie::identity {
namespace {

struct CodeRow {
  int64_t agent_id = 0;
  int64_t expires_at = 0;
  bool used = false;
};

Result<CodeRow> FindUsableCode(store::Connection& db, const crypto::Sha256Digest& digest,
                               int64_t now) {
  ASSIGN_OR_RETURN(store::Statement * find,
                   db.Prepare("SELECT agent_id, expires_at, used_at IS NOT NULL "
                              "FROM activation_code WHERE code_hash = $1"));
  find->BindBlob(1, digest);
  ASSIGN_OR_RETURN(bool found, find->Step());
  if (!found) return Fail(ErrorCode::kUnauthenticated, "unknown activation code");
  CodeRow row{find->ColumnInt(0), find->ColumnInt(1), find->ColumnInt(2) != 0};
  RETURN_IF_ERROR(find->Run());
  if (row.used) return Fail(ErrorCode::kUnauthenticated, "activation code already used");
  if (row.expires_at <= now) return Fail(ErrorCode::kUnauthenticated, "activation code expired");
  return row;
}

}  // namespace

Result<ActivationResult> Activation::Activate(std::string_view code, std::string_view new_password,
                                              const BeforeCommit& before_commit,
                                              const Admit& admit) {
  ASSIGN_OR_RETURN(crypto::SecretBytes canonical, CanonicalActivationCode(code));
  crypto::Sha256Digest digest = HashActivationCode(canonical);
  int64_t now = UnixSeconds(clock_->Now());

  // Read and check everything before the expensive hash, outside any write
  // transaction (Argon2id must not hold the database's write lock).
  internal::AgentRow agent;
  {
    ASSIGN_OR_RETURN(auto read, store::Transaction::BeginRead(*db_));
    ASSIGN_OR_RETURN(CodeRow code_row, FindUsableCode(*db_, digest, now));
    ASSIGN_OR_RETURN(auto row, internal::LoadAgentById(*db_, code_row.agent_id, now));
    if (!row) return Fail(ErrorCode::kDataLoss, "activation code names a missing agent");
    agent = std::move(*row);
    RETURN_IF_ERROR(read.Commit());
  }
  if (agent.stored_status != AgentStatus::kPendingActivation) {
    // Security: refused as an unknown code is (the API says no more), so an
    // intercepted code does not tell its holder that the account was
    // suspended: that they have been noticed. The operator's log keeps why.
    return Fail(ErrorCode::kUnauthenticated,
                "activation code of agent " + agent.agent.service_number + ", who is " +
                    std::string(AgentStatusName(agent.agent.status)) + ", not pending activation");
  }
  if (admit) RETURN_IF_ERROR(admit(agent.agent));
  RETURN_IF_ERROR(policy_->Check(new_password, {.service_number = agent.agent.service_number,
                                                .display_name = agent.agent.display_name}));
  ASSIGN_OR_RETURN(std::string password_hash, hasher_->Hash(new_password, options_.argon2));
  crypto::SecretBytes seed = crypto::SecretBytes::Random(internal::kTotpSeedBytes);
  std::vector<uint8_t> sealed = internal::SealTotpSeed(*totp_seed_key_, agent.agent.id, seed);
  ASSIGN_OR_RETURN(TotpEnrolment enrolment,
                   MakeTotpEnrolment(seed.view(), agent.agent.service_number, options_.totp));

  // Hashed once: only the transaction runs again on a PostgreSQL conflict (its
  // audit hook too: a second event only over-reports).
  ASSIGN_OR_RETURN(
      Agent activated, store::RetryOnConflict([&]() -> Result<Agent> {
        ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(*db_));
        // Spend the code only if it is still the agent's, unused and unexpired:
        // a concurrent activation or a reset in between makes this change nothing.
        ASSIGN_OR_RETURN(
            store::Statement * spend,
            db_->Prepare("UPDATE activation_code SET used_at = $1 WHERE agent_id = $2 "
                         "AND code_hash = $3 AND used_at IS NULL AND expires_at > $1"));
        spend->BindInt(1, now).BindInt(2, agent.agent.id).BindBlob(3, digest);
        ASSIGN_OR_RETURN(int64_t spent, spend->Run());
        if (spent != 1) return Fail(ErrorCode::kUnauthenticated, "activation code already used");
        ASSIGN_OR_RETURN(store::Statement * update,
                         db_->Prepare("UPDATE agent SET status = $2, password_hash = $3, "
                                      "totp_key_id = $4, totp_sealed = $5, totp_last_step = 0, "
                                      "locked_until = 0, failure_count_since = $6, updated_at = $6 "
                                      "WHERE id = $1 AND status = $7"));
        update->BindInt(1, agent.agent.id).BindText(2, AgentStatusName(AgentStatus::kActive));
        update->BindText(3, password_hash).BindInt(4, totp_seed_key_->id).BindBlob(5, sealed);
        update->BindInt(6, now).BindText(7, AgentStatusName(AgentStatus::kPendingActivation));
        ASSIGN_OR_RETURN(int64_t updated, update->Run());
        if (updated != 1) {
          return Fail(ErrorCode::kConflict,
                      "agent " + agent.agent.service_number + " changed status during activation");
        }
        RETURN_IF_ERROR(internal::ForgetLoginFailures(*db_, agent.agent.id));
        ASSIGN_OR_RETURN(auto reloaded, internal::LoadAgentById(*db_, agent.agent.id, now));
        if (!reloaded) return Fail(ErrorCode::kInternal, "agent vanished during activation");
        if (before_commit) RETURN_IF_ERROR(before_commit(reloaded->agent));
        RETURN_IF_ERROR(tx.Commit());
        return std::move(reloaded->agent);
      }));
  return ActivationResult{std::move(activated), std::move(enrolment)};
}

}  // namespace vigie::identity
