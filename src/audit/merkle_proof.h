#pragma once
// Generating RFC 9162 proofs over the leaf hashes of a LeafHashSource:
// the Merkle Tree Hash of any earlier tree size (§2.1.1), inclusion proofs
// (§2.1.3.1) and consistency proofs (§2.1.4.1). Check them with
// merkle_verify.h.
//
// Cost: O(log n) PerfectSubtreeHash calls per proof (an InclusionProver
// makes it O(log n) per proof plus O(log n) once for many proofs).
// Thread-safety: as thread-safe as the source's const methods.
// Errors: InvalidArgument for sizes or indices the request cannot have
// (details below); errors of the source are passed on unchanged.

#include <cstdint>
#include <utility>
#include <vector>

#include "audit/leaf_hash_source.h"
#include "core/error.h"

namespace vigie::audit {

// The Merkle Tree Hash of the first `tree_size` leaves (SHA-256("") for 0).
// InvalidArgument if tree_size > source.Size().
Result<Sha256Digest> MerkleRootAt(const LeafHashSource& source, uint64_t tree_size);

// The audit path proving that leaf `index` is in the tree of the first
// `tree_size` leaves, deepest sibling first. InvalidArgument if
// tree_size > source.Size() or index >= tree_size.
Result<std::vector<Sha256Digest>> InclusionProof(const LeafHashSource& source, uint64_t index,
                                                 uint64_t tree_size);

// Many inclusion proofs against one tree size. A proof's siblings on the
// tree's right edge (the subtrees ending at tree_size that are not perfect)
// are not stored anywhere: InclusionProof recomputes them from up to log n
// perfect subtrees for every proof, an InclusionProver once, at Create.
// Its proofs are InclusionProof's.
// REQUIRES: `source` outlives the prover.
class InclusionProver {
 public:
  // Same errors as MerkleRootAt; InvalidArgument for tree_size 0.
  static Result<InclusionProver> Create(const LeafHashSource& source, uint64_t tree_size);

  uint64_t tree_size() const { return tree_size_; }
  // The Merkle Tree Hash of the tree.
  const Sha256Digest& root() const { return root_; }
  // Same as InclusionProof(source, index, tree_size()).
  Result<std::vector<Sha256Digest>> Prove(uint64_t index) const;

 private:
  InclusionProver(const LeafHashSource& source, uint64_t tree_size)
      : source_(&source), tree_size_(tree_size) {}

  const LeafHashSource* source_;
  uint64_t tree_size_;
  Sha256Digest root_{};
  // (begin, MTH(D[begin:tree_size])) for each begin of the right edge: at
  // most 64, from the root down.
  std::vector<std::pair<uint64_t, Sha256Digest>> right_edge_;
};

// The proof that the tree of `old_size` leaves is a prefix of the tree of
// `new_size` leaves. Empty when old_size == new_size. InvalidArgument if
// new_size > source.Size(), old_size > new_size, or old_size == 0 (every tree
// extends the empty tree: there is nothing to prove, RFC 9162 defines no proof).
Result<std::vector<Sha256Digest>> ConsistencyProof(const LeafHashSource& source, uint64_t old_size,
                                                   uint64_t new_size);

}  // namespace vigie::audit
