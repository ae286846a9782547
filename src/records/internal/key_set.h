#pragma once
// A compact set of 64-bit keyed hashes (open addressing, linear probing),
// built once and then read by many searches: membership costs one or two
// cache lines and no allocation.
// Thread-safety: concurrent Contains calls are safe; Insert is not.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vigie::records::internal {

class KeySet {
 public:
  // Room for `expected` keys before growing.
  explicit KeySet(size_t expected = 0);
  void Insert(uint64_t key);
  bool Contains(uint64_t key) const;
  size_t size() const { return size_; }
  size_t MemoryBytes() const { return slots_.capacity() * sizeof(uint64_t); }
  // Every key in the set, in no particular order.
  std::vector<uint64_t> Keys() const;

 private:
  void Grow();
  // 0 marks an empty slot; the key 0 is remembered apart.
  std::vector<uint64_t> slots_;
  size_t size_ = 0;
  bool has_zero_ = false;
};

}  // namespace vigie::records::internal
