#pragma once
// The "who consulted this person" index of a stored audit log: derived data,
// extended in segments behind the log (docs/formats/audit-log.md). Every
// extension reads back the events not indexed yet, sorts their (person,
// sequence) pairs and appends them under one new segment, so its index pages
// are written once, in order — indexing inside each commit wrote a random
// page per person per commit and halved the consultation rate. Because it
// reads the events back, whichever process appends (or restarts after a
// crash) catches the index up.
//
// Thread-safety: uses `db` alone. Errors: storage errors; DataLoss for an
// event that does not decode.

#include <cstdint>

#include "core/error.h"
#include "store/store.h"

namespace vigie::audit {

// Events numbered from this on are not in the index yet (queries scan them).
Result<uint64_t> PersonIndexedUpTo(store::Connection& db);

// Indexes every event not indexed yet, in its own write transaction; returns
// the new boundary (the log's size).
Result<uint64_t> ExtendPersonIndex(store::Connection& db);

}  // namespace vigie::audit
