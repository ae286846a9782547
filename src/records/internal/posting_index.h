#pragma once
// An in-memory multimap from 64-bit posting keys to person ids, built once
// from the database and then read by many searches.
//
// Layout: a directory indexed by the top `bits_` bits of the key gives each
// bucket's range in one flat array of (low 32 key bits, person id) pairs, so a
// look-up costs two cache misses and no allocation. 8 bytes per posting plus
// 4 bytes per bucket (about one bucket per four postings).
// Postings added after the build go to a small overflow map.
// Thread-safety: concurrent Lookup calls are safe; Add is not (external lock).

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "core/huge_page_allocator.h"

namespace vigie::records::internal {

struct Posting {
  uint64_t key;
  uint32_t person;
};

class PostingIndex {
 public:
  PostingIndex() = default;
  // Takes the postings (any order, duplicates allowed) and builds the index.
  static PostingIndex Build(std::vector<Posting> postings);

  // Appends every person filed under `key` to `out`, in ascending order
  // (postings are built in person order) unless some were added later.
  void Lookup(uint64_t key, std::vector<uint32_t>& out) const;

  // For a batch of look-ups: call PrefetchDirectory for every key, then
  // PrefetchBucket for every key, then Lookup, so the two cache misses of
  // each look-up overlap with those of the others.
  void PrefetchDirectory(uint64_t key) const { __builtin_prefetch(&directory_[Bucket(key)]); }
  void PrefetchBucket(uint64_t key) const {
    uint32_t first = directory_[Bucket(key)];
    if (first < entries_.size()) __builtin_prefetch(&entries_[first]);
  }

  void Add(uint64_t key, uint32_t person);

  size_t size() const { return entries_.size() + overflow_.size(); }
  size_t MemoryBytes() const;

 private:
  struct Entry {
    uint32_t key_low;
    uint32_t person;
  };
  size_t Bucket(uint64_t key) const { return bits_ == 0 ? 0 : static_cast<size_t>(key >> (64 - bits_)); }

  int bits_ = 0;
  HugeVector<uint32_t> directory_{0, 0};  // bucket b spans [directory_[b], directory_[b+1])
  HugeVector<Entry> entries_;
  std::unordered_multimap<uint64_t, uint32_t> overflow_;
};

}  // namespace vigie::records::internal
