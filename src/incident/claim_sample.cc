#include "incident/claim_sample.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <iterator>
#include <utility>

#include "core/json_keys.h"
#include "core/utf8.h"
#include "records/name_normaliser.h"

namespace vigie::incident {
namespace {

// Folded aliases of each field's column, most usual first.
struct Alias {
  SampleField field;
  std::string_view folded;
};
constexpr Alias kAliases[] = {
    {SampleField::kSurname, "surname"},
    {SampleField::kSurname, "lastname"},
    {SampleField::kSurname, "familyname"},
    {SampleField::kSurname, "nom"},
    {SampleField::kSurname, "nomdefamille"},
    {SampleField::kSurname, "nomfamille"},
    {SampleField::kSurname, "nomdenaissance"},
    {SampleField::kSurname, "nomnaissance"},
    {SampleField::kSurname, "patronyme"},
    {SampleField::kGivenNames, "givennames"},
    {SampleField::kGivenNames, "givenname"},
    {SampleField::kGivenNames, "firstname"},
    {SampleField::kGivenNames, "firstnames"},
    {SampleField::kGivenNames, "forename"},
    {SampleField::kGivenNames, "forenames"},
    {SampleField::kGivenNames, "prenom"},
    {SampleField::kGivenNames, "prenoms"},
    {SampleField::kBirthDate, "birthdate"},
    {SampleField::kBirthDate, "dateofbirth"},
    {SampleField::kBirthDate, "dob"},
    {SampleField::kBirthDate, "birthday"},
    {SampleField::kBirthDate, "datenaissance"},
    {SampleField::kBirthDate, "datedenaissance"},
    {SampleField::kBirthDate, "naissance"},
    {SampleField::kBirthDate, "ddn"},
    {SampleField::kPersonId, "personid"},
    {SampleField::kPersonId, "id"},
    {SampleField::kPersonId, "identifiant"},
    {SampleField::kPersonId, "externalid"},
    {SampleField::kPersonId, "idpersonne"},
    {SampleField::kPersonId, "person"},
};

bool Required(SampleField field) { return field != SampleField::kPersonId; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Whether a (folded) column name holds `field`: the column the operator
// named for it, else one of its aliases that the operator did not name for
// another field. One column may serve two fields when the operator says so.
bool HoldsField(std::string_view folded, SampleField field,
                std::span<const ColumnOverride> overrides) {
  if (folded.empty()) return false;  // a name of symbols alone is no field's
  bool named = false;
  for (const ColumnOverride& o : overrides) {
    if (o.field == field) {
      if (FoldColumnName(o.column) == folded) return true;
      named = true;
    }
  }
  if (named) return false;
  for (const ColumnOverride& o : overrides) {
    if (FoldColumnName(o.column) == folded) return false;
  }
  return std::any_of(std::begin(kAliases), std::end(kAliases),
                     [&](const Alias& a) { return a.field == field && a.folded == folded; });
}

// A column name as an error message shows it: the sample is the attacker's,
// and the message reaches a terminal.
std::string Shown(std::string_view name) { return DisplaySafe(name, 64); }

// Appends `name` to the list of columns seen, for a message (at most 1 KiB).
void NoteSeen(std::string& seen, std::string_view name) {
  constexpr size_t kMaxSeen = 1024;
  if (seen.size() >= kMaxSeen) {
    if (!seen.ends_with("...")) seen += ", ...";
    return;
  }
  seen += (seen.empty() ? "" : ", ") + Shown(name);
}

Error MissingColumns(const std::string (&names)[4], std::string_view seen) {
  std::string missing;
  for (SampleField field : kSampleFields) {
    if (Required(field) && names[static_cast<size_t>(field)].empty()) {
      missing += (missing.empty() ? "" : ", ") + std::string(SampleFieldName(field));
    }
  }
  return Error(ErrorCode::kInvalidArgument, "the sample has no column for " + missing +
                                                " (columns: " + std::string(seen) +
                                                "); name them with --column FIELD=COLUMN");
}

enum class CsvStatus { kOk, kBadQuote, kUnclosedQuote, kTooLong };

// Spaces around a quoted field ("Dupont, \"Jean\"", a common export): not
// part of it (the values are trimmed anyway). A tab is the delimiter in TSV.
bool IsPadding(char c, char delimiter) { return (c == ' ' || c == '\t') && c != delimiter; }

// One RFC 4180 record from text[pos]: fields may be quoted ("" escapes a
// quote) and a quoted field may hold line breaks. Advances pos past the
// record's line break and counts the line breaks consumed.
CsvStatus ParseCsvRecord(std::string_view text, size_t& pos, char delimiter,
                         std::vector<std::string>& fields, int64_t& line_breaks) {
  fields.clear();
  const size_t start = pos;
  size_t i = pos;
  fields.emplace_back();
  while (true) {
    if (i - start > kMaxSampleRowBytes) return CsvStatus::kTooLong;
    std::string& field = fields.back();
    size_t opening = i;
    while (opening < text.size() && IsPadding(text[opening], delimiter)) ++opening;
    if (opening < text.size() && text[opening] == '"') {
      i = opening + 1;
      while (true) {
        // Security: look no further than the row limit, or rows with stray
        // quotes would each scan the rest of the file (quadratic).
        const size_t limit = std::min(text.size(), start + kMaxSampleRowBytes + 1);
        size_t quote = text.substr(0, limit).find('"', i);
        if (quote == std::string_view::npos) {
          return limit < text.size() ? CsvStatus::kTooLong : CsvStatus::kUnclosedQuote;
        }
        std::string_view part = text.substr(i, quote - i);
        line_breaks += std::count(part.begin(), part.end(), '\n');
        field.append(part);
        if (quote + 1 < text.size() && text[quote + 1] == '"') {
          field.push_back('"');
          i = quote + 2;
          continue;
        }
        i = quote + 1;
        break;
      }
      while (i < text.size() && IsPadding(text[i], delimiter)) ++i;
      if (i < text.size() && text[i] == '\r') ++i;
      if (i < text.size() && text[i] != delimiter && text[i] != '\n') return CsvStatus::kBadQuote;
    } else {
      size_t end = i;
      while (end < text.size() && text[end] != delimiter && text[end] != '\n') {
        if (text[end] == '"') return CsvStatus::kBadQuote;
        if (end - start > kMaxSampleRowBytes) return CsvStatus::kTooLong;
        ++end;
      }
      std::string_view part = text.substr(i, end - i);
      if (!part.empty() && part.back() == '\r' && (end == text.size() || text[end] == '\n')) {
        part.remove_suffix(1);
      }
      field.append(part);
      i = end;
    }
    if (i >= text.size()) {
      pos = i;
      return CsvStatus::kOk;
    }
    if (text[i] == '\n') {
      ++line_breaks;
      pos = i + 1;
      return CsvStatus::kOk;
    }
    ++i;  // the delimiter
    fields.emplace_back();
  }
}

// The delimiter a header line uses: the most frequent of ',', ';' and tab
// outside quotes ("nom, usage";"prénom" is semicolon-separated).
char GuessDelimiter(std::string_view header) {
  std::array<ptrdiff_t, 3> counts{};
  constexpr std::array<char, 3> kDelimiters = {',', ';', '\t'};
  bool quoted = false;
  for (char c : header) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n') break;
    for (size_t d = 0; d < kDelimiters.size(); ++d) counts[d] += c == kDelimiters[d] ? 1 : 0;
  }
  char best = ',';
  ptrdiff_t best_count = 0;
  for (size_t d = 0; d < kDelimiters.size(); ++d) {
    if (counts[d] > best_count) best = kDelimiters[d], best_count = counts[d];
  }
  return best;
}

// A JSON value as text: strings as they are, integers in decimal, arrays of
// strings joined with ", ". nullopt for anything else.
std::optional<std::string> JsonText(const boost::json::value& value) {
  if (value.is_string()) return std::string(value.get_string());
  if (value.is_int64()) return std::to_string(value.get_int64());
  if (value.is_uint64()) return std::to_string(value.get_uint64());
  if (value.is_null()) return std::string();
  if (value.is_array()) {
    std::string joined;
    for (const boost::json::value& item : value.get_array()) {
      if (!item.is_string()) return std::nullopt;
      joined += (joined.empty() ? "" : ", ") + std::string(item.get_string());
    }
    return joined;
  }
  return std::nullopt;
}

std::string* FieldOf(SampleRow& row, SampleField field) {
  switch (field) {
    case SampleField::kSurname:
      return &row.surname;
    case SampleField::kGivenNames:
      return &row.given_names;
    case SampleField::kBirthDate:
      return &row.birth_date;
    case SampleField::kPersonId:
      return &row.person_id;
  }
  return &row.surname;
}

}  // namespace

Result<SampleFormat> SampleFormatFromName(std::string_view name) {
  if (name == "csv") return SampleFormat::kCsv;
  if (name == "jsonl") return SampleFormat::kJsonLines;
  return Fail(ErrorCode::kInvalidArgument, "the sample format must be csv or jsonl");
}

Result<SampleFormat> SampleFormatFromPath(const std::filesystem::path& path) {
  std::string ext = FoldColumnName(path.extension().string());
  if (ext == "csv" || ext == "txt") return SampleFormat::kCsv;
  if (ext == "jsonl" || ext == "ndjson" || ext == "json") return SampleFormat::kJsonLines;
  return Fail(ErrorCode::kInvalidArgument,
              "cannot tell the sample's format from its extension: give --format csv or jsonl");
}

std::string_view SampleFieldName(SampleField field) {
  switch (field) {
    case SampleField::kSurname:
      return "surname";
    case SampleField::kGivenNames:
      return "given_names";
    case SampleField::kBirthDate:
      return "birth_date";
    case SampleField::kPersonId:
      return "person_id";
  }
  return "surname";
}

Result<ColumnOverride> ParseColumnOverride(std::string_view text) {
  size_t eq = text.find('=');
  if (eq != std::string_view::npos) {
    std::string_view name = Trim(text.substr(0, eq));
    std::string_view column = Trim(text.substr(eq + 1));
    for (SampleField field : kSampleFields) {
      if (name == SampleFieldName(field) && !column.empty()) {
        return ColumnOverride{field, std::string(column)};
      }
    }
  }
  return Fail(ErrorCode::kInvalidArgument,
              "--column takes FIELD=COLUMN, FIELD one of surname, given_names, birth_date, "
              "person_id");
}

namespace {

// The code point a UTF-8 sequence starting with a lead byte of 0xC4 or more
// encodes (0 when cut short; the text was validated as UTF-8 before).
char32_t DecodeLead(std::string_view sequence) {
  const auto lead = static_cast<unsigned char>(sequence[0]);
  const size_t length = lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  if (sequence.size() < length) return 0;
  char32_t cp = lead & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07);
  for (size_t k = 1; k < length; ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(sequence[k]) & 0x3F);
  return cp;
}

// Letter blocks of the scripts a sample's column names are written in:
// Latin Extended, Greek, Cyrillic, Armenian, Hebrew, Arabic, kana, CJK, Hangul.
bool IsLetterOfAnotherScript(char32_t cp) {
  static constexpr std::pair<char32_t, char32_t> kBlocks[] = {
      {0x0100, 0x024F}, {0x0370, 0x03FF}, {0x0400, 0x052F}, {0x0531, 0x058F}, {0x05D0, 0x05EA},
      {0x0620, 0x064A}, {0x3041, 0x30FF}, {0x4E00, 0x9FFF}, {0xAC00, 0xD7A3}};
  return std::any_of(std::begin(kBlocks), std::end(kBlocks),
                     [cp](const auto& block) { return cp >= block.first && cp <= block.second; });
}

}  // namespace

