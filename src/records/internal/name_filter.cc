#include "records/internal/name_filter.h"

#include <algorithm>
#include <bit>

namespace vigie::records::internal {
namespace {

constexpr int kBitsPerKey = 12;
constexpr int kProbes = 6;  // bits set per key, all inside one 512-bit block

// The i-th bit position (0..511) for a key, from 9-bit slices of its low bits.
int BitOf(uint64_t key, int i) { return static_cast<int>((key >> (9 * i)) & 511); }

}  // namespace

NameFilter NameFilter::Build(const std::vector<uint64_t>& distinct_keys) {
  NameFilter filter;
  size_t bits = std::max<size_t>(512, distinct_keys.size() * kBitsPerKey);
  size_t blocks = std::bit_ceil((bits + 511) / 512);
  filter.blocks_.assign(blocks, Block{});
  filter.shift_ = 64 - std::countr_zero(blocks);
  if (blocks == 1) filter.shift_ = 63;  // BlockOf must still yield 0
  for (uint64_t key : distinct_keys) {
    Block& block = filter.blocks_[blocks == 1 ? 0 : filter.BlockOf(key)];
    for (int i = 0; i < kProbes; ++i) {
      int bit = BitOf(key, i);
      block.words[bit >> 6] |= uint64_t{1} << (bit & 63);
    }
  }
  return filter;
}

bool NameFilter::MayContain(uint64_t key) const {
  if (blocks_.empty()) return false;
  const Block& block = blocks_[blocks_.size() == 1 ? 0 : BlockOf(key)];
  for (int i = 0; i < kProbes; ++i) {
    int bit = BitOf(key, i);
    if ((block.words[bit >> 6] & (uint64_t{1} << (bit & 63))) == 0) return false;
  }
  return true;
}

}  // namespace vigie::records::internal
