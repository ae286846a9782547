#include "audit/leaf_hash_source.h"

#include <string>
#include <utility>
#include <vector>

namespace vigie::audit {

Result<Sha256Digest> LeafHashSource::PerfectSubtreeHash(uint32_t level, uint64_t index) const {
  if (level > 63) return Fail(ErrorCode::kInvalidArgument, "Merkle subtree level above 63");
  const uint64_t width = uint64_t{1} << level;
  const uint64_t size = Size();
  if (width > size || index > (size - width) >> level) {  // needs (index + 1) * width <= size
    return Fail(ErrorCode::kNotFound, "Merkle subtree " + std::to_string(index) + " at level " +
                                          std::to_string(level) + " is beyond tree size " +
                                          std::to_string(size));
  }
  // Fold bottom-up with a stack of (height, hash): O(level) memory.
  std::vector<std::pair<uint32_t, Sha256Digest>> stack;
  const uint64_t first = index << level;
  for (uint64_t i = 0; i < width; ++i) {
    ASSIGN_OR_RETURN(Sha256Digest h, LeafHash(first + i));
    uint32_t height = 0;
    while (!stack.empty() && stack.back().first == height) {
      h = MerkleNodeHash(stack.back().second, h);
      stack.pop_back();
      ++height;
    }
    stack.emplace_back(height, h);
  }
  return stack.back().second;
}

}  // namespace vigie::audit
