#pragma once
// The sample an attacker published, read row by row for the claim check:
// CSV (RFC 4180, a header row) or JSON Lines, with the identity columns found
// by name (English and French aliases, case- and accent-insensitive) or named
// by the operator ("surname=NOM"). Specified in docs/formats/claim-check.md.
//
// Security: the sample is untrusted bytes. A malformed row (bad quoting, bad
// UTF-8, bad JSON, too long) is reported as that row's error and reading goes
// on at the next line; only a sample whose required columns cannot be found
// at all is refused.
//
// Thread-safety: a SampleReader is used by one thread; it borrows the text,
// which must outlive it.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace vigie::incident {

enum class SampleFormat { kCsv, kJsonLines };

// "csv" or "jsonl"; InvalidArgument otherwise.
Result<SampleFormat> SampleFormatFromName(std::string_view name);
// .csv/.txt → CSV; .jsonl/.ndjson/.json → JSON Lines; InvalidArgument otherwise.
Result<SampleFormat> SampleFormatFromPath(const std::filesystem::path& path);

enum class SampleField { kSurname, kGivenNames, kBirthDate, kPersonId };
inline constexpr SampleField kSampleFields[] = {SampleField::kSurname, SampleField::kGivenNames,
                                                SampleField::kBirthDate, SampleField::kPersonId};
std::string_view SampleFieldName(SampleField field);  // "surname", "given_names", ...

// "surname=NOM": the column (CSV header or JSON key) holding a field.
struct ColumnOverride {
  SampleField field;
  std::string column;
};
// InvalidArgument naming the accepted fields.
Result<ColumnOverride> ParseColumnOverride(std::string_view text);

// A row bigger than this is malformed (an unclosed quote would otherwise
// swallow the rest of the file into one field).
inline constexpr size_t kMaxSampleRowBytes = 64 * 1024;

struct SampleRow {
  int64_t row = 0;   // 1-based among the data rows (blank lines are not rows)
  int64_t line = 0;  // the 1-based line of the file it starts on
  std::string surname;
  std::string given_names;  // several separated by ',' or ';' (JSON: also an array)
  std::string birth_date;
  std::string person_id;  // empty when the sample has no id column or the row no id
  std::string error;      // non-empty: the row could not be read
};

class SampleReader {
 public:
  // Finds the columns: CSV from its header row (a UTF-8 BOM is skipped; the
  // delimiter is ',', ';' or tab, whichever the header uses), JSON Lines from
  // the first object. InvalidArgument when the sample is empty or a required
  // field (surname, given names, birth date) has no column, naming the
  // columns seen and the --column option.
  static Result<SampleReader> Open(std::string_view text, SampleFormat format,
                                   std::span<const ColumnOverride> overrides);

  // The next row; false at the end of the text.
  bool Next(SampleRow& row);

  size_t bytes_read() const { return pos_; }
  // The column used for a field, as the sample names it; empty for none.
  const std::string& ColumnOf(SampleField field) const {
    return column_names_[static_cast<size_t>(field)];
  }

 private:
  SampleReader(std::string_view text, SampleFormat format) : text_(text), format_(format) {}
  bool NextCsv(SampleRow& row);
  bool NextJson(SampleRow& row);
  std::string_view TakeLine();  // from pos_, without its line break

  std::string_view text_;
  SampleFormat format_;
  size_t pos_ = 0;
  int64_t line_ = 0;  // lines consumed
  int64_t rows_ = 0;
  char delimiter_ = ',';
  size_t header_fields_ = 0;
  // CSV: index of each field's column, or -1. JSON: unused.
  int column_index_[4] = {-1, -1, -1, -1};
  std::string column_names_[4];
  // JSON Lines: the folded key of each field (matched case/accent-insensitively).
  std::string json_keys_[4];
  std::vector<ColumnOverride> overrides_;
};

// A column name folded for comparison: ASCII letters and digits lower-cased,
// common Latin-1 accented letters folded, letters past Latin-1 kept as
// written, everything else dropped ("Date de naissance" → "datedenaissance",
// "Prénom(s)" → "prenoms", "Фамилия" → "Фамилия").
std::string FoldColumnName(std::string_view name);

}  // namespace vigie::incident