std::string FoldColumnName(std::string_view name) {
  std::string folded;
  for (size_t i = 0; i < name.size(); ++i) {
    auto c = static_cast<unsigned char>(name[i]);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      folded.push_back(static_cast<char>(c));
    } else if (c >= 'A' && c <= 'Z') {
      folded.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if (c == 0xC3 && i + 1 < name.size()) {
      // U+00C0..U+00FF: fold the accented letters column names use.
      auto d = static_cast<unsigned char>(name[++i]) & 0x1F;  // same for upper and lower case
      static constexpr char kFold[33] = "aaaaaaaceeeeiiiidnooooo ouuuuy  ";
      if (d < 32 && kFold[d] != ' ') folded.push_back(kFold[d]);
    } else if (c >= 0xC4 && c <= 0xF4) {
      // Past Latin-1: the letters of other scripts ("Фамилия") are kept as
      // written, so such names stay apart and match themselves; combining
      // marks, punctuation and symbols go, as ASCII's do.
      const size_t length = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      if (IsLetterOfAnotherScript(DecodeLead(name.substr(i, length)))) {
        folded.append(name.substr(i, length));
      }
      i += length - 1;
    }
  }
  return folded;
}

std::string_view SampleReader::TakeLine() {
  size_t end = text_.find('\n', pos_);
  std::string_view line = text_.substr(pos_, end == std::string_view::npos ? end : end - pos_);
  pos_ = end == std::string_view::npos ? text_.size() : end + 1;
  ++line_;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

Result<SampleReader> SampleReader::Open(std::string_view text, SampleFormat format,
                                        std::span<const ColumnOverride> overrides) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  SampleReader reader(text, format);
  reader.overrides_.assign(overrides.begin(), overrides.end());
  std::string seen;
  if (format == SampleFormat::kCsv) {
    std::string_view header;
    while (reader.pos_ < text.size() && Trim(header).empty()) header = reader.TakeLine();
    if (Trim(header).empty()) {
      return Fail(ErrorCode::kInvalidArgument, "the sample is empty (no header row)");
    }
    if (!records::IsValidUtf8(header)) {
      return Fail(ErrorCode::kInvalidArgument, "the sample's header row is not valid UTF-8");
    }
    reader.delimiter_ = GuessDelimiter(header);
    std::vector<std::string> columns;
    size_t at = 0;
    int64_t breaks = 0;
    if (ParseCsvRecord(header, at, reader.delimiter_, columns, breaks) != CsvStatus::kOk) {
      return Fail(ErrorCode::kInvalidArgument, "the sample's header row is malformed CSV");
    }
    reader.header_fields_ = columns.size();
    for (size_t c = 0; c < columns.size(); ++c) {
      std::string_view name = Trim(columns[c]);
      NoteSeen(seen, name);
      const std::string folded = FoldColumnName(name);
      for (SampleField field : kSampleFields) {
        auto f = static_cast<size_t>(field);
        // The first of two candidates wins.
        if (reader.column_index_[f] >= 0 || !HoldsField(folded, field, overrides)) continue;
        reader.column_index_[f] = static_cast<int>(c);
        reader.column_names_[f] = Shown(name);  // the attacker wrote it: shown, not obeyed
      }
    }
  } else {
    // The first object names the keys; later objects are matched by the same keys.
    size_t pos = 0;
    while (pos < text.size()) {
      size_t end = text.find('\n', pos);
      std::string_view line =
          Trim(text.substr(pos, end == std::string_view::npos ? end : end - pos));
      pos = end == std::string_view::npos ? text.size() : end + 1;
      // A row too long to read (NextJson says so) is not parsed here either.
      if (line.empty() || line == "\r" || line.size() > kMaxSampleRowBytes) continue;
      boost::system::error_code ec;
      boost::json::value value = boost::json::parse(line, ec);
      if (ec || !value.is_object()) continue;
      for (const auto& [key, ignored] : value.get_object()) {
        NoteSeen(seen, key);
        std::string folded = FoldColumnName(key);
        for (SampleField field : kSampleFields) {
          auto f = static_cast<size_t>(field);
          if (!reader.json_keys_[f].empty() || !HoldsField(folded, field, overrides)) continue;
          reader.json_keys_[f] = folded;
          reader.column_names_[f] = Shown(key);
        }
      }
      break;
    }
    if (seen.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "the sample holds no JSON object");
    }
  }
  for (SampleField field : kSampleFields) {
    if (Required(field) && reader.column_names_[static_cast<size_t>(field)].empty()) {
      return Fail(MissingColumns(reader.column_names_, seen));
    }
  }
  return reader;
}

