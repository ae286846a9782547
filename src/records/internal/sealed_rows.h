#pragma once
// The search snapshot's copy of every person's sealed row, so a result list
// is built without touching the database: at national scale the rows of 24
// random persons are 24 page reads scattered over gigabytes, which cost more
// than all the index work of a query. The rows stay sealed in memory and are
// opened with the records key exactly as when read from the file.
//
// Layout: entries packed back to back in 16 MiB chunks (no reallocation of
// gigabytes while loading), and one 8-byte offset per person id.
// Thread-safety: concurrent Find calls are safe; Add is not.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/huge_page_allocator.h"
#include "records/record_repository.h"

namespace vigie::records::internal {

class SealedRows {
 public:
  // Copies the row (id > 0). Ids are expected roughly ascending (offsets grow
  // to the largest id). A second Add for an id replaces the first.
  void Add(const SealedPerson& row);
  // A view into this object's memory; nullopt when the id was never added.
  std::optional<SealedPerson> Find(int64_t id) const;

  // For several Finds: call PrefetchSlot for every id, then PrefetchRow for
  // every id, then Find, so their cache and TLB misses overlap (at national
  // scale the slots span 160 MB and the rows gigabytes).
  void PrefetchSlot(int64_t id) const {
    if (id > 0 && static_cast<size_t>(id) < offsets_.size()) {
      __builtin_prefetch(&offsets_[static_cast<size_t>(id)]);
    }
  }
  void PrefetchRow(int64_t id) const;

  size_t size() const { return count_; }
  size_t MemoryBytes() const;

 private:
  static constexpr size_t kChunkBytes = size_t{1} << 24;
  // Entry: key_id u32, ref length u16, sealed length u32, ref, sealed.
  static constexpr size_t kHeaderBytes = 10;

  const uint8_t* RowAt(int64_t id) const;  // the entry of `id`, or nullptr

  std::vector<HugeVector<uint8_t>> chunks_;
  size_t used_in_last_ = 0;
  HugeVector<uint64_t> offsets_;  // by id: chunk << 32 | offset, plus one; 0 = absent
  size_t count_ = 0;
};

}  // namespace vigie::records::internal
