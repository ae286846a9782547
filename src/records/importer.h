#pragma once
// Streaming import of persons, wanted notices and record entries from JSON
// Lines or CSV, validated line by line, in one transaction.
//
// A bad line is reported with its line number; unless skip_bad_lines is set,
// any bad line refuses the whole batch (nothing is written). Re-importing the
// same external ids updates in place, never duplicates.
// Thread-safety: one import per connection at a time.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "records/exchange_format.h"
#include "records/record_repository.h"
#include "store/store.h"

namespace vigie::records {

enum class ImportFormat { kJsonLines, kCsv };

struct ImportReport;

struct ImportOptions {
  ImportFormat format = ImportFormat::kJsonLines;
  RecordKind csv_kind = RecordKind::kPerson;  // CSV files hold one kind
  bool skip_bad_lines = false;
  size_t max_reported_errors = 50;
  // Database page cache for the import. Everything the import writes stays
  // dirty until the commit; a cache smaller than that spills pages that are
  // then rewritten again and again (20 M persons: ~8 GiB).
  int64_t cache_mib = 12288;
  // Runs once every line is written and the input fully read, just before
  // the commit, with the report so far: an error refuses the whole import
  // (nothing is written). The command line records the import in the
  // audit log here, so no import commits unrecorded.
  std::function<Result<void>(const ImportReport&)> before_commit;
};

struct LineError {
  int64_t line = 0;
  std::string message;
};

struct ImportReport {
  int64_t lines = 0;
  int64_t persons_inserted = 0, persons_updated = 0;
  int64_t notices_inserted = 0, notices_updated = 0;
  int64_t entries_inserted = 0, entries_updated = 0;
  int64_t bad_lines = 0;
  std::vector<LineError> errors;  // the first max_reported_errors bad lines
  bool committed = false;         // false: refused, nothing written
  bool header_refused = false;    // a CSV header: nothing after it was read
  // Set when, after the transaction, the database could not be switched
  // back from its bulk-load journal mode (why): the import's outcome stands.
  std::string journal_not_restored;
};

// (bytes read, total bytes or 0 when unknown)
using ImportProgress = std::function<void(uint64_t done, uint64_t total)>;

// Format from the extension: .jsonl/.ndjson/.json → JSON Lines, .csv → CSV.
Result<ImportFormat> FormatFromPath(const std::filesystem::path& path);

// Errors: Unavailable/Internal from the database (nothing written). Bad lines
// are not errors: they are in the report, with committed = false unless skipped.
Result<ImportReport> Import(std::istream& in, uint64_t total_bytes, const ImportOptions& options,
                            store::Connection& db, RecordRepository& repository,
                            const ImportProgress& progress = {});

}  // namespace vigie::records
