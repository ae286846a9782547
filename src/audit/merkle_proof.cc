#include "audit/merkle_proof.h"

#include <bit>
#include <string>

namespace vigie::audit {
namespace {

// The largest power of two strictly less than n. REQUIRES: n >= 2.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

// The roots of a tree's right edge already computed, by first leaf.
using RightEdge = std::vector<std::pair<uint64_t, Sha256Digest>>;

// MTH(D[begin:end]). REQUIRES: begin < end <= source.Size(). `known`: the
// right edge of the tree that ends at `end`, or nullptr.
Result<Sha256Digest> SubtreeRoot(const LeafHashSource& source, uint64_t begin, uint64_t end,
                                 const RightEdge* known = nullptr) {
  const uint64_t n = end - begin;
  if (std::has_single_bit(n) && begin % n == 0) {
    return source.PerfectSubtreeHash(static_cast<uint32_t>(std::countr_zero(n)), begin / n);
  }
  if (known != nullptr) {
    for (const auto& [first, root] : *known) {
      if (first == begin) return root;
    }
  }
  const uint64_t k = SplitPoint(n);
  ASSIGN_OR_RETURN(Sha256Digest left, SubtreeRoot(source, begin, begin + k));
  ASSIGN_OR_RETURN(Sha256Digest right, SubtreeRoot(source, begin + k, end));
  return MerkleNodeHash(left, right);
}

// MTH(D[begin:end]), appending the root of every subtree of its right edge
// that is not perfect to `edge`, the largest first.
Result<Sha256Digest> ComputeRightEdge(const LeafHashSource& source, uint64_t begin, uint64_t end,
                                      RightEdge& edge) {
  const uint64_t n = end - begin;
  if (std::has_single_bit(n) && begin % n == 0) return SubtreeRoot(source, begin, end);
  const size_t at = edge.size();
  edge.emplace_back(begin, Sha256Digest{});
  const uint64_t k = SplitPoint(n);
  ASSIGN_OR_RETURN(Sha256Digest left, SubtreeRoot(source, begin, begin + k));  // perfect
  ASSIGN_OR_RETURN(Sha256Digest right, ComputeRightEdge(source, begin + k, end, edge));
  edge[at].second = MerkleNodeHash(left, right);
  return edge[at].second;
}

// PATH(m, D[begin:end]) of RFC 9162 §2.1.3.1, appended to `proof` deepest
// first. `known`: as for SubtreeRoot (the only subtrees not perfect on a
// path are on the right edge).
Result<void> AppendPath(const LeafHashSource& source, uint64_t m, uint64_t begin, uint64_t end,
                        std::vector<Sha256Digest>& proof, const RightEdge* known = nullptr) {
  const uint64_t n = end - begin;
  if (n == 1) return {};
  const uint64_t k = SplitPoint(n);
  if (m < k) {
    RETURN_IF_ERROR(AppendPath(source, m, begin, begin + k, proof));
    ASSIGN_OR_RETURN(Sha256Digest sibling, SubtreeRoot(source, begin + k, end, known));
    proof.push_back(sibling);
  } else {
    RETURN_IF_ERROR(AppendPath(source, m - k, begin + k, end, proof, known));
    ASSIGN_OR_RETURN(Sha256Digest sibling, SubtreeRoot(source, begin, begin + k));
    proof.push_back(sibling);
  }
  return {};
}

// SUBPROOF(m, D[begin:end], whole) of RFC 9162 §2.1.4.1.
Result<void> AppendSubproof(const LeafHashSource& source, uint64_t m, uint64_t begin, uint64_t end,
                            bool whole, std::vector<Sha256Digest>& proof) {
  const uint64_t n = end - begin;
  if (m == n) {
    if (whole) return {};  // the verifier already knows this subtree's root
    ASSIGN_OR_RETURN(Sha256Digest root, SubtreeRoot(source, begin, end));
    proof.push_back(root);
    return {};
  }
  const uint64_t k = SplitPoint(n);
  if (m <= k) {
    RETURN_IF_ERROR(AppendSubproof(source, m, begin, begin + k, whole, proof));
    ASSIGN_OR_RETURN(Sha256Digest right, SubtreeRoot(source, begin + k, end));
    proof.push_back(right);
  } else {
    RETURN_IF_ERROR(AppendSubproof(source, m - k, begin + k, end, false, proof));
    ASSIGN_OR_RETURN(Sha256Digest left, SubtreeRoot(source, begin, begin + k));
    proof.push_back(left);
  }
  return {};
}

Result<void> CheckTreeSize(const LeafHashSource& source, uint64_t tree_size) {
  if (tree_size > source.Size()) {
    return Fail(ErrorCode::kInvalidArgument, "tree size " + std::to_string(tree_size) +
                                                 " exceeds the log's " +
                                                 std::to_string(source.Size()) + " leaves");
  }
  return {};
}

Result<void> CheckLeafIndex(uint64_t index, uint64_t tree_size) {
  if (index >= tree_size) {
    return Fail(ErrorCode::kInvalidArgument, "leaf index " + std::to_string(index) +
                                                 " is not below tree size " +
                                                 std::to_string(tree_size));
  }
  return {};
}

}  // namespace

Result<Sha256Digest> MerkleRootAt(const LeafHashSource& source, uint64_t tree_size) {
  RETURN_IF_ERROR(CheckTreeSize(source, tree_size));
  if (tree_size == 0) return MerkleEmptyRoot();
  return SubtreeRoot(source, 0, tree_size);
}

Result<std::vector<Sha256Digest>> InclusionProof(const LeafHashSource& source, uint64_t index,
                                                 uint64_t tree_size) {
  RETURN_IF_ERROR(CheckTreeSize(source, tree_size));
  RETURN_IF_ERROR(CheckLeafIndex(index, tree_size));
  std::vector<Sha256Digest> proof;
  RETURN_IF_ERROR(AppendPath(source, index, 0, tree_size, proof));
  return proof;
}

Result<InclusionProver> InclusionProver::Create(const LeafHashSource& source, uint64_t tree_size) {
  RETURN_IF_ERROR(CheckTreeSize(source, tree_size));
  if (tree_size == 0) return Fail(ErrorCode::kInvalidArgument, "no inclusion in the empty tree");
  InclusionProver prover(source, tree_size);
  ASSIGN_OR_RETURN(prover.root_, ComputeRightEdge(source, 0, tree_size, prover.right_edge_));
  return prover;
}

Result<std::vector<Sha256Digest>> InclusionProver::Prove(uint64_t index) const {
  RETURN_IF_ERROR(CheckLeafIndex(index, tree_size_));
  std::vector<Sha256Digest> proof;
  RETURN_IF_ERROR(AppendPath(*source_, index, 0, tree_size_, proof, &right_edge_));
  return proof;
}

Result<std::vector<Sha256Digest>> ConsistencyProof(const LeafHashSource& source, uint64_t old_size,
                                                   uint64_t new_size) {
  RETURN_IF_ERROR(CheckTreeSize(source, new_size));
  if (old_size > new_size) {
    return Fail(ErrorCode::kInvalidArgument, "old tree size " + std::to_string(old_size) +
                                                 " is larger than new size " +
                                                 std::to_string(new_size));
  }
  if (old_size == 0) {
    return Fail(ErrorCode::kInvalidArgument,
                "no consistency proof from the empty tree: every tree extends it");
  }
  std::vector<Sha256Digest> proof;
  RETURN_IF_ERROR(AppendSubproof(source, old_size, 0, new_size, true, proof));
  return proof;
}

}  // namespace vigie::audit
