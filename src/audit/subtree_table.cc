#include "audit/subtree_table.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

#include "audit/event_scan.h"
#include "audit/hash_chain.h"

namespace vigie::audit {
namespace {

std::unexpected<Error> ImpossiblePosition() {
  return Fail(ErrorCode::kDataLoss, "a stored Merkle subtree has an impossible position");
}

std::string MultiRowInsert(size_t rows) {
  std::string sql = "INSERT INTO audit_subtree (level, idx, hash) VALUES ";
  for (size_t i = 0; i < rows; ++i) {
    const size_t p = 3 * i + 1;
    sql += (i == 0 ? "($" : ", ($") + std::to_string(p) + ", $" + std::to_string(p + 1) + ", $" +
           std::to_string(p + 2) + ")";
  }
  return sql;
}

Result<Sha256Digest> HashColumn(store::Statement& row, int column) {
  std::span<const uint8_t> bytes = row.ColumnBlob(column);
  Sha256Digest hash;
  if (bytes.size() != hash.size()) {
    return Fail(ErrorCode::kDataLoss, "a stored Merkle subtree hash is not 32 bytes");
  }
  std::memcpy(hash.data(), bytes.data(), hash.size());
  return hash;
}

}  // namespace

Result<bool> HasSubtreeTable(store::Connection& db) {
  ASSIGN_OR_RETURN(
      store::Statement * row,
      db.Prepare(db.dialect() == store::Dialect::kSqlite
                     ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                       "name = 'audit_subtree'"
                     : "SELECT count(*) FROM pg_catalog.pg_tables WHERE "
                       "schemaname = current_schema() AND tablename = 'audit_subtree'"));
  ASSIGN_OR_RETURN(bool counted, row->Step());
  const bool has = counted && row->ColumnInt(0) > 0;
  RETURN_IF_ERROR(row->Run());
  return has;
}

Result<void> InsertSubtrees(store::Connection& db, std::span<const CompletedSubtree> subtrees) {
  // Several rows per statement: a batch of events completes about one row per
  // 8 events, and on PostgreSQL each statement is a round trip.
  constexpr size_t kRowsPerInsert = 32;
  static const std::string kFull = MultiRowInsert(kRowsPerInsert);
  while (!subtrees.empty()) {
    const size_t rows = std::min(kRowsPerInsert, subtrees.size());
    ASSIGN_OR_RETURN(store::Statement * insert,
                     db.Prepare(rows == kRowsPerInsert ? kFull : MultiRowInsert(rows)));
    for (size_t i = 0; i < rows; ++i) {
      const int first = static_cast<int>(3 * i + 1);
      insert->BindInt(first, subtrees[i].level)
          .BindInt(first + 1, static_cast<int64_t>(subtrees[i].index))
          .BindBlob(first + 2, subtrees[i].hash);
    }
    RETURN_IF_ERROR(insert->Run());
    subtrees = subtrees.subspan(rows);
  }
  return {};
}

Result<std::optional<Sha256Digest>> ReadSubtree(store::Connection& db, uint32_t level,
                                                uint64_t index) {
  ASSIGN_OR_RETURN(store::Statement * row,
                   db.Prepare("SELECT hash FROM audit_subtree WHERE level = $1 AND idx = $2"));
  row->BindInt(1, level).BindInt(2, static_cast<int64_t>(index));
  ASSIGN_OR_RETURN(bool found, row->Step());
  if (!found) return std::nullopt;
  ASSIGN_OR_RETURN(Sha256Digest hash, HashColumn(*row, 0));
  RETURN_IF_ERROR(row->Run());  // the single row is done
  return hash;
}

namespace {

// PostgreSQL: the positions as two arrays, one statement per batch of
// thousands. LIMIT keeps the planner from turning the lateral lookups into
// a join over the whole table.
Result<void> ReadSubtreesByArrays(store::Connection& db,
                                  std::span<const std::pair<uint32_t, uint64_t>> positions,
                                  std::vector<CompletedSubtree>& found) {
  constexpr size_t kPositionsPerQuery = 8192;
  std::vector<int64_t> levels, indices;
  for (size_t first = 0; first < positions.size(); first += kPositionsPerQuery) {
    const size_t end = std::min(first + kPositionsPerQuery, positions.size());
    levels.clear();
    indices.clear();
    for (size_t i = first; i < end; ++i) {
      levels.push_back(positions[i].first);
      indices.push_back(static_cast<int64_t>(positions[i].second));
    }
    ASSIGN_OR_RETURN(store::Statement * rows,
                     db.Prepare("SELECT w.level, w.idx, s.hash FROM unnest($1::bigint[], "
                                "$2::bigint[]) AS w(level, idx) CROSS JOIN LATERAL (SELECT hash "
                                "FROM audit_subtree WHERE level = w.level AND idx = w.idx "
                                "LIMIT 1) s ORDER BY w.level, w.idx"));
    rows->BindText(1, store::PostgresArrayLiteral(levels))
        .BindText(2, store::PostgresArrayLiteral(indices));
    while (true) {
      ASSIGN_OR_RETURN(bool more, rows->Step());
      if (!more) break;
      ASSIGN_OR_RETURN(Sha256Digest hash, HashColumn(*rows, 2));
      found.push_back({static_cast<uint32_t>(rows->ColumnInt(0)),
                       static_cast<uint64_t>(rows->ColumnInt(1)), hash});
    }
  }
  return {};
}

// SQLite: no round trips; a level and a list of placeholders per statement.
Result<void> ReadSubtreesByLists(store::Connection& db,
                                 std::span<const std::pair<uint32_t, uint64_t>> positions,
                                 std::vector<CompletedSubtree>& found) {
  // One statement for every batch: a short last batch repeats its last index.
  constexpr size_t kIndicesPerQuery = 64;
  static const std::string kSql = [] {
    std::string sql = "SELECT idx, hash FROM audit_subtree WHERE level = $1 AND idx IN ($2";
    for (size_t i = 1; i < kIndicesPerQuery; ++i) sql += ", $" + std::to_string(i + 2);
    return sql + ") ORDER BY idx";
  }();
  for (size_t first = 0; first < positions.size();) {
    const uint32_t level = positions[first].first;
    size_t last = first;  // of this batch: same level, at most kIndicesPerQuery
    while (last + 1 < positions.size() && positions[last + 1].first == level &&
           last + 1 - first < kIndicesPerQuery) {
      ++last;
    }
    ASSIGN_OR_RETURN(store::Statement * rows, db.Prepare(kSql));
    rows->BindInt(1, level);
    for (size_t i = 0; i < kIndicesPerQuery; ++i) {
      rows->BindInt(static_cast<int>(i + 2),
                    static_cast<int64_t>(positions[std::min(first + i, last)].second));
    }
    while (true) {
      ASSIGN_OR_RETURN(bool more, rows->Step());
      if (!more) break;
      ASSIGN_OR_RETURN(Sha256Digest hash, HashColumn(*rows, 1));
      found.push_back({level, static_cast<uint64_t>(rows->ColumnInt(0)), hash});
    }
    first = last + 1;
  }
  return {};
}

}  // namespace

Result<void> ReadSubtrees(store::Connection& db, std::span<const CompletedSubtree> wanted,
                          std::vector<CompletedSubtree>& found) {
  std::vector<std::pair<uint32_t, uint64_t>> positions;
  positions.reserve(wanted.size());
  for (const CompletedSubtree& node : wanted) {
    if (node.level > 63 || node.index > uint64_t{std::numeric_limits<int64_t>::max()}) continue;
    positions.emplace_back(node.level, node.index);
  }
  std::sort(positions.begin(), positions.end());
  positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
  return db.dialect() == store::Dialect::kPostgres ? ReadSubtreesByArrays(db, positions, found)
                                                   : ReadSubtreesByLists(db, positions, found);
}

Result<std::vector<CompletedSubtree>> ReadAllSubtrees(store::Connection& db) {
  ASSIGN_OR_RETURN(store::Statement * row,
                   db.Prepare("SELECT level, idx, hash FROM audit_subtree ORDER BY level, idx"));
  std::vector<CompletedSubtree> subtrees;
  while (true) {
    ASSIGN_OR_RETURN(bool more, row->Step());
    if (!more) break;
    const int64_t level = row->ColumnInt(0), index = row->ColumnInt(1);
    if (level < 0 || level > 63 || index < 0) return ImpossiblePosition();
    ASSIGN_OR_RETURN(Sha256Digest hash, HashColumn(*row, 2));
    subtrees.push_back({static_cast<uint32_t>(level), static_cast<uint64_t>(index), hash});
  }
  return subtrees;
}

Result<void> ReadSubtreesCompletedIn(store::Connection& db, uint64_t begin, uint64_t end,
                                     std::vector<CompletedSubtree>& rows) {
  // Subtree (level, i) ends at leaf ((i + 1) << level) - 1, inside the range
  // iff begin >> level <= i < end >> level; none at a level means none above.
  for (uint32_t level = kStoredSubtreeMinLevel; level < 64 && (end >> level) > (begin >> level);
       ++level) {
    ASSIGN_OR_RETURN(store::Statement * row,
                     db.Prepare("SELECT idx, hash FROM audit_subtree WHERE level = $1 AND "
                                "idx >= $2 AND idx < $3 ORDER BY idx"));
    row->BindInt(1, level)
        .BindInt(2, static_cast<int64_t>(begin >> level))
        .BindInt(3, static_cast<int64_t>(end >> level));
    while (true) {
      ASSIGN_OR_RETURN(bool more, row->Step());
      if (!more) break;
      ASSIGN_OR_RETURN(Sha256Digest hash, HashColumn(*row, 1));
      rows.push_back({level, static_cast<uint64_t>(row->ColumnInt(0)), hash});
    }
  }
  return {};
}

Result<std::optional<CompletedSubtree>> FindSubtreeBeyond(store::Connection& db, uint64_t size) {
  // `level > 63` first: no shift by it is evaluated in a way that matters.
  ASSIGN_OR_RETURN(store::Statement * row,
                   db.Prepare("SELECT level, idx FROM audit_subtree WHERE level < $1 OR "
                              "level > 63 OR idx < 0 OR "
                              "idx >= (CAST($2 AS BIGINT) >> CAST(level AS INTEGER)) "
                              "ORDER BY level, idx LIMIT 1"));
  row->BindInt(1, kStoredSubtreeMinLevel).BindInt(2, static_cast<int64_t>(size));
  ASSIGN_OR_RETURN(bool found, row->Step());
  if (!found) return std::nullopt;
  const int64_t level = row->ColumnInt(0), index = row->ColumnInt(1);
  RETURN_IF_ERROR(row->Run());
  if (level < 0 || level > 63 || index < 0) return ImpossiblePosition();
  return CompletedSubtree{static_cast<uint32_t>(level), static_cast<uint64_t>(index), {}};
}

Result<uint64_t> SubtreesCoveredUpTo(store::Connection& db) {
  ASSIGN_OR_RETURN(bool has_table, HasSubtreeTable(db));
  if (!has_table) return 0;
  // A log opened read-only may predate the column (schema version 3).
  ASSIGN_OR_RETURN(store::Statement * version,
                   db.Prepare("SELECT count(*) FROM schema_version WHERE version = 3"));
  ASSIGN_OR_RETURN(bool versioned, version->Step());
  const bool has_column = versioned && version->ColumnInt(0) > 0;
  RETURN_IF_ERROR(version->Run());
  if (!has_column) return 0;
  ASSIGN_OR_RETURN(store::Statement * tip, db.Prepare("SELECT subtrees_to FROM audit_tip"));
  ASSIGN_OR_RETURN(bool has_tip, tip->Step());
  const int64_t covered = has_tip ? tip->ColumnInt(0) : 0;
  RETURN_IF_ERROR(tip->Run());
  return static_cast<uint64_t>(std::max<int64_t>(covered, 0));
}

Result<bool> SubtreesCover(store::Connection& db, uint64_t size) {
  if (size >> kStoredSubtreeMinLevel == 0) return true;
  ASSIGN_OR_RETURN(uint64_t covered, SubtreesCoveredUpTo(db));
  return covered >= size;
}

Result<void> RecordSubtreesCover(store::Connection& db, uint64_t size_before, uint64_t size) {
  ASSIGN_OR_RETURN(store::Statement * update,
                   db.Prepare("UPDATE audit_tip SET subtrees_to = $2 WHERE subtrees_to = $1"));
  update->BindInt(1, static_cast<int64_t>(size_before)).BindInt(2, static_cast<int64_t>(size));
  RETURN_IF_ERROR(update->Run());
  return {};
}

Result<uint64_t> BackfillSubtrees(store::Connection& db, uint64_t size) {
  MerkleFrontier frontier;
  std::vector<CompletedSubtree> completed;
  auto missing = [&] {
    return Fail(ErrorCode::kDataLoss, "audit event " + std::to_string(frontier.size()) +
                                          " is missing; run `vigie audit verify`");
  };
  RETURN_IF_ERROR(ScanEvents(db, EventColumns::kEvent, 0, size,
                             [&](store::Statement& row) -> Result<bool> {
                               if (static_cast<uint64_t>(row.ColumnInt(0)) != frontier.size()) {
                                 return missing();
                               }
                               frontier.Append(AuditEventLeafHash(row.ColumnBlob(1)),
                                               kStoredSubtreeMinLevel, completed);
                               return true;
                             }));
  if (frontier.size() < size) return missing();
  ASSIGN_OR_RETURN(store::Statement * record,
                   db.Prepare("UPDATE audit_tip SET subtrees_to = $1 WHERE subtrees_to < $1"));
  record->BindInt(1, static_cast<int64_t>(size));
  RETURN_IF_ERROR(record->Run());
  // Inserted after the scan; a subtree already stored is left alone
  // (verification compares it).
  uint64_t added = 0;
  for (const CompletedSubtree& subtree : completed) {
    ASSIGN_OR_RETURN(store::Statement * insert,
                     db.Prepare("INSERT INTO audit_subtree (level, idx, hash) "
                                "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"));
    insert->BindInt(1, subtree.level)
        .BindInt(2, static_cast<int64_t>(subtree.index))
        .BindBlob(3, subtree.hash);
    ASSIGN_OR_RETURN(int64_t changed, insert->Run());
    added += static_cast<uint64_t>(changed);
  }
  return added;
}

}  // namespace vigie::audit
