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

// Events numbered from this on are not in the index yet (queries scan them).
Result<uint64_t> PersonIndexedUpTo(store::Connection& db);

// Events one extension indexes at most (bounded memory while catching up).
inline constexpr uint64_t kMaxSegmentEvents = 65'536;

// Indexes the events not indexed yet, up to kMaxSegmentEvents of them, in
// its own write transaction; returns the new boundary (the log's size once
// caught up).
Result<uint64_t> ExtendPersonIndex(store::Connection& db);

// The sequences, in order, of the indexed events that returned `person_id`.
// Errors: DataLoss for a chunk that does not decode.
Result<std::vector<uint64_t>> IndexedAccessesOf(store::Connection& db, int64_t person_id);

}  // namespace vigie::audit
