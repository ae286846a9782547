#pragma once
// Checking the person index (person_index.h) against the events, for
// `vigie audit verify`: a forged index cannot add an access to a "who
// consulted this person" answer (every event it points to is decoded), but
// it can hide one, so it is held to the events it was built from.
//
// Both sides tally their (person, sequence) pairs into a keyed digest per
// 65 536 events: the events' distinct persons as the verifier decodes them,
// the stored chunks as they are read. A digest is the count of pairs and the
// sum of their SipHash-2-4 values under a key drawn for this run, so whoever
// edited the index could not aim at a collision (two different sets agree
// with chance 2^-64). Only where the digests differ are that range's pairs
// gathered, sorted and compared, to name the first pair that differs: no
// sort of the whole index on the way.
//
// The legacy rows (schema versions 1-3), which answer past the chunks' end
// up to `person_indexed` during a rolling upgrade, are held to the events
// of that range the same way.
//
// Thread-safety: a tally is used from one thread at a time; the stored side
// uses `db` alone, and may hand chunks to a ChunkTally used on another
// thread, absorbed once that thread is done. Errors: storage errors; what is
// found is a problem string.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "audit/audit_event.h"
#include "audit/person_chunk.h"
#include "core/error.h"
#include "crypto/keyed_hash.h"
#include "store/store.h"

namespace vigie::audit {

// Keyed digests of a set of pairs, per 65 536 events (grown as pairs come:
// callers bound the sequences by the events actually read).
class PersonAccessTally {
 public:
  explicit PersonAccessTally(const crypto::SearchKeyHasher& hasher) : hasher_(hasher) {}

  void Add(const PersonAccess& access);
  // Adds the pairs `other` tallied (the digests are sums).
  void Merge(const PersonAccessTally& other);
  // The distinct persons `event` returned (an event naming a person twice is
  // one access, as the index stores it).
  void AddEvent(const AuditEvent& event);

  // The first event of the first range where `a` and `b` differ, if any.
  static std::optional<uint64_t> FirstDifference(const PersonAccessTally& a,
                                                 const PersonAccessTally& b);
  static constexpr uint64_t kRangeEvents = uint64_t{1} << 16;

 private:
  struct Digest {
    uint64_t sum = 0;
    uint64_t count = 0;
    bool operator==(const Digest&) const = default;
  };
  const crypto::SearchKeyHasher& hasher_;
  std::vector<Digest> digests_;
  std::vector<int64_t> persons_;  // AddEvent's scratch
};

// A problem found in the index, and where: chunks are read by segment, then
// first person (a problem found before any chunk sorts first); of the
// problems found, the first in that order is named, as reading alone would.
struct IndexProblem {
  std::pair<uint64_t, int64_t> at;
  std::string text;
};

// Decodes chunks and tallies their pairs, holding each to what the writer
// writes and to the events it may name (before `chunked` and within its
// segment's kMaxSegmentEvents). Once a chunk is wrong, takes no more.
class ChunkTally {
 public:
  ChunkTally(const crypto::SearchKeyHasher& hasher, uint64_t chunked)
      : chunked_(chunked), tally_(hasher) {}
  void Add(uint64_t segment, const PersonChunkView& chunk);

 private:
  friend class StoredPersonIndex;
  uint64_t chunked_;
  PersonAccessTally tally_;
  std::vector<PersonAccess> pairs_;  // Add's scratch
  std::optional<IndexProblem> problem_;
};

// The stored side: reads the chunks segment by segment as the verifier's
// scan passes them, checks what a query relies on (every chunk decodes, is
// in order and in a listed segment, no person spans two chunks of a
// segment, no pair past its segment's 65 536 events nor past the events
// the chunks cover, which must exist) and tallies the pairs; then the
// legacy rows a query reads past the chunks.
class StoredPersonIndex {
 public:
  // `log_size`: the events the verifier reads. Reads audit_tip's bounds and
  // the listed segments.
  static Result<StoredPersonIndex> Open(store::Connection& db,
                                        const crypto::SearchKeyHasher& hasher, uint64_t log_size);

  // The events a query answers from the index (chunks, then legacy rows):
  // [0, indexed), each of which must be tallied from the events.
  uint64_t indexed() const { return std::max(chunked_, legacy_to_); }
  // Reads the chunks of the segments numbered below `end` not read yet,
  // checking their order and segments; `hand_off` may take a chunk to tally
  // elsewhere (it copies what it keeps: the view dies with the row), into a
  // HandedTally() given to Absorb once done.
  using HandOff = std::function<bool(uint64_t segment, const PersonChunkView& chunk)>;
  Result<void> ReadSegmentsBelow(store::Connection& db, uint64_t end, const HandOff& hand_off = {});
  // Once every event was read: the chunks of every remaining segment
  // number, then the legacy rows past the chunks.
  Result<void> ReadTheRest(store::Connection& db);
  // A tally for the chunks handed off, and taking its pairs and problem in.
  ChunkTally HandedTally() const { return ChunkTally(hasher_, chunked_); }
  void Absorb(const ChunkTally& handed);
  // What the reading found wrong, if anything (reading stops there).
  std::optional<std::string> problem() const;
  const PersonAccessTally& tally() const { return own_.tally_; }

  // Names the first pair where the index and events [begin, end) differ:
  // an access it omits or one it invents.
  Result<std::string> DescribeDifference(store::Connection& db, uint64_t begin, uint64_t end) const;

 private:
  explicit StoredPersonIndex(const crypto::SearchKeyHasher& hasher)
      : hasher_(hasher), own_(hasher, 0) {}
  void Read(uint64_t segment, const PersonChunkView& chunk, const HandOff& hand_off);
  void Found(std::string text);  // before any chunk
  // Calls `pair` with each legacy row in events [from, to) of a listed
  // segment, as a query reads them.
  Result<void> ForEachLegacyPair(store::Connection& db, uint64_t from, uint64_t to,
                                 const std::function<void(const PersonAccess&)>& pair) const;

  bool has_chunks_ = false;
  uint64_t chunked_ = 0, legacy_to_ = 0;
  uint64_t next_segment_ = 0;
  std::vector<int64_t> listed_;  // audit_person_segment, sorted
  std::optional<int64_t> previous_segment_, previous_last_person_;
  const crypto::SearchKeyHasher& hasher_;
  ChunkTally own_;  // the chunks not handed off, and the legacy rows
  std::optional<IndexProblem> problem_;
};

}  // namespace vigie::audit
