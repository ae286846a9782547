#include "audit/log_tables.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

#include "audit/audit_log.h"
#include "audit/hash_chain.h"
#include "audit/merkle_hash.h"

namespace vigie::audit {
namespace {

// audit_event rows per INSERT statement (10 parameters each, well under
// SQLite's 32 766 and PostgreSQL's 65 535).
constexpr size_t kEventsPerInsert = 64;
constexpr size_t kEventColumns = 10;

std::string MultiRowEventInsert(size_t rows) {
  return "INSERT INTO audit_event (sequence, time_us, type, agent_id, unit_id, session_id, "
         "source_address, terms_hash, event, chain_hash) VALUES " +
         MultiRowValues(rows, kEventColumns);
}

Result<Sha256Digest> DigestColumn(store::Statement& row, int column, std::string_view what) {
  std::span<const uint8_t> bytes = row.ColumnBlob(column);
  Sha256Digest digest;
  if (bytes.size() != digest.size()) {
    return Fail(ErrorCode::kDataLoss, std::string(what) + " is not a SHA-256 digest");
  }
  std::memcpy(digest.data(), bytes.data(), digest.size());
  return digest;
}

Result<std::vector<Checkpoint>> CheckpointsFrom(store::Statement& row) {
  std::vector<Checkpoint> checkpoints;
  while (true) {
    ASSIGN_OR_RETURN(bool more, row.Step());
    if (!more) break;
    Checkpoint checkpoint;
    checkpoint.tree_size = static_cast<uint64_t>(row.ColumnInt(0));
    checkpoint.time_unix_micros = row.ColumnInt(1);
    ASSIGN_OR_RETURN(checkpoint.root, DigestColumn(row, 2, "a checkpoint root"));
    ASSIGN_OR_RETURN(checkpoint.chain_hash, DigestColumn(row, 3, "a checkpoint chain hash"));
    checkpoint.key_id = static_cast<uint32_t>(row.ColumnInt(4));
    std::span<const uint8_t> signature = row.ColumnBlob(5);
    if (signature.size() != checkpoint.signature.size()) {
      return Fail(ErrorCode::kDataLoss, "a checkpoint signature is not 64 bytes");
    }
    std::memcpy(checkpoint.signature.data(), signature.data(), signature.size());
    checkpoints.push_back(checkpoint);
  }
  return checkpoints;
}

}  // namespace

std::string MultiRowValues(size_t rows, size_t columns) {
  std::string values;
  for (size_t r = 0; r < rows; ++r) {
    values += r == 0 ? "(" : ", (";
    for (size_t c = 1; c <= columns; ++c) {
      values += (c == 1 ? "$" : ", $") + std::to_string(r * columns + c);
    }
    values += ")";
  }
  return values;
}

Result<std::vector<Checkpoint>> ReadCheckpoints(store::Connection& db) {
  ASSIGN_OR_RETURN(store::Statement * row,
                   db.Prepare("SELECT tree_size, time_us, root, chain_hash, key_id, signature "
                              "FROM audit_checkpoint ORDER BY tree_size"));
  return CheckpointsFrom(*row);
}

Result<std::optional<Checkpoint>> ReadLatestCheckpoint(store::Connection& db, uint64_t at_most) {
  ASSIGN_OR_RETURN(store::Statement * row,
                   db.Prepare("SELECT tree_size, time_us, root, chain_hash, key_id, signature "
                              "FROM audit_checkpoint WHERE tree_size <= $1 "
                              "ORDER BY tree_size DESC LIMIT 1"));
  row->BindInt(
      1, static_cast<int64_t>(std::min<uint64_t>(at_most, std::numeric_limits<int64_t>::max())));
  ASSIGN_OR_RETURN(std::vector<Checkpoint> latest, CheckpointsFrom(*row));
  if (latest.empty()) return std::nullopt;
  return latest.front();
}

Result<Tip> ReadTip(store::Connection& db) {
  Tip tip;
  ASSIGN_OR_RETURN(store::Statement * row,
                   db.Prepare("SELECT size, chain_hash, frontier FROM audit_tip"));
  ASSIGN_OR_RETURN(bool has_tip, row->Step());
  if (!has_tip) return tip;
  const auto size = static_cast<uint64_t>(row->ColumnInt(0));
  ASSIGN_OR_RETURN(tip.chain_hash, DigestColumn(*row, 1, "the tip's chain hash"));
  std::span<const uint8_t> blob = row->ColumnBlob(2);
  if (blob.size() % sizeof(Sha256Digest) != 0) {
    return Fail(ErrorCode::kDataLoss, "the audit log tip's frontier is malformed");
  }
  std::vector<Sha256Digest> nodes(blob.size() / sizeof(Sha256Digest));
  if (!blob.empty()) std::memcpy(nodes.data(), blob.data(), blob.size());
  auto frontier = MerkleFrontier::FromNodes(size, std::move(nodes));
  if (!frontier) return Fail(ErrorCode::kDataLoss, "the audit log tip's frontier is malformed");
  tip.frontier = std::move(*frontier);
  RETURN_IF_ERROR(row->Run());  // to its end: no read snapshot left open
  return tip;
}

Result<uint64_t> StoredEventCount(store::Connection& db) {
  ASSIGN_OR_RETURN(store::Statement * count,
                   db.Prepare("SELECT CASE WHEN max(sequence) IS NULL THEN 1 ELSE 0 END, "
                              "coalesce(max(sequence), 0) FROM audit_event"));
  ASSIGN_OR_RETURN(bool counted, count->Step());
  const bool empty = !counted || count->ColumnInt(0) == 1;
  const int64_t highest = empty ? -1 : count->ColumnInt(1);
  RETURN_IF_ERROR(count->Run());  // to its end: no read snapshot left open
  if (highest == std::numeric_limits<int64_t>::max()) {
    return Fail(ErrorCode::kDataLoss, "a stored event has sequence " + std::to_string(highest) +
                                          ", which no event of the log has (it was inserted)");
  }
  return static_cast<uint64_t>(std::max<int64_t>(highest, -1) + 1);
}

Result<void> CheckTipMatchesLastEvents(store::Connection& db, const Tip& tip) {
  const uint64_t size = tip.frontier.size();
  if (size == 0) return {};
  ASSIGN_OR_RETURN(store::Statement * rows,
                   db.Prepare("SELECT sequence, event, chain_hash FROM audit_event "
                              "WHERE sequence >= $1 ORDER BY sequence"));
  rows->BindInt(1, static_cast<int64_t>(size >= 2 ? size - 2 : 0));
  auto mismatch = [] {
    return Fail(ErrorCode::kDataLoss,
                "the audit log's last events do not match its tip; run `vigie audit verify`");
  };
  Sha256Digest previous_chain = kGenesisChainHash;
  std::vector<Sha256Digest> leaves;  // of the last one or two events, in order
  uint64_t expected = size >= 2 ? size - 2 : 0;
  while (true) {
    ASSIGN_OR_RETURN(bool more, rows->Step());
    if (!more) break;
    if (static_cast<uint64_t>(rows->ColumnInt(0)) != expected++) return mismatch();
    std::span<const uint8_t> event = rows->ColumnBlob(1);
    ASSIGN_OR_RETURN(Sha256Digest stored_chain, DigestColumn(*rows, 2, "an event's chain hash"));
    // The first of two rows only gives the chain its start.
    if (expected == size && ChainHash(previous_chain, event) != stored_chain) return mismatch();
    previous_chain = stored_chain;
    leaves.push_back(AuditEventLeafHash(event));
  }
  if (expected != size || previous_chain != tip.chain_hash) return mismatch();
  // The smallest subtree covers 2^k leaves, k the lowest set bit of size.
  const Sha256Digest& smallest = tip.frontier.nodes().back();
  if (size % 2 == 1 && leaves.back() != smallest) return mismatch();
  if (size % 4 == 2 && MerkleNodeHash(leaves[0], leaves[1]) != smallest) return mismatch();
  return {};
}

Result<void> WriteTip(store::Connection& db, uint64_t size, const Tip& tip) {
  std::vector<uint8_t> frontier;
  for (const Sha256Digest& node : tip.frontier.nodes()) {
    frontier.insert(frontier.end(), node.begin(), node.end());
  }
  ASSIGN_OR_RETURN(store::Statement * upsert,
                   db.Prepare("INSERT INTO audit_tip (id, size, chain_hash, frontier) "
                              "VALUES (1, $1, $2, $3) ON CONFLICT (id) DO UPDATE SET "
                              "size = excluded.size, chain_hash = excluded.chain_hash, "
                              "frontier = excluded.frontier"));
  upsert->BindInt(1, static_cast<int64_t>(size)).BindBlob(2, tip.chain_hash).BindBlob(3, frontier);
  RETURN_IF_ERROR(upsert->Run());
  return {};
}

// Writes the batch's event rows, kEventsPerInsert to a statement: on
// PostgreSQL each statement is a round trip, and one per event was most
// of a batch's time.
Result<void> InsertEvents(store::Connection& db, std::span<const EventRow> rows) {
  while (!rows.empty()) {
    const size_t count = std::min(kEventsPerInsert, rows.size());
    ASSIGN_OR_RETURN(store::Statement * insert, db.Prepare(MultiRowEventInsert(count)));
    for (size_t r = 0; r < count; ++r) {
      const AuditEvent& event = *rows[r].event;
      const int p = static_cast<int>(r * kEventColumns);
      insert->BindInt(p + 1, static_cast<int64_t>(event.sequence))
          .BindInt(p + 2, event.time_unix_micros)
          .BindInt(p + 3, static_cast<int64_t>(event.type))
          .BindInt(p + 4, event.actor.agent_id)
          .BindInt(p + 5, event.actor.unit_id)
          .BindInt(p + 6, event.session_id)
          .BindText(p + 7, event.source_address)
          .BindBlob(p + 9, rows[r].encoded)
          .BindBlob(p + 10, rows[r].chain_hash);
      if (event.query.terms_keyed_hash.empty()) {
        insert->BindNull(p + 8);
      } else {
        insert->BindBlob(p + 8, event.query.terms_keyed_hash);
      }
    }
    RETURN_IF_ERROR(insert->Run());
    rows = rows.subspan(count);
  }
  return {};
}

Result<void> InsertCheckpoint(store::Connection& db, const Checkpoint& checkpoint) {
  ASSIGN_OR_RETURN(store::Statement * insert,
                   db.Prepare("INSERT INTO audit_checkpoint (tree_size, time_us, root, "
                              "chain_hash, key_id, signature) VALUES ($1, $2, $3, $4, $5, $6)"));
  insert->BindInt(1, static_cast<int64_t>(checkpoint.tree_size))
      .BindInt(2, checkpoint.time_unix_micros)
      .BindBlob(3, checkpoint.root)
      .BindBlob(4, checkpoint.chain_hash)
      .BindInt(5, checkpoint.key_id)
      .BindBlob(6, checkpoint.signature);
  RETURN_IF_ERROR(insert->Run());
  return {};
}

Result<AppendLock> AppendLock::Take(store::Connection& db) {
  if (db.dialect() != store::Dialect::kPostgres) return AppendLock(nullptr);
  RETURN_IF_ERROR(db.ExecuteScript("SELECT pg_advisory_lock(" + std::string(kKey) + ")"));
  return AppendLock(&db);
}

AppendLock::~AppendLock() {
  if (db_ != nullptr) {
    (void)db_->ExecuteScript("SELECT pg_advisory_unlock(" + std::string(kKey) + ")");
  }
}

Result<void> CapLogSize(store::Connection& db, int64_t mib) {
  if (db.dialect() != store::Dialect::kSqlite) return {};
  constexpr int64_t kUncappedPages = 4294967294;  // SQLite's own ceiling: "no cap"
  int64_t pages = kUncappedPages;
  if (mib > 0) {
    ASSIGN_OR_RETURN(store::Statement * page_size, db.Prepare("PRAGMA page_size"));
    ASSIGN_OR_RETURN(bool ok, page_size->Step());
    const int64_t bytes = ok && page_size->ColumnInt(0) > 0 ? page_size->ColumnInt(0) : 4096;
    pages = mib * 1024 * 1024 / bytes;
  }
  return db.ExecuteScript("PRAGMA max_page_count = " + std::to_string(pages));
}

}  // namespace vigie::audit
