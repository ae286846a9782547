#include "audit/person_index.h"

#include <algorithm>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "audit/audit_event_codec.h"
#include "audit/event_scan.h"
#include "audit/log_tables.h"
#include "audit/person_chunk.h"
#include "core/log.h"

namespace vigie::audit {
namespace {

struct Range {
  uint64_t from = 0;  // first event not indexed
  uint64_t to = 0;    // the log's size
};

// The audit schema version that brought the chunks. A read-only command
// (`vigie audit search`, a breach report) may open a log no writer of this
// release has migrated yet: it has no chunks, and its old rows answer.
constexpr int kChunksSchemaVersion = 4;

// Where the chunks end, where the legacy index ends (a row per access,
// schema versions 1-3, still extended by nodes of those releases), and the
// log's size.
struct Boundaries {
  bool has_chunks = false;
  uint64_t chunked = 0;
  uint64_t legacy_to = 0;
  uint64_t size = 0;
};

// Whether the log may be older than the chunks: only a read-only reader
// can meet one (every writer migrates first), so only readers ask, and the
// writer's extension after each batch pays no schema lookup.
enum class Schema { kMigrated, kMaybeOlder };

Result<Boundaries> ReadBoundaries(store::Connection& db, Schema schema) {
  bool has_chunks = true;
  if (schema == Schema::kMaybeOlder) {
    ASSIGN_OR_RETURN(int version, store::SchemaVersion(db));
    has_chunks = version >= kChunksSchemaVersion;
  }
  ASSIGN_OR_RETURN(store::Statement * tip,
                   db.Prepare(has_chunks
                                  ? "SELECT person_chunked, person_indexed, size FROM audit_tip"
                                  : "SELECT 0, person_indexed, size FROM audit_tip"));
  ASSIGN_OR_RETURN(bool has_tip, tip->Step());
  Boundaries read{.has_chunks = has_chunks};
  if (has_tip) {
    read.chunked = static_cast<uint64_t>(tip->ColumnInt(0));
    read.legacy_to = static_cast<uint64_t>(tip->ColumnInt(1));
    read.size = static_cast<uint64_t>(tip->ColumnInt(2));
  }
  RETURN_IF_ERROR(tip->Run());  // to its end: no read snapshot left open
  return read;
}

Result<Range> Unindexed(store::Connection& db) {
  ASSIGN_OR_RETURN(Boundaries read, ReadBoundaries(db, Schema::kMigrated));
  return Range{read.chunked, read.size};
}

// The legacy index's accesses of `person_id` in [from, to), in order.
Result<void> LegacyAccessesOf(store::Connection& db, int64_t person_id, uint64_t from, uint64_t to,
                              std::vector<uint64_t>& sequences) {
  ASSIGN_OR_RETURN(
      store::Statement * rows,
      db.Prepare(std::string("SELECT a.sequence FROM audit_person_segment s ") +
                 (db.dialect() == store::Dialect::kSqlite ? "CROSS JOIN" : "JOIN") +
                 " audit_person_access a ON a.segment = s.segment AND a.person_id = $1 "
                 "WHERE a.sequence >= $2 AND a.sequence < $3 ORDER BY a.sequence"));
  rows->BindInt(1, person_id)
      .BindInt(2, static_cast<int64_t>(from))
      .BindInt(3, static_cast<int64_t>(to));
  while (true) {
    ASSIGN_OR_RETURN(bool more, rows->Step());
    if (!more) break;
    sequences.push_back(static_cast<uint64_t>(rows->ColumnInt(0)));
  }
  return {};
}

// Where the chunk segment starting at `segment` ends at the latest: after
// kMaxSegmentEvents events, at the next segment holding chunks, or at the
// chunks' end. (Not the next listed segment: the legacy index lists its own,
// every few thousand events, in the same table.)
Result<uint64_t> SegmentEnd(store::Connection& db, uint64_t segment) {
  ASSIGN_OR_RETURN(store::Statement * next,
                   db.Prepare("SELECT min(segment) FROM audit_person_chunk WHERE segment > $1"));
  next->BindInt(1, static_cast<int64_t>(segment));
  ASSIGN_OR_RETURN(bool has_row, next->Step());
  uint64_t end = segment + kMaxSegmentEvents;
  if (has_row && !next->ColumnIsNull(0)) {
    end = std::min(end, static_cast<uint64_t>(next->ColumnInt(0)));
  }
  RETURN_IF_ERROR(next->Run());
  ASSIGN_OR_RETURN(Boundaries read, ReadBoundaries(db, Schema::kMigrated));
  return std::max(std::min(end, read.chunked), segment + 1);
}

// The accesses of `person_id` in the events of a segment whose chunk does
// not decode (damaged on disk, or forged): read from the events themselves,
// so the answer stays complete. The log says which segment, for the
// operator; the chunk is not rewritten (the writer may only add rows).
Result<void> ScanDamagedSegment(store::Connection& db, uint64_t segment, int64_t person_id,
                                const Error& damage, std::vector<uint64_t>& sequences) {
  Log(LogLevel::kWarn, "audit_person_chunk_damaged",
      {{"segment", static_cast<unsigned long long>(segment)}, {"error", damage.message()}});
  ASSIGN_OR_RETURN(uint64_t end, SegmentEnd(db, segment));
  return ScanEvents(db, EventColumns::kEvent, segment, end,
                    [&](store::Statement& row) -> Result<bool> {
                      ASSIGN_OR_RETURN(AuditEvent event, DecodeAuditEvent(row.ColumnBlob(1)));
                      if (std::find(event.person_ids.begin(), event.person_ids.end(),
                                    person_id) != event.person_ids.end()) {
                        sequences.push_back(event.sequence);
                      }
                      return true;
                    });
}

// The chunks' accesses of `person_id`, in order.
Result<void> ChunkedAccessesOf(store::Connection& db, int64_t person_id,
                               std::vector<uint64_t>& sequences) {
  // Per segment, the one chunk that can hold the person: the largest first
  // person not above it (an index seek), kept if its last person reaches it.
  // SQLite's CROSS JOIN keeps the segments as the outer loop; PostgreSQL's
  // LATERAL makes the seek explicit.
  const std::string sql =
      db.dialect() == store::Dialect::kSqlite
          ? "SELECT c.segment, c.first_person, c.last_person, c.pairs "
            "FROM audit_person_segment s CROSS JOIN audit_person_chunk c "
            "ON c.segment = s.segment AND c.first_person = "
            "(SELECT max(m.first_person) FROM audit_person_chunk m "
            "WHERE m.segment = s.segment AND m.first_person <= $1) "
            "WHERE c.last_person >= $1 ORDER BY c.segment"
          : "SELECT c.segment, c.first_person, c.last_person, c.pairs "
            "FROM audit_person_segment s CROSS JOIN LATERAL "
            "(SELECT m.segment, m.first_person, m.last_person, m.pairs "
            "FROM audit_person_chunk m WHERE m.segment = s.segment AND m.first_person <= $1 "
            "ORDER BY m.first_person DESC LIMIT 1) c "
            "WHERE c.last_person >= $1 ORDER BY c.segment";
  ASSIGN_OR_RETURN(store::Statement * rows, db.Prepare(sql));
  rows->BindInt(1, person_id);
  std::vector<std::pair<uint64_t, Error>> damaged;  // segment, what its chunk failed with
  while (true) {
    ASSIGN_OR_RETURN(bool more, rows->Step());
    if (!more) break;
    const PersonChunkView chunk{rows->ColumnInt(1), rows->ColumnInt(2), rows->ColumnBlob(3)};
    const auto segment = static_cast<uint64_t>(rows->ColumnInt(0));
    const size_t before = sequences.size();
    auto decoded = AccessesOf(chunk, segment, person_id, sequences);
    if (!decoded) {
      sequences.resize(before);  // what it gave before failing is not trusted either
      damaged.emplace_back(segment, decoded.error());
    }
  }
  for (const auto& [segment, damage] : damaged) {
    RETURN_IF_ERROR(ScanDamagedSegment(db, segment, person_id, damage, sequences));
  }
  return {};
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

// Inside the caller's write transaction.
Result<uint64_t> IndexRange(store::Connection& db, uint64_t max_events) {
  ASSIGN_OR_RETURN(Range range, Unindexed(db));
  if (range.from >= range.to) return range.to;
  range.to =
      std::min(range.to, range.from + std::clamp<uint64_t>(max_events, 1, kMaxSegmentEvents));
  std::vector<PersonAccess> accesses;
  std::optional<uint64_t> stopped_at;  // the pair budget ran out before this event
  RETURN_IF_ERROR(ScanEvents(db, EventColumns::kEvent, range.from, range.to,
                             [&](store::Statement& row) -> Result<bool> {
                               ASSIGN_OR_RETURN(AuditEvent event,
                                                DecodeAuditEvent(row.ColumnBlob(1)));
                               for (int64_t person : event.person_ids) {
                                 accesses.push_back({person, event.sequence});
                               }
                               if (accesses.size() < kMaxSegmentPairs) return true;
                               stopped_at = static_cast<uint64_t>(row.ColumnInt(0)) + 1;
                               return false;
                             }));
  if (stopped_at) range.to = *stopped_at;  // after at least one event: progress
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
                   db.Prepare("UPDATE audit_tip SET person_chunked = $1"));
  advance->BindInt(1, static_cast<int64_t>(range.to));
  RETURN_IF_ERROR(advance->Run());
  return range.to;
}

}  // namespace

Result<uint64_t> PersonIndexedUpTo(store::Connection& db) {
  ASSIGN_OR_RETURN(Boundaries read, ReadBoundaries(db, Schema::kMaybeOlder));
  return std::max(read.chunked, read.legacy_to);
}

Result<PersonIndexBounds> ReadPersonIndexBounds(store::Connection& db) {
  ASSIGN_OR_RETURN(Boundaries read, ReadBoundaries(db, Schema::kMaybeOlder));
  return PersonIndexBounds{read.has_chunks, read.chunked, read.legacy_to};
}

Result<uint64_t> PersonIndexBuiltUpTo(store::Connection& db) {
  ASSIGN_OR_RETURN(Boundaries read, ReadBoundaries(db, Schema::kMigrated));
  return read.chunked;
}

Result<uint64_t> ExtendPersonIndex(store::Connection& db, uint64_t max_events) {
  RETURN_IF_ERROR(db.Begin());
  auto indexed = IndexRange(db, max_events);
  if (!indexed) {
    (void)db.Rollback();
    return indexed;
  }
  // A COMMIT that failed may leave the transaction open (SQLite says so):
  // the connection's next Begin would fail, for good.
  if (auto committed = db.Commit(); !committed) {
    (void)db.Rollback();
    return std::unexpected(committed.error());
  }
  return indexed;
}

Result<IndexedAccesses> IndexedAccessesOf(store::Connection& db, int64_t person_id) {
  // Read first: the chunks may only grow past it meanwhile, and the legacy
  // range below covers at least what they do not.
  ASSIGN_OR_RETURN(Boundaries read, ReadBoundaries(db, Schema::kMaybeOlder));
  std::vector<uint64_t> sequences;
  if (read.has_chunks) RETURN_IF_ERROR(ChunkedAccessesOf(db, person_id, sequences));
  // Past the chunks, the legacy index answers where it reaches further (after
  // the upgrade, until the chunks are built past it).
  if (read.legacy_to > read.chunked) {
    RETURN_IF_ERROR(LegacyAccessesOf(db, person_id, read.chunked, read.legacy_to, sequences));
  }
  // In order and once each whatever the stored pairs say (callers page with
  // a binary search): a pair filed in another segment's range, or twice,
  // must not hide the next ones.
  std::sort(sequences.begin(), sequences.end());
  sequences.erase(std::unique(sequences.begin(), sequences.end()), sequences.end());
  return IndexedAccesses{std::move(sequences), std::max(read.chunked, read.legacy_to)};
}

}  // namespace vigie::audit
