#include "records/internal/ref_map.h"

#include <cstring>

namespace vigie::records::internal {
namespace {

uint64_t Half(std::span<const uint8_t, RefMap::kRefSize> ref, size_t at) {
  uint64_t v;
  std::memcpy(&v, ref.data() + at, sizeof v);
  return v;
}

}  // namespace

// The slot holding (high, low), or the empty slot where it would go. The
// references are keyed hashes, so their bits are already uniform.
size_t RefMap::IndexOf(uint64_t high, uint64_t low) const {
  size_t mask = slots_.size() - 1;
  for (size_t i = static_cast<size_t>(high ^ (low >> 7)) & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.id == 0 || (slot.high == high && slot.low == low)) return i;
  }
}

void RefMap::Put(std::span<const uint8_t, kRefSize> ref, int64_t id) {
  if ((size_ + 1) * 10 > slots_.size() * 7) Grow();
  uint64_t high = Half(ref, 0), low = Half(ref, 8);
  Slot& slot = slots_[IndexOf(high, low)];
  if (slot.id == 0) ++size_;
  slot = {high, low, id};
}

std::optional<int64_t> RefMap::Find(std::span<const uint8_t, kRefSize> ref) const {
  if (slots_.empty()) return std::nullopt;
  const Slot& slot = slots_[IndexOf(Half(ref, 0), Half(ref, 8))];
  if (slot.id == 0) return std::nullopt;
  return slot.id;
}

void RefMap::Grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
  for (const Slot& slot : old) {
    if (slot.id != 0) slots_[IndexOf(slot.high, slot.low)] = slot;
  }
}

}  // namespace vigie::records::internal
