#include "audit/person_chunk.h"

#include <cstdint>
#include <optional>

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

namespace {

// Walks a chunk's pairs in order, checking each stays within the chunk's
// person range and names an event at or after the segment.
class PairReader {
 public:
  static Result<PairReader> Open(const PersonChunkView& chunk, uint64_t segment) {
    if (chunk.first_person > chunk.last_person) {
      return Fail(ErrorCode::kDataLoss, "a person index chunk's range is reversed");
    }
    return PairReader(chunk, segment);
  }

  bool done() const { return in_.empty(); }

  Result<PersonAccess> Next() {
    ASSIGN_OR_RETURN(uint64_t delta, TakeVarint(in_));
    ASSIGN_OR_RETURN(uint64_t offset, TakeVarint(in_));
    if (delta > span_ - walked_) {
      return Fail(ErrorCode::kDataLoss, "a person index chunk goes past its last person");
    }
    if (offset > UINT64_MAX - segment_) {
      return Fail(ErrorCode::kDataLoss, "a person index chunk names an event past any sequence");
    }
    walked_ += delta;  // from the first person: catches a delta past last_person
    person_ += delta;
    return PersonAccess{static_cast<int64_t>(person_), segment_ + offset};
  }

 private:
  PairReader(const PersonChunkView& chunk, uint64_t segment)
      : in_(chunk.pairs),
        person_(static_cast<uint64_t>(chunk.first_person)),
        span_(Delta(chunk.first_person, chunk.last_person)),
        segment_(segment) {}

  std::span<const uint8_t> in_;
  uint64_t person_;
  uint64_t span_;
  uint64_t segment_;
  uint64_t walked_ = 0;
};

}  // namespace

Result<void> AccessesOf(const PersonChunkView& chunk, uint64_t segment, int64_t person_id,
                        std::vector<uint64_t>& sequences) {
  ASSIGN_OR_RETURN(PairReader reader, PairReader::Open(chunk, segment));
  while (!reader.done()) {
    ASSIGN_OR_RETURN(PersonAccess access, reader.Next());
    if (access.person_id > person_id) break;  // sorted: nothing further is theirs
    if (access.person_id == person_id) sequences.push_back(access.sequence);
  }
  return {};
}

Result<void> DecodeChunk(const PersonChunkView& chunk, uint64_t segment,
                         std::vector<PersonAccess>& accesses) {
  ASSIGN_OR_RETURN(PairReader reader, PairReader::Open(chunk, segment));
  if (reader.done()) return Fail(ErrorCode::kDataLoss, "a person index chunk holds no pair");
  std::optional<PersonAccess> previous;
  while (!reader.done()) {
    ASSIGN_OR_RETURN(PersonAccess access, reader.Next());
    if (!previous && access.person_id != chunk.first_person) {
      return Fail(ErrorCode::kDataLoss, "a person index chunk starts past its first person");
    }
    if (previous && !(*previous < access)) {
      return Fail(ErrorCode::kDataLoss, "a person index chunk's pairs are out of order");
    }
    accesses.push_back(access);
    previous = access;
  }
  if (previous->person_id != chunk.last_person) {
    return Fail(ErrorCode::kDataLoss, "a person index chunk ends before its last person");
  }
  return {};
}

}  // namespace vigie::audit
