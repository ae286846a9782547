#include "records/importer.h"

#include <algorithm>
#include <array>
#include <limits>
#include <optional>
#include <string>
#include <thread>

#include "records/internal/import_pipeline.h"
#include "records/internal/ref_map.h"

namespace vigie::records {
namespace {

void Count(ImportReport& report, PreparedRecord::Kind kind, PutOutcome outcome) {
  bool inserted = outcome == PutOutcome::kInserted;
  switch (kind) {
    case PreparedRecord::Kind::kPerson:
      ++(inserted ? report.persons_inserted : report.persons_updated);
      break;
    case PreparedRecord::Kind::kWantedNotice:
      ++(inserted ? report.notices_inserted : report.notices_updated);
      break;
    case PreparedRecord::Kind::kRecordEntry:
      ++(inserted ? report.entries_inserted : report.entries_updated);
      break;
  }
}

Result<ImportReport> ImportInTransaction(std::istream& in, uint64_t total_bytes,
                                         const ImportOptions& options, store::Connection& db,
                                         RecordRepository& repository,
                                         const ImportProgress& progress);

// An external reference (a 16-byte keyed hash).
using Ref = std::span<const uint8_t, internal::RefMap::kRefSize>;

// The ids of persons written earlier in this import, by external reference, so
// that their notices and entries (which usually follow them) skip a random
// index look-up. Direct-mapped: a collision simply forgets the older person.
class RecentPersons {
 public:
  RecentPersons() : slots_(kSlots) {}
  void Remember(Ref ref, int64_t id) {
    Slot& slot = slots_[SlotOf(ref)];
    std::copy(ref.begin(), ref.end(), slot.ref.begin());
    slot.id = id;
  }
  std::optional<int64_t> Find(Ref ref) const {
    const Slot& slot = slots_[SlotOf(ref)];
    if (slot.id == 0 || !std::equal(ref.begin(), ref.end(), slot.ref.begin())) return std::nullopt;
    return slot.id;
  }

 private:
  static constexpr size_t kSlots = 1 << 16;
  struct Slot {
    std::array<uint8_t, internal::RefMap::kRefSize> ref{};
    int64_t id = 0;  // 0: empty (row ids start at 1)
  };
  // The reference is a keyed hash: its first bytes are already uniform.
  static size_t SlotOf(Ref ref) { return (size_t{ref[0]} | size_t{ref[1]} << 8) % kSlots; }
  std::vector<Slot> slots_;
};

std::optional<Ref> AsRef(const std::vector<uint8_t>& ref) {
  if (ref.size() != internal::RefMap::kRefSize) return std::nullopt;
  return Ref(ref.data(), ref.size());
}

// What the importer already knows about each record's row, so the database
// is asked as little as possible. In a fresh load (every table empty at the
// start) it knows everything: the external-ref indexes are suspended and
// in-memory maps stand in for them (about 40 bytes per row at the peak).
class RowPlanner {
 public:
  RowPlanner(RecordRepository::FreeIds free_ids, bool fresh) : free_(free_ids), fresh_(fresh) {}

  // nullopt: a notice or entry whose person is certainly not in the database.
  std::optional<ApplyHints> Plan(const PreparedRecord& record) {
    ApplyHints hints;
    auto ref = AsRef(record.ref);
    if (record.kind != PreparedRecord::Kind::kPerson) {
      auto parent = AsRef(record.parent_ref);
      if (fresh_) {
        hints.person_id = parent ? persons_.Find(*parent) : std::nullopt;
        if (!hints.person_id) return std::nullopt;
      } else if (parent) {
        hints.person_id = recent_.Find(*parent);
      }
    }
    hints.row_id = free_.For(record.kind);
    if (fresh_ && ref) {
      std::optional<int64_t> existing = MapFor(record.kind).Find(*ref);
      hints.row = existing ? ApplyHints::Row::kExisting : ApplyHints::Row::kNew;
      if (existing) hints.row_id = existing;
    }
    return hints;
  }

  void Wrote(const PreparedRecord& record, const RecordRepository::Applied& applied) {
    if (applied.outcome == PutOutcome::kInserted) ++free_.For(record.kind);
    auto ref = AsRef(record.ref);
    if (!ref) return;
    if (fresh_) {
      MapFor(record.kind).Put(*ref, applied.id);
    } else if (record.kind == PreparedRecord::Kind::kPerson) {
      recent_.Remember(*ref, applied.id);
    }
  }

 private:
  internal::RefMap& MapFor(PreparedRecord::Kind kind) {
    switch (kind) {
      case PreparedRecord::Kind::kPerson:
        return persons_;
      case PreparedRecord::Kind::kWantedNotice:
        return notices_;
      case PreparedRecord::Kind::kRecordEntry:
        return entries_;
    }
    return persons_;
  }

