#pragma once
// A chunk of the "who consulted this person" index (person_index.h): about
// kAccessesPerChunk (person, sequence) pairs of one segment, sorted, stored
// as one row. A row per pair made the index most of the writer's cost (a
// B-tree entry for each of the 20 persons a search returns); a row per chunk
// is written once, in order. A person's accesses within a segment never
// straddle two chunks, so a query reads one chunk per segment: the one with
// the largest first person not above it. Format (docs/formats/audit-log.md):
// for each pair, the person as a minimal LEB128 delta from the previous
// pair's (the chunk's first person for the first pair), then the sequence
// as a minimal LEB128 offset from the segment's number (its first event).
//
// Thread-safety: pure functions. Errors: DataLoss for pairs that do not
// decode (truncated, overlong, past the chunk's range or past any sequence).

#include <compare>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/error.h"

namespace vigie::audit {

struct PersonAccess {
  int64_t person_id = 0;
  uint64_t sequence = 0;
  auto operator<=>(const PersonAccess&) const = default;
};

// A stored chunk as read, its pairs left where the row holds them.
struct PersonChunkView {
  int64_t first_person = 0;
  int64_t last_person = 0;
  std::span<const uint8_t> pairs;
};

struct PersonChunk {
  int64_t first_person = 0;
  int64_t last_person = 0;
  std::vector<uint8_t> pairs;
  PersonChunkView View() const { return {first_person, last_person, pairs}; }
};

inline constexpr size_t kAccessesPerChunk = 128;

// Splits one segment's accesses, sorted and all at or after `segment`, into
// chunks of at least kAccessesPerChunk pairs (the last may hold fewer; one
// person's accesses stay together, so a chunk may hold more).
std::vector<PersonChunk> ChunkAccesses(std::span<const PersonAccess> sorted, uint64_t segment);

// Appends to `sequences`, in order, the sequences at which `person_id`
// appears in `chunk` (a chunk of the segment numbered `segment`).
Result<void> AccessesOf(const PersonChunkView& chunk, uint64_t segment, int64_t person_id,
                        std::vector<uint64_t>& sequences);

// Appends every pair of `chunk` to `accesses`, holding the chunk to what
// ChunkAccesses writes: at least one pair, strictly increasing, the first
// pair's person `first_person` and the last's `last_person` (what a query's
// choice of chunk relies on). For `vigie audit verify`.
Result<void> DecodeChunk(const PersonChunkView& chunk, uint64_t segment,
                         std::vector<PersonAccess>& accesses);

}  // namespace vigie::audit
