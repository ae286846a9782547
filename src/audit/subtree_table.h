#pragma once
// The audit_subtree table: the hash of every complete, aligned perfect
// subtree of 2^level leaves (level >= kStoredSubtreeMinLevel) of a stored
// audit log's Merkle tree, so proofs over it cost O(log n) lookups instead of
// reading every leaf. Derived data: the writer adds a subtree's row in the
// transaction that appends its last event, `vigie audit verify` recomputes
// and compares every row. Format: docs/formats/audit-log.md.
//
// Thread-safety: uses `db` alone; one thread at a time.
// Errors: storage errors (Unavailable, Internal); DataLoss for a malformed row.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "audit/merkle_frontier.h"
#include "store/store.h"

namespace vigie::audit {

// 2^4 = 16 leaves: ~1/8 extra row per event, and a proof reads at most
// ~2 * 16 leaves below the stored levels. (Logs written when this was 8 —
// 256 leaves, the cost of a proven event in a breach report dominated by its
// 256 reads — get the lower levels backfilled by the next writer to open.)
inline constexpr uint32_t kStoredSubtreeMinLevel = 4;

// The lowest level stored before schema version 3: rows below it may be
// missing past the recorded coverage (SubtreesCoveredUpTo) until a writer
// backfills them; rows from it up never are.
inline constexpr uint32_t kStoredSubtreeMinLevelBeforeV3 = 8;

// True iff the database has the table (an older log opened read-only may not).
Result<bool> HasSubtreeTable(store::Connection& db);

// Inserts the rows. REQUIRES: inside the write transaction of the events
// that complete them. Conflict if a row exists already.
Result<void> InsertSubtrees(store::Connection& db, std::span<const CompletedSubtree> subtrees);

// The stored hash of subtree (level, index), or nullopt when there is no row.
Result<std::optional<Sha256Digest>> ReadSubtree(store::Connection& db, uint32_t level,
                                                uint64_t index);

// Appends to `found` the stored rows among `wanted` (positions; their hash
// is ignored; any order, repeats ok), a batch of indices per query. A
// position without a row is left out.
Result<void> ReadSubtrees(store::Connection& db, std::span<const CompletedSubtree> wanted,
                          std::vector<CompletedSubtree>& found);

// Every stored row, by level then index (for tests and small logs: memory
// grows with the log).
Result<std::vector<CompletedSubtree>> ReadAllSubtrees(store::Connection& db);

// Appends to `rows` the stored rows of the subtrees whose last leaf is in
// [begin, end) — those that appending those leaves completes — by level then
// index: one indexed range read per level, so verification streams the table
// alongside the events instead of holding it.
Result<void> ReadSubtreesCompletedIn(store::Connection& db, uint64_t begin, uint64_t end,
                                     std::vector<CompletedSubtree>& rows);

// A row that is not a subtree the first `size` leaves complete at a stored
// level (a forged or stray row), or nullopt.
Result<std::optional<CompletedSubtree>> FindSubtreeBeyond(store::Connection& db, uint64_t size);

// How many events the table is recorded complete for (0 without the
// table, or for a log that predates the record).
Result<uint64_t> SubtreesCoveredUpTo(store::Connection& db);

// True iff the table has every subtree the first `size` leaves complete, as
// recorded by the writers (audit_tip.subtrees_to: one row read, where
// counting the rows took 0.5 s at 10 M events on PostgreSQL). Not checked
// here: verification checks every row.
Result<bool> SubtreesCover(store::Connection& db, uint64_t size);

// The writers' record, in the transaction of events [size_before, size):
// the table now covers `size` events if it covered `size_before`.
// REQUIRES: the audit_tip row exists (it is written in the same transaction).
Result<void> RecordSubtreesCover(store::Connection& db, uint64_t size_before, uint64_t size);

// Adds the rows missing for the first `size` events, hashing them in one
// sequential pass, and records that the table covers them; returns how many
// rows it added. REQUIRES: inside a write transaction, with the audit_tip
// row written. DataLoss when an event is missing.
Result<uint64_t> BackfillSubtrees(store::Connection& db, uint64_t size);

}  // namespace vigie::audit
