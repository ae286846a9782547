#include "identity/internal/agent_rows.h"

namespace vigie::identity::internal {
namespace {

constexpr std::string_view kColumns =
    "a.id, a.service_number, a.display_name, a.unit_id, u.code, a.roles, a.status, "
    "a.locked_until, a.password_hash, a.totp_key_id, a.totp_sealed, a.totp_last_step, "
    "a.failure_count_since, a.created_at, a.updated_at "
    "FROM agent a JOIN unit u ON u.id = a.unit_id ";

Result<AgentRow> ReadRow(const store::Statement& s, int64_t now) {
  AgentRow row;
  Agent& a = row.agent;
  a.id = s.ColumnInt(0);
  a.service_number = std::string(s.ColumnText(1));
  a.display_name = std::string(s.ColumnText(2));
  a.unit_id = s.ColumnInt(3);
  a.unit_code = std::string(s.ColumnText(4));
  auto roles = RoleSet::Parse(s.ColumnText(5));
  if (!roles) return Fail(ErrorCode::kDataLoss, "agent " + std::to_string(a.id) + ": bad roles");
  a.roles = *roles;
  auto status = ParseAgentStatus(s.ColumnText(6));
  if (!status) return Fail(ErrorCode::kDataLoss, "agent " + std::to_string(a.id) + ": bad status");
  row.stored_status = *status;
  a.locked_until = s.ColumnInt(7);
  a.status = EffectiveStatus(row.stored_status, a.locked_until, now);
  if (!s.ColumnIsNull(8)) row.password_hash = std::string(s.ColumnText(8));
  if (!s.ColumnIsNull(9)) row.totp_key_id = static_cast<uint32_t>(s.ColumnInt(9));
  if (!s.ColumnIsNull(10)) {
    auto sealed = s.ColumnBlob(10);
    row.totp_sealed.assign(sealed.begin(), sealed.end());
  }
  a.totp_enrolled = !row.totp_sealed.empty();
  row.totp_last_step = s.ColumnInt(11);
  row.failure_count_since = s.ColumnInt(12);
  a.created_at = s.ColumnInt(13);
  a.updated_at = s.ColumnInt(14);
  return row;
}

Result<std::optional<AgentRow>> LoadOne(store::Statement* s, int64_t now) {
  ASSIGN_OR_RETURN(bool found, s->Step());
  if (!found) return std::optional<AgentRow>();
  ASSIGN_OR_RETURN(AgentRow row, ReadRow(*s, now));
  RETURN_IF_ERROR(s->Run());
  return std::optional<AgentRow>(std::move(row));
}

}  // namespace

AgentStatus EffectiveStatus(AgentStatus stored, int64_t locked_until, int64_t now) {
  if (stored == AgentStatus::kLocked && locked_until <= now) return AgentStatus::kActive;
  return stored;
}

Result<std::optional<AgentRow>> LoadAgentById(store::Connection& db, int64_t id, int64_t now) {
  static const std::string sql = "SELECT " + std::string(kColumns) + "WHERE a.id = $1";
  ASSIGN_OR_RETURN(store::Statement * s, db.Prepare(sql));
  s->BindInt(1, id);
  return LoadOne(s, now);
}

Result<std::optional<AgentRow>> LoadAgentByServiceNumber(store::Connection& db,
                                                         std::string_view service_number,
                                                         int64_t now) {
  static const std::string sql = "SELECT " + std::string(kColumns) + "WHERE a.service_number = $1";
  ASSIGN_OR_RETURN(store::Statement * s, db.Prepare(sql));
  s->BindText(1, service_number);
  return LoadOne(s, now);
}

Result<std::vector<Agent>> LoadAgents(store::Connection& db, std::optional<int64_t> unit_id,
                                      int64_t after_id, int64_t limit, int64_t now) {
  static const std::string all_sql =
      "SELECT " + std::string(kColumns) + "WHERE a.id > $1 ORDER BY a.id LIMIT $2";
  static const std::string unit_sql = "SELECT " + std::string(kColumns) +
                                      "WHERE a.id > $1 AND a.unit_id = $3 ORDER BY a.id LIMIT $2";
  ASSIGN_OR_RETURN(store::Statement * s, db.Prepare(unit_id ? unit_sql : all_sql));
  s->BindInt(1, after_id).BindInt(2, limit);
  if (unit_id) s->BindInt(3, *unit_id);
  std::vector<Agent> agents;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    ASSIGN_OR_RETURN(AgentRow read, ReadRow(*s, now));
    agents.push_back(std::move(read.agent));
  }
  return agents;
}

}  // namespace vigie::identity::internal
