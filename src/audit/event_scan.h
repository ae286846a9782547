#pragma once
// Reading a range of the audit log in order, a page of events at a time.
// PostgreSQL's client library receives a statement's whole result before the
// first row is seen, so one SELECT over a 100 M-event log would need the
// log's size in memory; pages of kEventScanPageRows keep memory constant on
// both backends and let the caller run other statements between rows.
//
// Thread-safety: uses `db` alone; one thread at a time.
// Errors: storage errors, and whatever `row` returns.

#include <cstdint>
#include <functional>
#include <string_view>

#include "core/error.h"
#include "store/store.h"

namespace vigie::audit {

inline constexpr int64_t kEventScanPageRows = 4096;

// What a scan reads after `sequence` (column 0): a constant list of columns
// (DESIGN invariant 6: no value is ever spliced into SQL).
enum class EventColumns {
  kEvent,  // 1: event
  // 1: event, NULL when longer than kMaxAuditEventSize or not stored as
  // bytes (never loaded: a tampered row of gigabytes is not read),
  // 2: chain_hash, NULL when longer than 64 bytes, 3: the event's length in
  // bytes, -1 when it is not stored as bytes; then the columns copied from
  // the event for searches: 4 time_us, 5 type, 6 agent_id, 7 unit_id,
  // 8 session_id (each NULL when not stored as an integer), 9 source_address
  // (NULL when not text or longer than any event), 10 terms_hash (NULL when
  // not bytes or longer than 64), 11 whether terms_hash is NULL (1) or not.
  kBoundedEventAndChainHash,
};

// Calls `row` with each stored event whose sequence is in [begin, end), in
// order, until `row` returns false. Missing sequences are simply absent:
// callers that need every one check column 0. REQUIRES: a transaction on
// `db` (read or write) when the log may grow meanwhile.
Result<void> ScanEvents(store::Connection& db, EventColumns columns, uint64_t begin,
                        uint64_t end, const std::function<Result<bool>(store::Statement&)>& row);

}  // namespace vigie::audit
