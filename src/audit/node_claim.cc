#include "audit/node_claim.h"

#include <cstdint>

#include "store/advisory_key.h"

namespace vigie::audit {

Result<NodeClaim> NodeClaim::Take(const std::string& audit_url, std::string_view node_id) {
  ASSIGN_OR_RETURN(std::unique_ptr<store::Connection> db, store::Open(audit_url));
  if (db->dialect() != store::Dialect::kPostgres) return NodeClaim(nullptr);
  // The server ends a session whose node vanished (power cut, crash, cut
  // link) within seconds, not after the OS's two hours of silence: until
  // then the claim would keep the restarted node from serving.
  RETURN_IF_ERROR(db->ExecuteScript(
      "SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; "
      "SET tcp_keepalives_count = 3; SET tcp_user_timeout = 10000;"));
  ASSIGN_OR_RETURN(store::Statement * schema, db->Prepare("SELECT current_schema()"));
  ASSIGN_OR_RETURN(bool named, schema->Step());
  const std::string log_schema(named ? schema->ColumnText(0) : "");
  RETURN_IF_ERROR(schema->Run());
  ASSIGN_OR_RETURN(store::Statement * lock,
                   db->Prepare("SELECT pg_try_advisory_lock($1::integer, $2::integer)"));
  // Per log: several logs (schemas) may share one database, each with its nodes.
  const int64_t key = store::AdvisoryKey("audit-node-id", log_schema + "\n" + std::string(node_id));
  lock->BindInt(1, store::AdvisoryKeyHigh(key)).BindInt(2, store::AdvisoryKeyLow(key));
  ASSIGN_OR_RETURN(bool row, lock->Step());
  const bool taken = row && lock->ColumnInt(0) != 0;
  RETURN_IF_ERROR(lock->Run());
  if (!taken) {
    // Who holds it, for an operator who knows that node is gone.
    ASSIGN_OR_RETURN(store::Statement * holder,
                     db->Prepare("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND "
                                 "classid = $1::integer::oid AND objid = $2::integer::oid AND "
                                 "objsubid = 2 AND granted"));
    holder->BindInt(1, store::AdvisoryKeyHigh(key)).BindInt(2, store::AdvisoryKeyLow(key));
    ASSIGN_OR_RETURN(bool held, holder->Step());
    const std::string pid = held ? std::to_string(holder->ColumnInt(0)) : "?";
    RETURN_IF_ERROR(holder->Run());
    return Fail(ErrorCode::kConflict,
                "another running server writes the shared audit log as node '" +
                    std::string(node_id) + "' (PostgreSQL session " + pid +
                    "): give each node its own [audit] node_id (detection tells the nodes' "
                    "events apart by it); if that node is gone, its session ends within "
                    "seconds, or end it with pg_terminate_backend(" + pid + ")");
  }
  return NodeClaim(std::move(db));
}

}  // namespace vigie::audit
