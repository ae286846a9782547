#include "audit/merkle_frontier.h"

#include <bit>
#include <cstdlib>
#include <string>
#include <utility>

namespace vigie::audit {

Result<MerkleFrontier> MerkleFrontier::FromNodes(uint64_t size, std::vector<Sha256Digest> nodes) {
  const auto expected = static_cast<size_t>(std::popcount(size));
  if (nodes.size() != expected) {
    return Fail(ErrorCode::kInvalidArgument, "a Merkle frontier of size " + std::to_string(size) +
                                                 " has " + std::to_string(expected) +
                                                 " nodes, not " + std::to_string(nodes.size()));
  }
  return MerkleFrontier(size, std::move(nodes));
}

void MerkleFrontier::Append(const Sha256Digest& leaf_hash) {
  std::vector<CompletedSubtree> none;
  Append(leaf_hash, 64, none);  // no subtree is that large
}

void MerkleFrontier::Append(const Sha256Digest& leaf_hash, uint32_t min_level,
                            std::vector<CompletedSubtree>& completed) {
  if (size_ == UINT64_MAX) std::abort();  // unreachable: 2^64 appends
  // Each trailing one bit of the old size is a perfect subtree of the same
  // height as the one being carried: merge them, as in binary addition.
  Sha256Digest carry = leaf_hash;
  const uint64_t new_size = size_ + 1;
  if (min_level == 0) completed.push_back({0, size_, carry});
  uint32_t level = 0;
  for (uint64_t s = size_; (s & 1) != 0; s >>= 1) {
    carry = MerkleNodeHash(nodes_.back(), carry);
    nodes_.pop_back();
    // new_size is a multiple of 2^level here: the subtree ends at it.
    if (++level >= min_level) completed.push_back({level, (new_size >> level) - 1, carry});
  }
  nodes_.push_back(carry);
  size_ = new_size;
}

Sha256Digest MerkleFrontier::Root() const {
  if (nodes_.empty()) return MerkleEmptyRoot();
  // RFC 9162 splits at the largest power of two, so the root folds the
  // perfect subtrees from the right: MTH = H(n0, H(n1, H(n2, ...))).
  Sha256Digest root = nodes_.back();
  for (size_t i = nodes_.size() - 1; i-- > 0;) root = MerkleNodeHash(nodes_[i], root);
  return root;
}

}  // namespace vigie::audit
