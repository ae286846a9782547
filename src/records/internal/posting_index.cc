#include "records/internal/posting_index.h"

#include <algorithm>
#include <bit>

namespace vigie::records::internal {

PostingIndex PostingIndex::Build(std::vector<Posting> postings) {
  PostingIndex index;
  // About four postings per bucket keeps scans short and the directory small.
  size_t buckets_wanted = std::max<size_t>(postings.size() / 4, 1);
  index.bits_ = std::min(32, static_cast<int>(std::bit_width(buckets_wanted)));
  size_t buckets = size_t{1} << index.bits_;
  index.directory_.assign(buckets + 1, 0);
  for (const Posting& p : postings) ++index.directory_[index.Bucket(p.key) + 1];
  for (size_t b = 0; b < buckets; ++b) index.directory_[b + 1] += index.directory_[b];
  index.entries_.resize(postings.size());
  std::vector<uint32_t> cursor(index.directory_.begin(), index.directory_.end() - 1);
  for (const Posting& p : postings) {
    index.entries_[cursor[index.Bucket(p.key)]++] = {static_cast<uint32_t>(p.key), p.person};
  }
  return index;
}

void PostingIndex::Lookup(uint64_t key, std::vector<uint32_t>& out) const {
  size_t b = Bucket(key);
  auto low = static_cast<uint32_t>(key);
  for (uint32_t i = directory_[b], end = directory_[b + 1]; i < end; ++i) {
    if (entries_[i].key_low == low) out.push_back(entries_[i].person);
  }
  if (!overflow_.empty()) {
    auto [first, last] = overflow_.equal_range(key);
    for (auto it = first; it != last; ++it) out.push_back(it->second);
  }
}

void PostingIndex::Add(uint64_t key, uint32_t person) { overflow_.emplace(key, person); }

size_t PostingIndex::MemoryBytes() const {
  return directory_.capacity() * sizeof(uint32_t) + entries_.capacity() * sizeof(Entry) +
         overflow_.size() * (sizeof(uint64_t) + sizeof(uint32_t) + 2 * sizeof(void*));
}

}  // namespace vigie::records::internal
