#pragma once
// A map from 16-byte external references (keyed hashes) to row ids, for the
// importer's fresh bulk load: it stands in for the database's unique indexes,
// which are rebuilt once at the end instead of updated row by row.
// Open addressing with linear probing; 24 bytes a slot, at most 70 % full.
// Thread-safety: none (one writer thread).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace vigie::records::internal {

class RefMap {
 public:
  static constexpr size_t kRefSize = 16;

  // Remembers ref → id (id > 0), replacing an earlier id for the same ref.
  void Put(std::span<const uint8_t, kRefSize> ref, int64_t id);
  std::optional<int64_t> Find(std::span<const uint8_t, kRefSize> ref) const;
  size_t size() const { return size_; }

 private:
  struct Slot {
    uint64_t high = 0, low = 0;
    int64_t id = 0;  // 0: empty
  };
  size_t IndexOf(uint64_t high, uint64_t low) const;
  void Grow();

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace vigie::records::internal
