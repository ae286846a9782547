#pragma once
// NodeClaim: on a shared (PostgreSQL) audit log, one running server per
// [audit] node_id. Detection skips the events of the log's other writers
// that bear its own node id, taking them for its own: two nodes sharing an
// id would each miss the other's consultations (an extraction spread over
// both would count half). A server claims its id for as long as it runs.
//
// The claim lives in a database session, which the server may end while
// the node runs (a PostgreSQL restart or failover, pg_terminate_backend, a
// long network cut): every `recheck_every` a thread of the claim checks it
// still holds it, takes it again on a new session if it was lost and is
// free, and otherwise says so - held() false (the node's readiness), an
// error in the log - until it has it back.
//
// Thread-safety: held() may be called from any thread; release the claim by
// destroying it.
// Errors: Conflict when another running server holds the id; those of the
// store. On SQLite (one node) the claim is empty and always granted.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"
#include "store/store.h"

namespace vigie::audit {

class NodeClaim {
 public:
  static Result<NodeClaim> Take(const std::string& audit_url, std::string_view node_id,
                                std::chrono::milliseconds recheck_every = std::chrono::seconds(5));
  NodeClaim(NodeClaim&&) noexcept;
  NodeClaim& operator=(NodeClaim&&) = delete;
  ~NodeClaim();

  // Whether the claim was held at the last check.
  bool held() const;

 private:
  struct Keeper;
  explicit NodeClaim(std::unique_ptr<Keeper> keeper);
  std::unique_ptr<Keeper> keeper_;  // null on SQLite
};

}  // namespace vigie::audit
