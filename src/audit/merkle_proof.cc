#include "audit/merkle_proof.h"

#include <bit>
#include <string>

namespace vigie::audit {
namespace {

// The largest power of two strictly less than n. REQUIRES: n >= 2.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

// MTH(D[begin:end]). REQUIRES: begin < end <= source.Size().
Result<Sha256Digest> SubtreeRoot(const LeafHashSource& source, uint64_t begin, uint64_t end) {
  const uint64_t n = end - begin;
  if (std::has_single_bit(n) && begin % n == 0) {
    return source.PerfectSubtreeHash(static_cast<uint32_t>(std::countr_zero(n)), begin / n);
  }
  const uint64_t k = SplitPoint(n);
  ASSIGN_OR_RETURN(Sha256Digest left, SubtreeRoot(source, begin, begin + k));
  ASSIGN_OR_RETURN(Sha256Digest right, SubtreeRoot(source, begin + k, end));
  return MerkleNodeHash(left, right);
}

// PATH(m, D[begin:end]) of RFC 9162 §2.1.3.1, appended to `proof` deepest first.
Result<void> AppendPath(const LeafHashSource& source, uint64_t m, uint64_t begin, uint64_t end,
                        std::vector<Sha256Digest>& proof) {
  const uint64_t n = end - begin;
  if (n == 1) return {};
  const uint64_t k = SplitPoint(n);
  if (m < k) {
    RETURN_IF_ERROR(AppendPath(source, m, begin, begin + k, proof));
    ASSIGN_OR_RETURN(Sha256Digest sibling, SubtreeRoot(source, begin + k, end));
    proof.push_back(sibling);
  } else {
    RETURN_IF_ERROR(AppendPath(source, m - k, begin + k, end, proof));
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

}  // namespace

Result<Sha256Digest> MerkleRootAt(const LeafHashSource& source, uint64_t tree_size) {
  RETURN_IF_ERROR(CheckTreeSize(source, tree_size));
  if (tree_size == 0) return MerkleEmptyRoot();
  return SubtreeRoot(source, 0, tree_size);
}

Result<std::vector<Sha256Digest>> InclusionProof(const LeafHashSource& source, uint64_t index,
                                                 uint64_t tree_size) {
  RETURN_IF_ERROR(CheckTreeSize(source, tree_size));
  if (index >= tree_size) {
    return Fail(ErrorCode::kInvalidArgument, "leaf index " + std::to_string(index) +
                                                 " is not below tree size " +
                                                 std::to_string(tree_size));
  }
  std::vector<Sha256Digest> proof;
  RETURN_IF_ERROR(AppendPath(source, index, 0, tree_size, proof));
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
