#include "audit/stored_subtree_source.h"

#include <string>

#include "audit/subtree_table.h"

namespace vigie::audit {

Result<StoredSubtreeSource> StoredSubtreeSource::Open(store::Connection& db) {
  ASSIGN_OR_RETURN(bool has_table, HasSubtreeTable(db));
  ASSIGN_OR_RETURN(StoredLeafSource leaves, StoredLeafSource::Open(db));
  return StoredSubtreeSource(db, leaves, has_table);
}

Result<Sha256Digest> StoredSubtreeSource::PerfectSubtreeHash(uint32_t level, uint64_t index) const {
  if (level < kStoredSubtreeMinLevel || level > 63 || !has_table_) {
    return leaves_.PerfectSubtreeHash(level, index);
  }
  const uint64_t size = Size();
  if (size >> level == 0 || index >= size >> level) {  // the default's NotFound
    return leaves_.PerfectSubtreeHash(level, index);
  }
  ASSIGN_OR_RETURN(std::optional<Sha256Digest> stored, ReadSubtree(*db_, level, index));
  if (stored) return *stored;
  // Not stored (yet): from the halves, which may be.
  ASSIGN_OR_RETURN(Sha256Digest left, PerfectSubtreeHash(level - 1, 2 * index));
  ASSIGN_OR_RETURN(Sha256Digest right, PerfectSubtreeHash(level - 1, 2 * index + 1));
  return MerkleNodeHash(left, right);
}

}  // namespace vigie::audit