bool SampleReader::Next(SampleRow& row) {
  return format_ == SampleFormat::kCsv ? NextCsv(row) : NextJson(row);
}

bool SampleReader::NextCsv(SampleRow& row) {
  std::vector<std::string> fields;
  while (pos_ < text_.size()) {
    const size_t start = pos_;
    const int64_t start_line = line_ + 1;
    int64_t breaks = 0;
    CsvStatus status = ParseCsvRecord(text_, pos_, delimiter_, fields, breaks);
    row = SampleRow();
    row.line = start_line;
    if (status != CsvStatus::kOk) {
      // Resynchronise on the next line: one bad quote costs one row.
      pos_ = start;
      TakeLine();
      row.row = ++rows_;
      row.error = status == CsvStatus::kTooLong ? "row longer than 64 KiB"
                  : status == CsvStatus::kUnclosedQuote
                      ? "malformed CSV: unclosed quote"
                      : "malformed CSV: quote inside a field or after a quoted field";
      return true;
    }
    line_ += breaks + (pos_ == text_.size() && (pos_ == 0 || text_[pos_ - 1] != '\n') ? 1 : 0);
    bool blank = std::all_of(fields.begin(), fields.end(),
                             [](const std::string& f) { return Trim(f).empty(); });
    if (blank && (fields.size() == 1 || fields.size() == header_fields_)) continue;
    row.row = ++rows_;
    if (fields.size() != header_fields_) {
      row.error = "malformed CSV: " + std::to_string(fields.size()) +
                  " fields where the header has " + std::to_string(header_fields_);
      return true;
    }
    for (SampleField field : kSampleFields) {
      int index = column_index_[static_cast<size_t>(field)];
      if (index < 0) continue;
      std::string_view value = Trim(fields[static_cast<size_t>(index)]);
      if (!records::IsValidUtf8(value)) {
        row.error = "invalid UTF-8 in " + std::string(SampleFieldName(field));
        return true;
      }
      FieldOf(row, field)->assign(value);
    }
    return true;
  }
  return false;
}

