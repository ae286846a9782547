#include "audit/merkle_tree.h"

#include <string>

namespace vigie::audit {

uint64_t MerkleTree::AppendLeaf(std::span<const uint8_t> leaf) {
  return AppendLeafHash(MerkleLeafHash(leaf));
}

uint64_t MerkleTree::AppendLeafHash(const Sha256Digest& leaf_hash) {
  const uint64_t index = frontier_.size();
  frontier_.Append(leaf_hash);
  Sha256Digest carry = leaf_hash;
  for (size_t level = 0;; ++level) {
    if (levels_.size() == level) levels_.emplace_back();
    std::vector<Sha256Digest>& row = levels_[level];
    row.push_back(carry);
    if (row.size() % 2 != 0) break;  // no sibling yet: nothing completes above
    carry = MerkleNodeHash(row[row.size() - 2], row.back());
  }
  return index;
}

Result<Sha256Digest> MerkleTree::LeafHash(uint64_t index) const {
  return PerfectSubtreeHash(0, index);
}

Result<Sha256Digest> MerkleTree::PerfectSubtreeHash(uint32_t level, uint64_t index) const {
  if (level >= levels_.size() || index >= levels_[level].size()) {
    return Fail(ErrorCode::kNotFound, "no Merkle subtree " + std::to_string(index) + " at level " +
                                          std::to_string(level) + " in a tree of " +
                                          std::to_string(Size()) + " leaves");
  }
  return levels_[level][index];
}

}  // namespace vigie::audit
