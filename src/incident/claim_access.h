#pragma once
// Who was shown which persons, from the audit log: for each person of a set,
// the successful searches and file openings that returned them (how many,
// first and last, by which sessions and agents), and for the whole set the
// sessions involved; apart, how often an investigation's answer (a claim
// check's matches, a breach report's list) named them.
//
// Two ways, chosen by the set's size: a few persons are looked up in the
// "who consulted this person" index (audit/person_index.h), which costs one
// probe per index segment per person; beyond max_indexed_persons one
// sequential read of the log is cheaper (measured: docs/benchmarks.md).
//
// Thread-safety: uses `audit_db` alone, from the calling thread. Errors:
// storage errors; DataLoss when an event does not decode.

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "store/store.h"

namespace vigie::incident {

struct SessionAccess {
  int64_t session_id = 0;
  int64_t agent_id = 0;
  std::string service_number;
  int64_t events = 0;
  int64_t first_unix_micros = 0;
  int64_t last_unix_micros = 0;
};

// One person's accesses. `sessions` in the order first seen, at most
// AccessOptions::max_sessions_per_person of them.
struct PersonAccess {
  int64_t events = 0;
  int64_t first_unix_micros = 0;
  int64_t last_unix_micros = 0;
  std::vector<SessionAccess> sessions;
  bool more_sessions = false;  // other sessions were shown this person too
};

// A session that was shown at least one of the persons.
struct SessionInvolved {
  SessionAccess access;          // events: those that returned one of the persons
  int64_t persons_returned = 0;  // persons of the set returned, counted per event
};

struct AccessReport {
  std::unordered_map<int64_t, PersonAccess> persons;  // only persons accessed
  // Persons of the set named by successful audit_search events (an officer's
  // investigation answer: a stolen officer session can leak that way), and
  // how many such events named each.
  std::unordered_map<int64_t, int64_t> named_by_investigations;
  std::vector<SessionInvolved> sessions;              // most persons returned first
  int64_t agents = 0;                                 // distinct agents among them
  std::string_view method;                            // "person_index" or "log_scan"
  int64_t events_read = 0;
};

struct AccessOptions {
  size_t max_sessions_per_person = 20;
  size_t max_indexed_persons = 2048;
  std::function<void(int64_t events_read)> progress;
};

Result<AccessReport> FindAccesses(store::Connection& audit_db, std::span<const int64_t> person_ids,
                                  const AccessOptions& options = {});

}  // namespace vigie::incident
