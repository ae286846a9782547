#pragma once
// StoredSubtreeSource: the Merkle tree of a stored audit log, read from its
// events for the leaves and from the audit_subtree table (subtree_table.h)
// for perfect subtrees of 2^kStoredSubtreeMinLevel leaves or more, so a proof
// costs O(log n) row lookups plus at most ~2 * 2^kStoredSubtreeMinLevel leaf
// reads. A row missing (a log not backfilled yet, opened read-only) is
// rebuilt from its halves, down to the leaves: slower, never wrong.
//
// Trust: the rows are derived data, trusted like the events they hash; a
// proof is only as good as the signed root it is checked against.
// Thread-safety: uses `db` alone; one thread at a time.
// Errors: NotFound past Size(); DataLoss for a missing event or a malformed
// row; storage errors.

#include <cstdint>
#include <vector>

#include "audit/leaf_hash_source.h"
#include "audit/stored_leaf_source.h"
#include "store/store.h"

namespace vigie::audit {

class StoredSubtreeSource final : public LeafHashSource {
 public:
  // The log as it stands now.
  static Result<StoredSubtreeSource> Open(store::Connection& db);

  uint64_t Size() const override { return leaves_.Size(); }
  Result<Sha256Digest> LeafHash(uint64_t index) const override { return leaves_.LeafHash(index); }
  Result<Sha256Digest> PerfectSubtreeHash(uint32_t level, uint64_t index) const override;
  bool StoresInteriorNodes() const override { return has_table_; }
  // The encoded event itself (what the leaf hashes).
  Result<std::vector<uint8_t>> Event(uint64_t index) const { return leaves_.Event(index); }

 private:
  StoredSubtreeSource(store::Connection& db, StoredLeafSource leaves, bool has_table)
      : db_(&db), leaves_(leaves), has_table_(has_table) {}

  store::Connection* db_;
  StoredLeafSource leaves_;
  bool has_table_;
};

}  // namespace vigie::audit
