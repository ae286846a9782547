#include "audit/person_chunk.h"

namespace vigie::audit {
namespace {

void PutVarint(std::vector<uint8_t>& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<uint8_t>(value | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<uint8_t>(value));
}

// Minimal LEB128 only, as the event codec: one encoding per value.
Result<uint64_t> TakeVarint(std::span<const uint8_t>& in) {
  uint64_t value = 0;
  for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
    const uint8_t byte = in.front();
    in = in.subspan(1);
    if (shift == 63 && byte > 1) break;
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      if (byte == 0 && shift > 0) break;
      return value;
    }
  }
  return Fail(ErrorCode::kDataLoss, "a person index chunk does not decode");
}

// Person ids are compared as signed and stepped through as unsigned deltas,
// so any int64 range encodes.
uint64_t Delta(int64_t from, int64_t to) {
  return static_cast<uint64_t>(to) - static_cast<uint64_t>(from);
}

}  // namespace

std::vector<PersonChunk> ChunkAccesses(std::span<const PersonAccess> sorted, uint64_t segment) {
  std::vector<PersonChunk> chunks;
  size_t in_chunk = 0;
  int64_t previous = 0;
  for (const PersonAccess& access : sorted) {
    const bool new_person = chunks.empty() || access.person_id != previous;
    if (chunks.empty() || (new_person && in_chunk >= kAccessesPerChunk)) {
      chunks.push_back({.first_person = access.person_id, .last_person = access.person_id});
      chunks.back().pairs.reserve(kAccessesPerChunk * 4);
      in_chunk = 0;
      previous = access.person_id;
    }
    PersonChunk& chunk = chunks.back();
    PutVarint(chunk.pairs, Delta(previous, access.person_id));
    PutVarint(chunk.pairs, access.sequence - segment);
    chunk.last_person = access.person_id;
    previous = access.person_id;
    ++in_chunk;
  }
  return chunks;
}

Result<void> AccessesOf(const PersonChunkView& chunk, uint64_t segment, int64_t person_id,
                        std::vector<uint64_t>& sequences) {
  std::span<const uint8_t> in = chunk.pairs;
  auto person = static_cast<uint64_t>(chunk.first_person);
  const uint64_t span = Delta(chunk.first_person, chunk.last_person);
  uint64_t walked = 0;  // from the first person: catches a delta past last_person
  if (chunk.first_person > chunk.last_person) {
    return Fail(ErrorCode::kDataLoss, "a person index chunk's range is reversed");
  }
  while (!in.empty()) {
    ASSIGN_OR_RETURN(uint64_t delta, TakeVarint(in));
    ASSIGN_OR_RETURN(uint64_t offset, TakeVarint(in));
    if (delta > span - walked) {
      return Fail(ErrorCode::kDataLoss, "a person index chunk goes past its last person");
    }
    walked += delta;
    person += delta;
    const auto current = static_cast<int64_t>(person);
    if (current > person_id) break;  // sorted: nothing further is theirs
    if (current == person_id) sequences.push_back(segment + offset);
  }
  return {};
}

}  // namespace vigie::audit