bool SampleReader::NextJson(SampleRow& row) {
  while (pos_ < text_.size()) {
    std::string_view line = Trim(TakeLine());
    if (line.empty()) continue;
    row = SampleRow();
    row.row = ++rows_;
    row.line = line_;
    if (line.size() > kMaxSampleRowBytes) {
      row.error = "row longer than 64 KiB";
      return true;
    }
    if (!records::IsValidUtf8(line)) {
      row.error = "invalid UTF-8";
      return true;
    }
    // One arena per line: parsing a million lines through malloc cost more
    // than the rest of reading them.
    unsigned char arena[4096];
    boost::json::monotonic_resource resource(arena, sizeof arena);
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(line, ec, &resource);
    if (ec || !value.is_object()) {
      row.error = ec ? "malformed JSON" : "not a JSON object";
      return true;
    }
    // One value per field, as in CSV: a key repeated, or two spellings of
    // one column, leave the row ambiguous.
    if (RepeatedJsonKey(line)) {
      row.error = "a key appears twice";
      return true;
    }
    std::array<bool, std::size(kSampleFields)> given{};
    for (const auto& [key, item] : value.get_object()) {
      std::string folded = FoldColumnName(key);
      for (SampleField field : kSampleFields) {
        const std::string& wanted = json_keys_[static_cast<size_t>(field)];
        if (wanted.empty() || wanted != folded) continue;
        if (std::exchange(given[static_cast<size_t>(field)], true)) {
          row.error = std::string(SampleFieldName(field)) + " appears twice";
          return true;
        }
        std::optional<std::string> text = JsonText(item);
        // Only an id may be a number: a numeric name or date is not one;
        // only given names may be a list.
        if (!text || (field != SampleField::kPersonId && item.is_number()) ||
            (field != SampleField::kGivenNames && item.is_array())) {
          row.error = std::string(SampleFieldName(field)) + " must be a string";
          return true;
        }
        *FieldOf(row, field) = std::string(Trim(*text));
      }
    }
    return true;
  }
  return false;
}

}  // namespace vigie::incident
