#pragma once
// Finding events in a stored audit log for an investigation: by agent, unit,
// session, source address, event type, time window, person returned, or the
// keyed hash of a searched surname ("who searched for this name"), in
// sequence order from a starting point (so an export can resume), or the
// latest ones first.
//
// On SQLite a large answer is read by sequence: the index names the events
// (its entries hold the sequence), then they are read on `db` and, in
// parts, on other connections when given a way to open them
// (audit/parallel_reading.h). PostgreSQL's indexes do not hold the sequence:
// one statement reads the events there.
//
// Thread-safety: uses `db`, and each other connection on a thread of its
// own. Errors: storage errors; DataLoss when a stored event does not decode
// or one an index names is missing (run `vigie audit verify`).

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "audit/audit_event.h"
#include "audit/parallel_reading.h"
#include "core/error.h"
#include "store/store.h"

namespace vigie::audit {

struct EventFilter {
  std::optional<int64_t> agent_id;
  std::optional<int64_t> unit_id;
  std::optional<int64_t> session_id;
  std::optional<std::string> source_address;
  std::optional<AuditEventType> type;
  // Only events of a type whose wire value is below this one's (a reader
  // held to some kinds of events).
  std::optional<AuditEventType> types_below;
  std::optional<int64_t> person_id;                // events that returned this person
  std::optional<std::vector<uint8_t>> terms_hash;  // searches for this (keyed) surname
  int64_t since_unix_micros = 0;
  int64_t until_unix_micros = std::numeric_limits<int64_t>::max();
  uint64_t after_sequence = 0;                                      // only events numbered >= this
  uint64_t before_sequence = std::numeric_limits<uint64_t>::max();  // only events numbered < this
  size_t limit = 1000;
  // The `limit` latest events (by time, then sequence), newest first,
  // instead of the first ones in sequence order: an agent's recent past
  // without reading all of it.
  bool newest_first = false;
};

Result<std::vector<AuditEvent>> FindEvents(store::Connection& db, const EventFilter& filter,
                                           const ParallelReading& parallel = {});

// The same answer (in sequence order: `newest_first` must be false) read
// `page` events at a time, each resuming after the last, and handed to
// `each` in order: an export of millions holds one page, and its first
// events go out before the last are read. Stops at the first error.
Result<void> StreamEvents(store::Connection& db, EventFilter filter, size_t page,
                          const std::function<void(const AuditEvent&)>& each,
                          const ParallelReading& parallel = {});

// One event as the log holds it: its bytes (what its Merkle leaf hashes)
// and their decoding.
struct StoredEvent {
  std::vector<uint8_t> encoded;
  AuditEvent event;
};

// The events numbered `sequences` (as an index named them), in that order.
// Errors: DataLoss when one is missing, does not decode or holds another
// number; storage errors.
Result<std::vector<StoredEvent>> ReadStoredEvents(store::Connection& db,
                                                  std::span<const uint64_t> sequences,
                                                  const ParallelReading& parallel = {});

}  // namespace vigie::audit
