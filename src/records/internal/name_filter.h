#pragma once
// A blocked Bloom filter over name-vocabulary keys: "could anyone bear this
// name form?" in one cache line. A query's hundreds of one-edit variants are
// checked here first, so only variants that are real names (plus ~1 % false
// positives) cost a posting look-up. About 12 bits per name: the surname
// vocabulary of a country stays within the CPU caches.
// Thread-safety: immutable after Build; concurrent MayContain calls are safe.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/huge_page_allocator.h"

namespace vigie::records::internal {

class NameFilter {
 public:
  NameFilter() = default;
  // `keys` may hold duplicates; they are counted once when sizing.
  static NameFilter Build(const std::vector<uint64_t>& distinct_keys);

  bool MayContain(uint64_t key) const;
  // Starts loading the key's block into the CPU cache: a query checks hundreds
  // of variants, and at national scale most blocks are not cached, so issuing
  // the loads first lets the misses overlap.
  void Prefetch(uint64_t key) const {
    if (blocks_.size() > 1) __builtin_prefetch(&blocks_[BlockOf(key)]);
  }
  size_t MemoryBytes() const { return blocks_.size() * sizeof(Block); }

 private:
  struct alignas(64) Block {
    uint64_t words[8];
  };
  size_t BlockOf(uint64_t key) const { return static_cast<size_t>(key >> shift_); }

  HugeVector<Block> blocks_;
  int shift_ = 63;
};

}  // namespace vigie::records::internal
