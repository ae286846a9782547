#pragma once
// Synthetic audit events, deterministic from (seed, n): what a national
// deployment writes - mostly searches returning up to 20 persons, file
// openings, and the logins around them - for `vigie generate --audit-events`
// and the benchmarks. Query terms are left empty (the caller seals real ones
// when it has the keys).
//
// Thread-safety: pure function.

#include <cstdint>

#include "audit/audit_event.h"

namespace vigie::audit {

struct SyntheticEventOptions {
  uint64_t seed = 1;
  int64_t first_unix_micros = 1'764'000'000'000'000;
  int64_t spacing_micros = 2'000'000;  // event n is at first + n * spacing
  int64_t agents = 5'000;              // acting agents 1..agents, in units 1..agents/25
  int64_t persons = 20'000'000;        // persons returned are drawn from 1..persons
  int max_persons_per_search = 20;
};

// Event number n: 70 % searches (1..max persons), 20 % file openings, 10 %
// login steps; sequence is left 0 (the log numbers it).
AuditEvent SyntheticAuditEvent(uint64_t n, const SyntheticEventOptions& options);

}  // namespace vigie::audit
