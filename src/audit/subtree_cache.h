#pragma once
// SubtreeCache: a LeafHashSource that remembers the hashes of large perfect
// subtrees of another source. In an append-only log a perfect subtree never
// changes once complete, so a process that proves consistency again and again
// (the witness publisher, every checkpoint) reads each leaf once over the
// log's life instead of O(n) leaves per proof.
//
// Memory: one 32-byte hash per cached subtree of >= 2^min_level leaves
// (100 M events, min_level 10: ~200 k hashes, ~20 MB with the map).
// Thread-safety: one thread at a time (the cache mutates in const calls).
// Errors: those of the underlying source.

#include <cstdint>
#include <map>
#include <utility>

#include "audit/leaf_hash_source.h"

namespace vigie::audit {

class SubtreeCache final : public LeafHashSource {
 public:
  explicit SubtreeCache(uint32_t min_level = 10) : min_level_(min_level) {}

  // Reads from `source` until the next Attach (it may have grown meanwhile).
  // The source must outlive the calls made while attached.
  void Attach(const LeafHashSource& source) { source_ = &source; }
  // Drops every hash remembered: some came from a source found damaged.
  void Forget() { cache_.clear(); }

  uint64_t Size() const override { return source_ ? source_->Size() : 0; }
  Result<Sha256Digest> LeafHash(uint64_t index) const override;
  Result<Sha256Digest> PerfectSubtreeHash(uint32_t level, uint64_t index) const override;

 private:
  uint32_t min_level_;
  const LeafHashSource* source_ = nullptr;
  mutable std::map<std::pair<uint32_t, uint64_t>, Sha256Digest> cache_;
};

}  // namespace vigie::audit
