#pragma once
// What the audit log's writer reads when it opens a stored log: its size
// (checked against its events and its tip against their chain), how far it
// is signed and person-indexed - and whether the outage a mark left behind
// is in fact already recorded in it.
//
// Thread-safety: uses `db` alone.
// Errors: storage errors (Unavailable while another appender holds the
// append lock past the patience); DataLoss when the stored tip does not
// match the events (`vigie audit verify` says more).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "audit/log_outage.h"
#include "core/error.h"
#include "store/store.h"

namespace vigie::audit {

struct OpenedLog {
  uint64_t size = 0;                  // events in the log
  uint64_t last_checkpoint_size = 0;  // 0 when none is signed
  uint64_t person_indexed = 0;        // events the person index covers
};

// Reads the log under the append lock - other nodes may be appending -
// after giving an older log its subtree rows once. Other nodes' and
// commands' writers hold that lock a commit at a time, longer under load
// than a consultation may wait: opening, which no one waits on, tries again
// for a while (kOpenPatience).
inline constexpr std::chrono::seconds kOpenPatience{15};
Result<OpenedLog> OpenStoredLog(store::Connection& db);

// The sequence of `node_id`'s audit_log_resumed event that already records
// `outage` (REQUIRES: outage.ongoing() and its start known, since_unix_micros()
// != 0), if there is one: a process stopped
// between the record's commit and its mark's removal leaves the mark
// behind. It is among the latest events without an agent (every node's
// system events, agent 0, read newest first through the agent index) since
// the outage began, a minute allowed for a clock stepped back; older than
// those, it is not found, and the outage is recorded again (a start does
// not read a week of them). nullopt too when they cannot be read (logged):
// recorded twice rather than not at all.
std::optional<uint64_t> FindOutageRecord(store::Connection& db, const LogOutage& outage,
                                         std::string_view node_id);

}  // namespace vigie::audit
