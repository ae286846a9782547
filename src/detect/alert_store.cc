#include "detect/alert_store.h"

#include <algorithm>

#include "records/name_normaliser.h"
#include "store/retry.h"

namespace vigie::detect {
namespace {

constexpr std::string_view kColumns =
    "id, raised_at, rule, severity, action, agent_id, service_number, session_id, "
    "source_address, detail, event_sequence, acknowledged_at, acknowledged_by, note";

Alert ReadAlert(const store::Statement& row) {
  Alert a;
  a.id = row.ColumnInt(0);
  a.raised_at = row.ColumnInt(1);
  a.rule = std::string(row.ColumnText(2));
  a.severity = std::string(row.ColumnText(3));
  a.action = std::string(row.ColumnText(4));
  a.agent_id = row.ColumnInt(5);
  a.service_number = std::string(row.ColumnText(6));
  a.session_id = row.ColumnInt(7);
  a.source_address = std::string(row.ColumnText(8));
  a.detail = std::string(row.ColumnText(9));
  a.event_sequence = static_cast<uint64_t>(row.ColumnInt(10));
  if (!row.ColumnIsNull(11)) {
    a.acknowledged_at = row.ColumnInt(11);
    a.acknowledged_by = std::string(row.ColumnText(12));
    a.note = std::string(row.ColumnText(13));
  }
  return a;
}


}  // namespace

Result<int64_t> AlertStore::Add(const Alert& alert) {
  ASSIGN_OR_RETURN(
      store::Statement * insert,
      db_.Prepare("INSERT INTO detect_alert (raised_at, rule, severity, action, agent_id, "
                  "service_number, session_id, source_address, detail, event_sequence) "
                  "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id"));
  insert->BindInt(1, UnixSeconds(clock_.Now()))
      .BindText(2, alert.rule)
      .BindText(3, alert.severity)
      .BindText(4, alert.action)
      .BindInt(5, alert.agent_id)
      .BindText(6, alert.service_number)
      .BindInt(7, alert.session_id)
      .BindText(8, alert.source_address)
      .BindText(9, alert.detail)
      .BindInt(10, static_cast<int64_t>(alert.event_sequence));
  ASSIGN_OR_RETURN(bool row, insert->Step());
  if (!row) return Fail(ErrorCode::kInternal, "alert insert returned no id");
  const int64_t id = insert->ColumnInt(0);
  RETURN_IF_ERROR(insert->Run());
  return id;
}

Result<int64_t> AlertStore::AddOnce(const Alert& alert) {
  ASSIGN_OR_RETURN(std::optional<Alert> stored, ForEvent(alert.event_sequence, alert.rule));
  if (stored) return stored->id;
  return Add(alert);
}

Result<std::optional<Alert>> AlertStore::ForEvent(uint64_t event_sequence, std::string_view rule) {
  static const std::string kSql = "SELECT " + std::string(kColumns) +
                                  " FROM detect_alert WHERE event_sequence = $1 AND rule = $2 "
                                  "ORDER BY id LIMIT 1";
  ASSIGN_OR_RETURN(store::Statement * find, db_.Prepare(kSql));
  find->BindInt(1, static_cast<int64_t>(event_sequence)).BindText(2, rule);
  ASSIGN_OR_RETURN(bool found, find->Step());
  std::optional<Alert> alert;
  if (found) alert = ReadAlert(*find);
  RETURN_IF_ERROR(find->Run());
  return alert;
}

Result<bool> AlertStore::Raised(uint64_t event_sequence, std::string_view rule, int64_t agent_id,
                                int64_t since, int64_t until) {
  ASSIGN_OR_RETURN(
      store::Statement * find,
      db_.Prepare("SELECT 1 FROM detect_alert WHERE event_sequence = $1 AND rule = $2 "
                  "UNION ALL SELECT 1 FROM detect_alert WHERE CAST($3 AS BIGINT) > 0 AND "
                  "agent_id = $3 AND rule = $2 AND raised_at >= $4 AND raised_at <= $5 LIMIT 1"));
  find->BindInt(1, static_cast<int64_t>(event_sequence))
      .BindText(2, rule)
      .BindInt(3, agent_id)
      .BindInt(4, since)
      .BindInt(5, until);
  ASSIGN_OR_RETURN(bool row, find->Step());
  RETURN_IF_ERROR(find->Run());
  return row;
}

Result<Alert> AlertStore::Get(int64_t id) {
  static const std::string kSql =
      "SELECT " + std::string(kColumns) + " FROM detect_alert WHERE id = $1";
  ASSIGN_OR_RETURN(store::Statement * select, db_.Prepare(kSql));
  select->BindInt(1, id);
  ASSIGN_OR_RETURN(bool found, select->Step());
  if (!found) return Fail(ErrorCode::kNotFound, "no alert " + std::to_string(id));
  Alert alert = ReadAlert(*select);
  RETURN_IF_ERROR(select->Run());
  return alert;
}

Result<std::vector<Alert>> AlertStore::List(const AlertQuery& query) {
  // Two fixed statements rather than text assembled from the query.
  static const std::string kSql =
      "SELECT " + std::string(kColumns) +
      " FROM detect_alert WHERE ($1 = 0 OR acknowledged_at IS NULL) AND ($2 = 0 OR agent_id = $3)"
      " AND id < $4 ORDER BY id DESC LIMIT $5";
  ASSIGN_OR_RETURN(store::Statement * select, db_.Prepare(kSql));
  select->BindInt(1, query.open_only ? 1 : 0)
      .BindInt(2, query.agent_id ? 1 : 0)
      .BindInt(3, query.agent_id.value_or(0))
      .BindInt(4, query.before_id > 0 ? query.before_id : INT64_MAX)
      .BindInt(5, std::clamp(query.limit, 1, 1000));
  std::vector<Alert> alerts;
  while (true) {
    ASSIGN_OR_RETURN(bool row, select->Step());
    if (!row) break;
    alerts.push_back(ReadAlert(*select));
  }
  return alerts;
}

Result<Alert> AlertStore::Acknowledge(int64_t id, std::string_view by, std::string_view note,
                                      const BeforeCommit& before_commit) {
  return store::RetryOnConflict([&]() -> Result<Alert> {
    if (note.size() > kMaxAlertNoteBytes || !records::IsPlainText(note)) {
      return Fail(ErrorCode::kInvalidArgument,
                  "the note must be valid UTF-8 text of at most 1000 bytes");
    }
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(db_));
    ASSIGN_OR_RETURN(Alert alert, Get(id));
    if (alert.acknowledged_at) {
      return Fail(ErrorCode::kConflict, "alert " + std::to_string(id) + " was already acknowledged");
    }
    // Security: separation of duties. An officer's own alerts are for another
    // officer to judge, or a stolen officer account could close its own.
    if (!alert.service_number.empty() && alert.service_number == by) {
      return Fail(ErrorCode::kPermissionDenied,
                  "alert " + std::to_string(id) +
                      " is about your own account: another security officer acknowledges it");
    }
    ASSIGN_OR_RETURN(store::Statement * update,
                     db_.Prepare("UPDATE detect_alert SET acknowledged_at = $2, acknowledged_by = $3, "
                                 "note = $4 WHERE id = $1"));
    update->BindInt(1, id).BindInt(2, UnixSeconds(clock_.Now())).BindText(3, by).BindText(4, note);
    RETURN_IF_ERROR(update->Run());
    ASSIGN_OR_RETURN(Alert acknowledged, Get(id));
    if (before_commit) RETURN_IF_ERROR(before_commit(acknowledged));
    RETURN_IF_ERROR(tx.Commit());
    return acknowledged;
  });
}

Result<std::vector<int64_t>> ListCanaries(store::Connection& db) {
  ASSIGN_OR_RETURN(store::Statement * select,
                   db.Prepare("SELECT person_id FROM detect_canary ORDER BY person_id"));
  std::vector<int64_t> ids;
  while (true) {
    ASSIGN_OR_RETURN(bool row, select->Step());
    if (!row) break;
    ids.push_back(select->ColumnInt(0));
  }
  return ids;
}

Result<void> AddCanaries(store::Connection& db, const std::vector<int64_t>& person_ids,
                         int64_t planted_at) {
  for (int64_t id : person_ids) {
    ASSIGN_OR_RETURN(store::Statement * insert,
                     db.Prepare("INSERT INTO detect_canary (person_id, planted_at) "
                                "VALUES ($1, $2) ON CONFLICT DO NOTHING"));
    insert->BindInt(1, id).BindInt(2, planted_at);
    RETURN_IF_ERROR(insert->Run());
  }
  return {};
}

}  // namespace vigie::detect
