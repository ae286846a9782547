#include "audit/subtree_cache.h"

namespace vigie::audit {

Result<Sha256Digest> SubtreeCache::LeafHash(uint64_t index) const {
  if (source_ == nullptr) return Fail(ErrorCode::kNotFound, "no leaf source attached");
  return source_->LeafHash(index);
}

Result<Sha256Digest> SubtreeCache::PerfectSubtreeHash(uint32_t level, uint64_t index) const {
  if (source_ == nullptr) return Fail(ErrorCode::kNotFound, "no leaf source attached");
  if (level == 0 || level < min_level_ || level > 63) return source_->PerfectSubtreeHash(level, index);
  if (auto hit = cache_.find({level, index}); hit != cache_.end()) return hit->second;
  Sha256Digest hash;
  if (source_->StoresInteriorNodes()) {
    // One look-up: recomputing from the halves would read 2^(level - 9)
    // stored rows on a first proof after a start (millions on a huge log).
    ASSIGN_OR_RETURN(hash, source_->PerfectSubtreeHash(level, index));
  } else {
    // Through the cache for both halves: the left one is usually known already.
    ASSIGN_OR_RETURN(Sha256Digest left, PerfectSubtreeHash(level - 1, 2 * index));
    ASSIGN_OR_RETURN(Sha256Digest right, PerfectSubtreeHash(level - 1, 2 * index + 1));
    hash = MerkleNodeHash(left, right);
  }
  cache_.emplace(std::pair{level, index}, hash);
  return hash;
}

}  // namespace vigie::audit
