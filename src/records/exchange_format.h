#pragma once
// The exchange formats for importing (and generating) records: JSON Lines,
// one object per line with a "kind", and CSV with a header row, one kind per
// file. Specified in docs/formats/import.md.
//
// Parsing is strict: unknown fields, wrong types, missing required fields and
// bad UTF-8 are InvalidArgument with a message naming the field.
// Thread-safety: stateless functions; CsvReader instances are not shared.

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/error.h"
#include "records/model.h"

namespace vigie::records {

using ImportRecord = std::variant<Person, WantedNotice, RecordEntry>;

enum class RecordKind { kPerson, kWantedNotice, kRecordEntry };
Result<RecordKind> ParseRecordKind(std::string_view name);  // person | wanted_notice | record_entry

// One JSON object (a line without its newline).
Result<ImportRecord> ParseJsonLine(std::string_view line);

std::string ToJsonLine(const Person& person);
std::string ToJsonLine(const WantedNotice& notice);
std::string ToJsonLine(const RecordEntry& entry);

// CSV (RFC 4180 quoting, no newline inside fields). The header names the
// columns (same names as the JSON fields); list fields (given_names, aliases)
// separate their items with ';'.
class CsvReader {
 public:
  // InvalidArgument for an unknown, duplicated or missing required column.
  static Result<CsvReader> FromHeader(RecordKind kind, std::string_view header_line);
  Result<ImportRecord> ParseLine(std::string_view line) const;

 private:
  CsvReader(RecordKind kind, std::vector<std::string> columns)
      : kind_(kind), columns_(std::move(columns)) {}
  RecordKind kind_;
  std::vector<std::string> columns_;
};

// Splits one CSV line into fields; InvalidArgument on a bad quote.
Result<std::vector<std::string>> SplitCsvLine(std::string_view line);

}  // namespace vigie::records