  RecordRepository::FreeIds free_;
  bool fresh_;
  RecentPersons recent_;
  internal::RefMap persons_, notices_, entries_;
};

}  // namespace

Result<ImportFormat> FormatFromPath(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  if (ext == ".jsonl" || ext == ".ndjson" || ext == ".json") return ImportFormat::kJsonLines;
  if (ext == ".csv") return ImportFormat::kCsv;
  return Fail(ErrorCode::kInvalidArgument, "cannot tell the format of '" +
                                               path.filename().string() +
                                               "': use a .jsonl or .csv file, or say --format");
}

Result<ImportReport> Import(std::istream& in, uint64_t total_bytes, const ImportOptions& options,
                            store::Connection& db, RecordRepository& repository,
                            const ImportProgress& progress) {
  ImportReport report;
  RETURN_IF_ERROR(db.SetCacheSize(options.cache_mib));
  ASSIGN_OR_RETURN(bool bulk, db.EnterBulkLoad());
  auto result = ImportInTransaction(in, total_bytes, options, db, repository, progress);
  if (!bulk) return result;
  // The transaction has ended either way: a failure to switch back must
  // neither hide the import's own error nor report a committed import as
  // failed (a retry would import it twice). The next connection opened for
  // writing switches the database back.
  Result<void> left = db.LeaveBulkLoad();
  if (!left && result) {
    result->journal_not_restored = left.error().message();
  }
  return result;
}

namespace {

Result<ImportReport> ImportInTransaction(std::istream& in, uint64_t total_bytes,
                                         const ImportOptions& options, store::Connection& db,
                                         RecordRepository& repository,
                                         const ImportProgress& progress) {
  ImportReport report;
  ASSIGN_OR_RETURN(store::Transaction tx, BeginRecordsWrite(db));
  // Other records writers wait for this one: ids above today's maximum stay free.
  ASSIGN_OR_RETURN(RecordRepository::FreeIds free_ids, repository.NextFreeIds());
  bool fresh = free_ids.person == 1 && free_ids.notice == 1 && free_ids.entry == 1;
  if (fresh) RETURN_IF_ERROR(repository.SuspendRefIndexes());
  RowPlanner planner(free_ids, fresh);
  // Reading, parsing and sealing run on other threads; this one only writes.
  internal::ImportPipeline pipeline(
      in, options, repository,
      std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, 4));
  auto bad_line = [&](int64_t line, const std::string& message) {
    ++report.bad_lines;
    if (report.errors.size() < options.max_reported_errors)
      report.errors.push_back({line, message});
  };
  // Once the batch is refused, keep reading only to report the other lines'
  // format errors: what they refer to is not looked up (nothing written
  // before them can be counted on), so an unknown person is not named.
  auto refused = [&] { return report.bad_lines > 0 && !options.skip_bad_lines; };

  while (std::optional<internal::ImportBatch> batch = pipeline.Next()) {
    for (internal::ImportItem& item : batch->items) {
      report.lines = std::max(report.lines, item.line);
      if (!item.prepared) {
        bad_line(item.line, item.error);
        continue;
      }
      if (refused()) continue;
      std::optional<ApplyHints> hints = planner.Plan(*item.prepared);
      if (!hints) {
        bad_line(item.line, RecordRepository::UnknownPerson(*item.prepared).message());
        continue;
      }
      auto applied = repository.Apply(*item.prepared, *hints);
      if (!applied) {
        if (applied.error().code() == ErrorCode::kNotFound) {
          bad_line(item.line, applied.error().message());
          continue;
        }
        return Fail(applied.error().WithContext("line " + std::to_string(item.line)));
      }
      planner.Wrote(*item.prepared, *applied);
      Count(report, item.prepared->kind, applied->outcome);
    }
    if (progress) progress(batch->bytes_read, total_bytes);
    pipeline.Recycle(std::move(*batch));
  }
  bool read_failed = pipeline.read_failed();
  if (read_failed) return Fail(ErrorCode::kUnavailable, "reading the import file failed");
  // A refused header left the whole file unread: even when bad lines may be
  // skipped, that is no import.
  report.header_refused = pipeline.header_refused();
  if (refused() || report.header_refused) return report;  // the transaction rolls back
  if (fresh) RETURN_IF_ERROR(repository.RestoreRefIndexes());
  // Running servers build their search index again once this commits (a
  // minute and gigabytes at 20 M persons: not for an import that wrote
  // nothing); advanced before the import is recorded, so nothing but the
  // commit follows the record.
  const bool wrote = report.persons_inserted + report.persons_updated + report.notices_inserted +
                         report.notices_updated + report.entries_inserted + report.entries_updated >
                     0;
  if (wrote) RETURN_IF_ERROR(repository.AdvanceGeneration());
  if (options.before_commit) RETURN_IF_ERROR(options.before_commit(report));
  RETURN_IF_ERROR(tx.Commit());
  report.committed = true;
  return report;
}

}  // namespace

}  // namespace vigie::records
