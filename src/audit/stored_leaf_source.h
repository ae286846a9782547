#pragma once
// StoredLeafSource: the leaf hashes of a stored audit log's Merkle tree, read
// from its events, so `vigie audit prove` can give RFC 9162 proofs for it.
//
// Cost: a proof reads the leaves of the subtrees it needs (O(n) leaves at
// worst, each once): the leaves-only reference. StoredSubtreeSource
// (stored_subtree_source.h) uses the stored subtree hashes for O(log n) reads.
// Thread-safety: uses `db` alone; one thread at a time.
// Errors: NotFound past Size(); DataLoss for a missing event; storage errors.

#include <cstdint>

#include "audit/leaf_hash_source.h"
#include "store/store.h"

namespace vigie::audit {

class StoredLeafSource final : public LeafHashSource {
 public:
  // The log as it stands now.
  static Result<StoredLeafSource> Open(store::Connection& db);

  uint64_t Size() const override { return size_; }
  Result<Sha256Digest> LeafHash(uint64_t index) const override;
  // The encoded event itself (what the leaf hashes).
  Result<std::vector<uint8_t>> Event(uint64_t index) const;

 private:
  StoredLeafSource(store::Connection& db, uint64_t size) : db_(&db), size_(size) {}
  store::Connection* db_;
  uint64_t size_;
};

}  // namespace vigie::audit
