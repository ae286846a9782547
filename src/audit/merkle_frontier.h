#pragma once
// MerkleFrontier: the right edge ("compact range") of an append-only RFC 9162
// Merkle tree. It keeps only the roots of the perfect subtrees that make up
// the binary decomposition of the tree size (at most 64 hashes), which is all
// that is needed to append a leaf in O(log n) and to compute the root of the
// current size in O(log n) - without keeping the leaves. The durable audit
// writer keeps one per log and persists `nodes()` with each batch's tip.
//
// Thread-safety: none; guard a shared frontier externally. Copyable.
// Errors: FromNodes returns InvalidArgument for an inconsistent snapshot.

#include <cstdint>
#include <utility>
#include <vector>

#include "audit/merkle_hash.h"
#include "core/error.h"

namespace vigie::audit {

// A perfect subtree completed by an Append: the Merkle Tree Hash of leaves
// [index << level, (index + 1) << level).
struct CompletedSubtree {
  uint32_t level = 0;
  uint64_t index = 0;
  Sha256Digest hash{};

  bool operator==(const CompletedSubtree&) const = default;
};

class MerkleFrontier {
 public:
  // The empty tree.
  MerkleFrontier() = default;

  // Restores a frontier saved from `nodes()` at `size`. InvalidArgument unless
  // nodes.size() is the number of bits set in `size`.
  static Result<MerkleFrontier> FromNodes(uint64_t size, std::vector<Sha256Digest> nodes);

  // Appends the leaf whose RFC 9162 leaf hash is `leaf_hash` (see MerkleLeafHash).
  // REQUIRES: size() < UINT64_MAX (2^64 appends cannot happen in practice).
  void Append(const Sha256Digest& leaf_hash);
  // The same, and adds to `completed` every perfect subtree of 2^min_level
  // leaves or more that this leaf completes (smallest first): the merges
  // compute those hashes anyway, so a writer can store them for free.
  void Append(const Sha256Digest& leaf_hash, uint32_t min_level,
              std::vector<CompletedSubtree>& completed);

  uint64_t size() const { return size_; }

  // The Merkle Tree Hash of the size() leaves appended so far; the empty
  // tree's is SHA-256("").
  Sha256Digest Root() const;

  // Roots of the perfect subtrees, largest (leftmost) first; subtree i covers
  // 2^k leaves where k is the position of the i-th highest set bit of size().
  const std::vector<Sha256Digest>& nodes() const { return nodes_; }

 private:
  MerkleFrontier(uint64_t size, std::vector<Sha256Digest> nodes)
      : size_(size), nodes_(std::move(nodes)) {}

  uint64_t size_ = 0;
  std::vector<Sha256Digest> nodes_;
};

}  // namespace vigie::audit
