#include "audit/event_scan.h"

#include "audit/audit_event_codec.h"

namespace vigie::audit {
namespace {

std::string_view PageSql(EventColumns columns, store::Dialect dialect) {
  switch (columns) {
    case EventColumns::kEvent:
      return "SELECT sequence, event FROM audit_event WHERE sequence >= $1 AND sequence < $2 "
             "ORDER BY sequence LIMIT $3";
    case EventColumns::kBoundedEventAndChainHash:
      // Both read a value's length from its header. SQLite stores whatever
      // type is written, and the length of TEXT is counted up to its first
      // NUL, reading it whole: a value that is not a BLOB is never loaded
      // and its length is given as -1. CASE tries its conditions in order.
      if (dialect == store::Dialect::kSqlite) {
        return "SELECT sequence, CASE WHEN typeof(event) <> 'blob' THEN NULL "
               "WHEN length(event) <= $4 THEN event END, "
               "CASE WHEN typeof(chain_hash) <> 'blob' THEN NULL "
               "WHEN length(chain_hash) <= 64 THEN chain_hash END, "
               "CASE WHEN typeof(event) = 'blob' THEN length(event) ELSE -1 END, "
               "CASE WHEN typeof(time_us) = 'integer' THEN time_us END, "
               "CASE WHEN typeof(type) = 'integer' THEN type END, "
               "CASE WHEN typeof(agent_id) = 'integer' THEN agent_id END, "
               "CASE WHEN typeof(unit_id) = 'integer' THEN unit_id END, "
               "CASE WHEN typeof(session_id) = 'integer' THEN session_id END, "
               "CASE WHEN typeof(source_address) <> 'text' THEN NULL "
               "WHEN length(source_address) <= $4 THEN source_address END, "
               "CASE WHEN typeof(terms_hash) <> 'blob' THEN NULL "
               "WHEN length(terms_hash) <= 64 THEN terms_hash END, "
               "terms_hash IS NULL "
               "FROM audit_event WHERE sequence >= $1 AND sequence < $2 "
               "ORDER BY sequence LIMIT $3";
      }
      return "SELECT sequence, CASE WHEN length(event) <= $4 THEN event END, "
             "CASE WHEN length(chain_hash) <= 64 THEN chain_hash END, length(event), "
             "time_us, type, agent_id, unit_id, session_id, "
             "CASE WHEN length(source_address) <= $4 THEN source_address END, "
             "CASE WHEN length(terms_hash) <= 64 THEN terms_hash END, "
             "CASE WHEN terms_hash IS NULL THEN 1 ELSE 0 END "
             "FROM audit_event WHERE sequence >= $1 AND sequence < $2 "
             "ORDER BY sequence LIMIT $3";
  }
  return {};
}

}  // namespace

Result<void> ScanEvents(store::Connection& db, EventColumns columns, uint64_t begin,
                        uint64_t end, const std::function<Result<bool>(store::Statement&)>& row) {
  const std::string_view sql = PageSql(columns, db.dialect());
  while (begin < end) {
    ASSIGN_OR_RETURN(store::Statement * page, db.Prepare(sql));
    page->BindInt(1, static_cast<int64_t>(begin))
        .BindInt(2, static_cast<int64_t>(end))
        .BindInt(3, kEventScanPageRows);
    if (columns == EventColumns::kBoundedEventAndChainHash) {
      page->BindInt(4, static_cast<int64_t>(kMaxAuditEventSize));
    }
    int64_t rows = 0;
    while (true) {
      ASSIGN_OR_RETURN(bool more, page->Step());
      if (!more) break;
      ++rows;
      begin = static_cast<uint64_t>(page->ColumnInt(0)) + 1;
      ASSIGN_OR_RETURN(bool go_on, row(*page));
      if (!go_on) {
        RETURN_IF_ERROR(page->Run());  // lets the rest of the page go
        return {};
      }
    }
    if (rows < kEventScanPageRows) break;  // the range holds no more
  }
  return {};
}

}  // namespace vigie::audit
