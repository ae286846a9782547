#pragma once
// Nodes on one PostgreSQL database judge times written by each other: a DPoP
// proof remembered until a given second, sessions' idle and absolute limits,
// detection's windows over the audit events. A node whose clock is far off
// would accept a proof another node refused, or end sessions early; so
// `vigie serve` compares its clock with the database server's at start.
//
// Thread-safety: uses `db` only for the call.
// Errors: Unavailable naming the offset when it exceeds `tolerance`; those
// of the store. On SQLite (one machine, one clock) it always passes.

#include <chrono>

#include "core/clock.h"
#include "core/error.h"
#include "store/store.h"

namespace vigie::store {

// How far `now` is from the database server's clock (positive: ahead), to
// the millisecond, allowing for the query's round trip.
Result<std::chrono::milliseconds> ClockOffsetFromDatabase(Connection& db, const Clock& clock);

Result<void> CheckClockAgainstDatabase(Connection& db, const Clock& clock,
                                       std::chrono::seconds tolerance);

}  // namespace vigie::store
