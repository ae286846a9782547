#pragma once
// The audit log's own tables as its writer uses them, inside the writer's
// transaction: the tip (size, chain hash, Merkle frontier), event rows,
// checkpoint rows, and the append lock that keeps one appender at a time
// across nodes; and, outside any transaction, SQLite's cap on the log's
// size. No state of their own; the schema is audit_schema.cc's.
//
// Errors: storage errors; DataLoss when a stored tip or checkpoint is
// malformed.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "audit/audit_event.h"
#include "audit/checkpoint.h"
#include "audit/hash_chain.h"
#include "audit/merkle_frontier.h"
#include "core/error.h"
#include "store/store.h"

namespace vigie::audit {

// "($1, $2, ...), (...)": the VALUES of a multi-row INSERT of `rows` rows of
// `columns` parameters each, numbered from $1 row by row.
std::string MultiRowValues(size_t rows, size_t columns);

// The log's end: what the next event chains to and extends.
struct Tip {
  Sha256Digest chain_hash = kGenesisChainHash;
  MerkleFrontier frontier;
};

// The stored tip; an empty log's when there is none. Read inside each write
// transaction, so several processes (the server and an administrator's
// command, or several nodes) append to one log safely.
Result<Tip> ReadTip(store::Connection& db);
Result<void> WriteTip(store::Connection& db, uint64_t size, const Tip& tip);

// DataLoss unless the last stored event extends the chain to the tip's chain
// hash, and its leaf (with the one before it) is the frontier's smallest
// subtree when that subtree holds one or two leaves. A cheap check when a
// log is opened: appending on a tip whose last events were changed or
// deleted would hide the damage until a full `vigie audit verify`.
Result<void> CheckTipMatchesLastEvents(store::Connection& db, const Tip& tip);

// The number of events the stored rows make: the largest sequence plus one
// (0 for none; rows below 0 are no events of the log: `vigie audit verify`
// names them). DataLoss for a row numbered 2^63 - 1, whose successor would
// overflow in SQL (an error on PostgreSQL, a float on SQLite) and be no
// size at all.
Result<uint64_t> StoredEventCount(store::Connection& db);

// One stored event: the encoding and chain hash the batch computed for it.
struct EventRow {
  const AuditEvent* event;
  std::vector<uint8_t> encoded;
  Sha256Digest chain_hash;
};

// Writes the rows in multi-row statements.
Result<void> InsertEvents(store::Connection& db, std::span<const EventRow> rows);

Result<void> InsertCheckpoint(store::Connection& db, const Checkpoint& checkpoint);

// Caps the log's database at `mib` MiB (0: no cap), beyond which appends
// fail (and consultations are refused). SQLite only: a PostgreSQL server's
// disk is the DBA's to cap, and nothing is done there.
Result<void> CapLogSize(store::Connection& db, int64_t mib);

// One appender at a time for the whole portal. On PostgreSQL, several nodes
// append to one log: each takes this session lock before its transaction
// begins, so the transaction's snapshot already holds the previous
// appender's commit and the batch extends the tip it wrote (a lock taken
// inside a SERIALIZABLE transaction would only turn the race into
// serialization failures). On SQLite, BEGIN IMMEDIATE is that lock already.
// Released by the destructor, or by the server if the connection drops.
// A connection lost and made again between Take and the transaction loses
// the lock unseen: two appenders may then race, and the sequence's primary
// key and SERIALIZABLE fail one of them (its batch refused, as in an outage),
// so the chain never forks.
class AppendLock {
 public:
  static Result<AppendLock> Take(store::Connection& db);
  AppendLock(AppendLock&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  AppendLock& operator=(AppendLock&&) = delete;
  ~AppendLock();

 private:
  // Keyed by the log's schema too: logs in other schemas of one database
  // (another portal, a test) never wait on each other.
  static constexpr std::string_view kKey = "435526134, hashtext(current_schema())";
  explicit AppendLock(store::Connection* db) : db_(db) {}
  store::Connection* db_;
};

}  // namespace vigie::audit
