#pragma once
// MerkleTree: an in-memory, append-only RFC 9162 Merkle tree that keeps every
// leaf hash and every perfect-subtree hash (about 2n hashes of memory), so the
// root of the current size, the root of any earlier size, and inclusion and
// consistency proofs (see merkle_proof.h) all cost O(log n). It serves tests,
// tools and witnesses over bounded logs; the durable log keeps a
// MerkleFrontier and stores its hashes in the database instead.
//
// Thread-safety: none; a const MerkleTree may be read from several threads.
// Errors: LeafHash / PerfectSubtreeHash return NotFound past the end.

#include <cstdint>
#include <span>
#include <vector>

#include "audit/leaf_hash_source.h"
#include "audit/merkle_frontier.h"

namespace vigie::audit {

class MerkleTree final : public LeafHashSource {
 public:
  MerkleTree() = default;

  // Appends a leaf (hashed with MerkleLeafHash); returns its index.
  uint64_t AppendLeaf(std::span<const uint8_t> leaf);
  // Appends a leaf given its leaf hash; returns its index.
  uint64_t AppendLeafHash(const Sha256Digest& leaf_hash);

  // The Merkle Tree Hash of all leaves so far (SHA-256("") when empty).
  Sha256Digest Root() const { return frontier_.Root(); }
  const MerkleFrontier& frontier() const { return frontier_; }

  uint64_t Size() const override { return frontier_.size(); }
  Result<Sha256Digest> LeafHash(uint64_t index) const override;
  Result<Sha256Digest> PerfectSubtreeHash(uint32_t level, uint64_t index) const override;

 private:
  // levels_[k][i] is the hash of leaves [i * 2^k, (i + 1) * 2^k).
  std::vector<std::vector<Sha256Digest>> levels_;
  MerkleFrontier frontier_;
};

}  // namespace vigie::audit
