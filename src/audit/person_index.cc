#include "audit/person_index.h"

#include <algorithm>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "audit/audit_event_codec.h"
#include "audit/event_scan.h"
#include "audit/log_tables.h"
#include "audit/person_chunk.h"

namespace vigie::audit {
namespace {

struct Range {
  uint64_t from = 0;  // first event not indexed
  uint64_t to = 0;    // the log's size
};

Result<Range> Unindexed(store::Connection& db) {
  ASSIGN_OR_RETURN(store::Statement * tip,
                   db.Prepare("SELECT person_indexed, size FROM audit_tip"));
  ASSIGN_OR_RETURN(bool has_tip, tip->Step());
  Range range;
  if (has_tip) {
    range = {static_cast<uint64_t>(tip->ColumnInt(0)), static_cast<uint64_t>(tip->ColumnInt(1))};
  }
  RETURN_IF_ERROR(tip->Run());  // to its end: no read snapshot left open
  return range;
}

// Chunks go in kChunksPerInsert at a time: on PostgreSQL each statement is
// a round trip.
constexpr size_t kChunksPerInsert = 32;
constexpr size_t kChunkColumns = 4;

std::string MultiRowInsert(size_t rows) {
  return "INSERT INTO audit_person_chunk (segment, first_person, last_person, pairs) VALUES " +
         MultiRowValues(rows, kChunkColumns) + " ON CONFLICT DO NOTHING";
}

Result<void> InsertChunks(store::Connection& db, int64_t segment,
                          std::span<const PersonChunk> chunks) {
  static const std::string kFull = MultiRowInsert(kChunksPerInsert);
  while (!chunks.empty()) {
    const size_t rows = std::min(kChunksPerInsert, chunks.size());
    ASSIGN_OR_RETURN(store::Statement * insert,
                     db.Prepare(rows == kChunksPerInsert ? kFull : MultiRowInsert(rows)));
    for (size_t r = 0; r < rows; ++r) {
      const int p = static_cast<int>(r * kChunkColumns);
      insert->BindInt(p + 1, segment)
          .BindInt(p + 2, chunks[r].first_person)
          .BindInt(p + 3, chunks[r].last_person)
          .BindBlob(p + 4, chunks[r].pairs);
    }
    RETURN_IF_ERROR(insert->Run());
    chunks = chunks.subspan(rows);
  }
  return {};
}

// Inside the caller's write transaction. At most kMaxSegmentEvents at once,
// so catching up a long unindexed stretch (an index rebuilt after an
// upgrade) holds bounded memory.
Result<uint64_t> IndexRange(store::Connection& db) {
  ASSIGN_OR_RETURN(Range range, Unindexed(db));
  if (range.from >= range.to) return range.to;
  range.to = std::min(range.to, range.from + kMaxSegmentEvents);
  std::vector<PersonAccess> accesses;
  RETURN_IF_ERROR(ScanEvents(db, EventColumns::kEvent, range.from, range.to,
                             [&](store::Statement& row) -> Result<bool> {
                               ASSIGN_OR_RETURN(AuditEvent event,
                                                DecodeAuditEvent(row.ColumnBlob(1)));
                               for (int64_t person : event.person_ids) {
                                 accesses.push_back({person, event.sequence});
                               }
                               return true;
                             }));
  std::sort(accesses.begin(), accesses.end());
  // An event naming a person twice is one access.
  accesses.erase(std::unique(accesses.begin(), accesses.end()), accesses.end());
  const auto segment = static_cast<int64_t>(range.from);
  RETURN_IF_ERROR(InsertChunks(db, segment, ChunkAccesses(accesses, range.from)));
  ASSIGN_OR_RETURN(store::Statement * add,
                   db.Prepare("INSERT INTO audit_person_segment (segment) VALUES ($1) "
                              "ON CONFLICT DO NOTHING"));
  add->BindInt(1, segment);
  RETURN_IF_ERROR(add->Run());
  ASSIGN_OR_RETURN(store::Statement * advance,
                   db.Prepare("UPDATE audit_tip SET person_indexed = $1"));
  advance->BindInt(1, static_cast<int64_t>(range.to));
  RETURN_IF_ERROR(advance->Run());
  return range.to;
}

}  // namespace

Result<uint64_t> PersonIndexedUpTo(store::Connection& db) {
  ASSIGN_OR_RETURN(Range range, Unindexed(db));
  return range.from;
}

Result<uint64_t> ExtendPersonIndex(store::Connection& db) {
  RETURN_IF_ERROR(db.Begin());
  auto indexed = IndexRange(db);
  if (!indexed) {
    (void)db.Rollback();
    return indexed;
  }
  RETURN_IF_ERROR(db.Commit());
  return indexed;
}

Result<std::vector<uint64_t>> IndexedAccessesOf(store::Connection& db, int64_t person_id) {
  // Per segment, the one chunk that can hold the person: the largest first
  // person not above it (an index seek), kept if its last person reaches it.
  // SQLite's CROSS JOIN keeps the segments as the outer loop.
  const std::string sql = std::string(
                              "SELECT c.segment, c.first_person, c.last_person, c.pairs "
                              "FROM audit_person_segment s ") +
                          (db.dialect() == store::Dialect::kSqlite ? "CROSS JOIN" : "JOIN") +
                          " audit_person_chunk c ON c.segment = s.segment AND c.first_person = "
                          "(SELECT max(m.first_person) FROM audit_person_chunk m "
                          "WHERE m.segment = s.segment AND m.first_person <= $1) "
                          "WHERE c.last_person >= $1 ORDER BY c.segment";
  ASSIGN_OR_RETURN(store::Statement * rows, db.Prepare(sql));
  rows->BindInt(1, person_id);
  std::vector<uint64_t> sequences;
  PersonChunk chunk;
  while (true) {
    ASSIGN_OR_RETURN(bool more, rows->Step());
    if (!more) break;
    const auto segment = static_cast<uint64_t>(rows->ColumnInt(0));
    chunk.first_person = rows->ColumnInt(1);
    chunk.last_person = rows->ColumnInt(2);
    std::span<const uint8_t> pairs = rows->ColumnBlob(3);
    chunk.pairs.assign(pairs.begin(), pairs.end());
    RETURN_IF_ERROR(AccessesOf(chunk, segment, person_id, sequences));
  }
  return sequences;
}

}  // namespace vigie::audit
