#pragma once
// NodeClaim: on a shared (PostgreSQL) audit log, one running server per
// [audit] node_id. Detection skips the events of the log's other writers
// that bear its own node id, taking them for its own: two nodes sharing an
// id would each miss the other's consultations (an extraction spread over
// both would count half). A server claims its id for as long as it runs.
//
// Thread-safety: a claim is held, not used; release it by destroying it.
// Errors: Conflict when another running server holds the id; those of the
// store. On SQLite (one node) the claim is empty and always granted.

#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"
#include "store/store.h"

namespace vigie::audit {

class NodeClaim {
 public:
  static Result<NodeClaim> Take(const std::string& audit_url, std::string_view node_id);

 private:
  explicit NodeClaim(std::unique_ptr<store::Connection> held) : held_(std::move(held)) {}
  // The session holding the advisory lock; it ends with the connection.
  std::unique_ptr<store::Connection> held_;
};

}  // namespace vigie::audit
