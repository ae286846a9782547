#include "audit/node_claim.h"

#include <cstdint>

#include "crypto/hash.h"

namespace vigie::audit {
namespace {

// The advisory lock's two 32-bit keys: a class of Vigie's own ("vnid") and
// the node id's hash.
constexpr int32_t kNodeIdLockClass = 0x766e6964;

// Per log: several logs (schemas) may share one database, each with its nodes.
int32_t NodeIdKey(std::string_view log_schema, std::string_view node_id) {
  crypto::Sha256Hasher hasher;
  hasher.Update(std::string_view("vigie/audit-node-id/v1\n"));
  hasher.Update(log_schema);
  hasher.Update(std::string_view("\n"));
  hasher.Update(node_id);
  const crypto::Sha256Digest digest = hasher.Final();
  return static_cast<int32_t>((uint32_t{digest[0]} << 24) | (uint32_t{digest[1]} << 16) |
                              (uint32_t{digest[2]} << 8) | uint32_t{digest[3]});
}

}  // namespace

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
  const int32_t key = NodeIdKey(log_schema, node_id);
  lock->BindInt(1, kNodeIdLockClass).BindInt(2, key);
  ASSIGN_OR_RETURN(bool row, lock->Step());
  const bool taken = row && lock->ColumnInt(0) != 0;
  RETURN_IF_ERROR(lock->Run());
  if (!taken) {
    // Who holds it, for an operator who knows that node is gone.
    ASSIGN_OR_RETURN(store::Statement * holder,
                     db->Prepare("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND "
                                 "classid = $1::integer::oid AND objid = $2::integer::oid AND "
                                 "objsubid = 2 AND granted"));
    holder->BindInt(1, kNodeIdLockClass).BindInt(2, key);
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
