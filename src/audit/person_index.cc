#include "audit/person_index.h"

#include <algorithm>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "audit/audit_event_codec.h"
#include "audit/event_scan.h"

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

// Rows go in kRowsPerInsert at a time: one statement step per row was most
// of the writer's time (measured: 20 persons per event, 23 k -> see
// docs/benchmarks.md).
constexpr size_t kRowsPerInsert = 64;

std::string MultiRowInsert(size_t rows) {
  std::string sql = "INSERT INTO audit_person_access (segment, person_id, sequence) VALUES ";
  for (size_t i = 0; i < rows; ++i) {
    const size_t p = 2 * i + 2;
    sql += (i == 0 ? "($1, $" : ", ($1, $") + std::to_string(p) + ", $" + std::to_string(p + 1) + ")";
  }
  return sql + " ON CONFLICT DO NOTHING";
}

Result<void> InsertAccesses(store::Connection& db, int64_t segment,
                            std::span<const std::pair<int64_t, int64_t>> accesses) {
  static const std::string kFull = MultiRowInsert(kRowsPerInsert);
  while (!accesses.empty()) {
    const size_t rows = std::min(kRowsPerInsert, accesses.size());
    ASSIGN_OR_RETURN(store::Statement * insert,
                     db.Prepare(rows == kRowsPerInsert ? kFull : MultiRowInsert(rows)));
    insert->BindInt(1, segment);
    for (size_t i = 0; i < rows; ++i) {
      insert->BindInt(static_cast<int>(2 * i + 2), accesses[i].first)
          .BindInt(static_cast<int>(2 * i + 3), accesses[i].second);
    }
    RETURN_IF_ERROR(insert->Run());
    accesses = accesses.subspan(rows);
  }
  return {};
}

// Inside the caller's write transaction.
Result<uint64_t> IndexRange(store::Connection& db) {
  ASSIGN_OR_RETURN(Range range, Unindexed(db));
  if (range.from >= range.to) return range.to;
  std::vector<std::pair<int64_t, int64_t>> accesses;  // (person, sequence)
  RETURN_IF_ERROR(ScanEvents(db, EventColumns::kEvent, range.from, range.to,
                             [&](store::Statement& row) -> Result<bool> {
                               ASSIGN_OR_RETURN(AuditEvent event,
                                                DecodeAuditEvent(row.ColumnBlob(1)));
                               for (int64_t person : event.person_ids) {
                                 accesses.emplace_back(person,
                                                       static_cast<int64_t>(event.sequence));
                               }
                               return true;
                             }));
  std::sort(accesses.begin(), accesses.end());
  const auto segment = static_cast<int64_t>(range.from);
  RETURN_IF_ERROR(InsertAccesses(db, segment, accesses));
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

}  // namespace vigie::audit
