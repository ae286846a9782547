#include "records/internal/sealed_rows.h"

#include <cstring>
#include <algorithm>

namespace vigie::records::internal {

void SealedRows::Add(const SealedPerson& row) {
  if (row.id <= 0) return;
  // References are 16-byte keyed hashes and person rows ~100 bytes: the
  // length fields cannot overflow for a row the repository wrote.
  auto ref_size = static_cast<uint16_t>(row.ref.size());
  auto sealed_size = static_cast<uint32_t>(row.sealed.size());
  size_t bytes = kHeaderBytes + ref_size + sealed_size;
  if (chunks_.empty() || used_in_last_ + bytes > chunks_.back().size()) {
    chunks_.emplace_back(std::max(kChunkBytes, bytes));
    used_in_last_ = 0;
  }
  uint8_t* at = chunks_.back().data() + used_in_last_;
  std::memcpy(at, &row.key_id, 4);
  std::memcpy(at + 4, &ref_size, 2);
  std::memcpy(at + 6, &sealed_size, 4);
  std::memcpy(at + kHeaderBytes, row.ref.data(), ref_size);
  std::memcpy(at + kHeaderBytes + ref_size, row.sealed.data(), sealed_size);

  auto id = static_cast<size_t>(row.id);
  if (offsets_.size() <= id) offsets_.resize(id + 1, 0);
  if (offsets_[id] == 0) ++count_;
  offsets_[id] = ((static_cast<uint64_t>(chunks_.size() - 1) << 32) | used_in_last_) + 1;
  used_in_last_ += bytes;
}

const uint8_t* SealedRows::RowAt(int64_t id) const {
  if (id <= 0 || static_cast<size_t>(id) >= offsets_.size()) return nullptr;
  const uint64_t slot = offsets_[static_cast<size_t>(id)];
  if (slot == 0) return nullptr;
  return chunks_[(slot - 1) >> 32].data() + ((slot - 1) & 0xffffffffu);
}

std::optional<SealedPerson> SealedRows::Find(int64_t id) const {
  const uint8_t* at = RowAt(id);
  if (at == nullptr) return std::nullopt;
  SealedPerson row;
  row.id = id;
  std::memcpy(&row.key_id, at, 4);
  uint16_t ref_size = 0;
  uint32_t sealed_size = 0;
  std::memcpy(&ref_size, at + 4, 2);
  std::memcpy(&sealed_size, at + 6, 4);
  row.ref = {at + kHeaderBytes, ref_size};
  row.sealed = {at + kHeaderBytes + ref_size, sealed_size};
  return row;
}

void SealedRows::PrefetchRow(int64_t id) const {
  if (const uint8_t* at = RowAt(id)) {
    __builtin_prefetch(at);
    __builtin_prefetch(at + 64);  // a row is ~100 bytes: two cache lines
  }
}

size_t SealedRows::MemoryBytes() const {
  size_t bytes = offsets_.capacity() * sizeof(uint64_t);
  for (const auto& chunk : chunks_) bytes += chunk.size();
  return bytes;
}

}  // namespace vigie::records::internal
