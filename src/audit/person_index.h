#pragma once
// The "who consulted this person" index of a stored audit log: derived data,
// extended in segments behind the log (docs/formats/audit-log.md). Every
// extension reads back the events not indexed yet, sorts their (person,
// sequence) pairs and appends them under one new segment, in chunks of about
// a hundred pairs (person_chunk.h), so its pages are written once, in order
// — indexing inside each commit wrote a random page per person per commit
// and halved the consultation rate. Because it reads the events back,
// whichever process appends (or restarts after a crash, or after an upgrade
// that rebuilt the index) catches the index up.
//
// Thread-safety: uses `db` alone. Errors: storage errors; DataLoss for an
// event that does not decode.

#include <cstdint>
#include <vector>

#include "core/error.h"
#include "store/store.h"

namespace vigie::audit {

// Events numbered from this on are not in the index yet (queries scan them):
// the chunks' end, or the legacy index's (a row per access, from schema
// versions 1-3, which their nodes extend during a rolling upgrade) if
// further.
Result<uint64_t> PersonIndexedUpTo(store::Connection& db);
// Where each index ends, as audit_tip says: the chunks (`has_chunks` false
// on a log no writer of schema version 4 has migrated yet) and the legacy
// rows.
struct PersonIndexBounds {
  bool has_chunks = false;
  uint64_t chunked = 0;
  uint64_t legacy_to = 0;
};
Result<PersonIndexBounds> ReadPersonIndexBounds(store::Connection& db);
// The chunks' own end: where the next extension starts.
Result<uint64_t> PersonIndexBuiltUpTo(store::Connection& db);

// Events one extension indexes at most, and (person, sequence) pairs: the
// memory of one extension stays bounded while catching up, even over events
// that each name thousands of persons.
inline constexpr uint64_t kMaxSegmentEvents = 65'536;
inline constexpr size_t kMaxSegmentPairs = 4'000'000;

// Indexes the events not indexed yet, up to `max_events` of them (and
// kMaxSegmentPairs pairs), in its own write transaction; returns the new
// boundary (the log's size once caught up).
Result<uint64_t> ExtendPersonIndex(store::Connection& db, uint64_t max_events = kMaxSegmentEvents);

// The sequences, in order, of the indexed events that returned `person_id`
// (from the chunks, then from the legacy index past them), and where the
// index ended when the answer began (PersonIndexedUpTo, read first: events
// from there on may be missing from `sequences`). A segment whose chunk
// does not decode is answered from its events instead (and logged). On a log
// not migrated to the chunks yet (a read-only command before any writer of
// this release), the legacy index alone answers.
struct IndexedAccesses {
  std::vector<uint64_t> sequences;
  uint64_t indexed_up_to = 0;
};
Result<IndexedAccesses> IndexedAccessesOf(store::Connection& db, int64_t person_id);

}  // namespace vigie::audit
