#include "audit/log_opening.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "audit/audit_log.h"
#include "audit/event_search.h"
#include "audit/log_tables.h"
#include "audit/person_index.h"
#include "audit/subtree_table.h"
#include "core/log.h"

namespace vigie::audit {
namespace {

// A log written before the audit_subtree table (or behind it) gets its
// rows once, here: one sequential pass over the events, in one transaction
// so a concurrent writer cannot append meanwhile.
Result<void> BackfillSubtreesIfBehind(store::Connection& db) {
  ASSIGN_OR_RETURN(store::Transaction write, store::Transaction::Begin(db));
  ASSIGN_OR_RETURN(Tip tip, ReadTip(db));
  // The recorded coverage itself, not SubtreesCover: that calls a log of
  // fewer than 16 events covered, and the coverage a migration left at 0
  // under one would never be moved on by the appends (they move it on only
  // from where the previous append left it).
  ASSIGN_OR_RETURN(uint64_t covered_to, SubtreesCoveredUpTo(db));
  if (covered_to >= tip.frontier.size()) return {};  // rolls back: nothing written
  ASSIGN_OR_RETURN(uint64_t added, BackfillSubtrees(db, tip.frontier.size()));
  RETURN_IF_ERROR(write.Commit());
  Log(LogLevel::kInfo, "audit_subtrees_backfilled",
      {{"size", tip.frontier.size()}, {"rows", added}});
  return {};
}

Result<OpenedLog> ReadStoredLog(store::Connection& db) {
  ASSIGN_OR_RETURN(AppendLock lock, AppendLock::Take(db));
  RETURN_IF_ERROR(BackfillSubtreesIfBehind(db));
  // One snapshot: on SQLite the append lock is no lock, and a process
  // committing between the tip's read and the events' count would look
  // like tampering.
  ASSIGN_OR_RETURN(store::Transaction read, store::Transaction::BeginRead(db));
  ASSIGN_OR_RETURN(Tip tip, ReadTip(db));
  OpenedLog opened{.size = tip.frontier.size()};
  ASSIGN_OR_RETURN(const uint64_t stored, StoredEventCount(db));
  if (stored != opened.size) {
    return Fail(ErrorCode::kDataLoss,
                "the audit log's recorded size does not match its events; run `vigie audit "
                "verify`");
  }
  RETURN_IF_ERROR(CheckTipMatchesLastEvents(db, tip));
  // Only the latest: there are millions after some years, and this runs
  // under the append lock every node waits on.
  ASSIGN_OR_RETURN(std::optional<Checkpoint> latest, ReadLatestCheckpoint(db, opened.size));
  if (latest) opened.last_checkpoint_size = latest->tree_size;
  ASSIGN_OR_RETURN(opened.person_indexed, PersonIndexBuiltUpTo(db));
  RETURN_IF_ERROR(read.Commit());
  return opened;
}

}  // namespace

Result<OpenedLog> OpenStoredLog(store::Connection& db) {
  const auto give_up = std::chrono::steady_clock::now() + kOpenPatience;
  Result<OpenedLog> opened = ReadStoredLog(db);
  if (!opened && opened.error().code() == ErrorCode::kUnavailable) {
    Log(LogLevel::kWarn, "audit_log_open_waiting", {{"error", opened.error().message()}});
  }
  while (!opened && opened.error().code() == ErrorCode::kUnavailable &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    opened = ReadStoredLog(db);
  }
  return opened;
}

std::optional<uint64_t> FindOutageRecord(store::Connection& db, const LogOutage& outage,
                                         std::string_view node_id) {
  constexpr size_t kLatestSystemEvents = 4096;
  constexpr int64_t kClockSlackMicros = 60'000'000;
  auto latest = FindEvents(db, {.agent_id = 0,
                                .since_unix_micros = std::max<int64_t>(
                                    outage.since_unix_micros() - kClockSlackMicros, 1),
                                .limit = kLatestSystemEvents,
                                .newest_first = true});
  if (!latest) {
    Log(LogLevel::kWarn, "audit_outage_record_unknown", {{"error", latest.error().message()}});
    return std::nullopt;
  }
  for (const AuditEvent& event : *latest) {
    if (event.node_id == node_id && outage.RecordedBy(event)) return event.sequence;
  }
  return std::nullopt;
}

}  // namespace vigie::audit
