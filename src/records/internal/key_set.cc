#include "records/internal/key_set.h"

#include <bit>

namespace vigie::records::internal {

KeySet::KeySet(size_t expected) {
  slots_.assign(std::bit_ceil(std::max<size_t>(16, expected * 2)), 0);
}

void KeySet::Insert(uint64_t key) {
  if (key == 0) {
    size_ += has_zero_ ? 0 : 1;
    has_zero_ = true;
    return;
  }
  if ((size_ + 1) * 2 > slots_.size()) Grow();  // keep the load factor ≤ 1/2
  size_t mask = slots_.size() - 1;
  // Keys are keyed hashes: their bits are already uniform.
  for (size_t i = key & mask;; i = (i + 1) & mask) {
    if (slots_[i] == key) return;
    if (slots_[i] == 0) {
      slots_[i] = key;
      ++size_;
      return;
    }
  }
}

bool KeySet::Contains(uint64_t key) const {
  if (key == 0) return has_zero_;
  size_t mask = slots_.size() - 1;
  for (size_t i = key & mask;; i = (i + 1) & mask) {
    if (slots_[i] == key) return true;
    if (slots_[i] == 0) return false;
  }
}

std::vector<uint64_t> KeySet::Keys() const {
  std::vector<uint64_t> keys;
  keys.reserve(size_);
  if (has_zero_) keys.push_back(0);
  for (uint64_t key : slots_) {
    if (key != 0) keys.push_back(key);
  }
  return keys;
}

void KeySet::Grow() {
  std::vector<uint64_t> old;
  old.swap(slots_);
  slots_.assign(old.size() * 2, 0);
  size_t zero = has_zero_ ? 1 : 0;
  size_ = zero;
  for (uint64_t key : old) {
    if (key != 0) Insert(key);
  }
}

}  // namespace vigie::records::internal
