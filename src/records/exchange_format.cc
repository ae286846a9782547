#include "records/exchange_format.h"

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <optional>
#include <set>

#include "core/json_keys.h"
#include "core/utf8.h"
#include "records/name_normaliser.h"

namespace vigie::records {
namespace {

namespace json = boost::json;

// A name read from the file, in an error the operator's terminal shows:
// escape sequences and broken UTF-8 from the file become '?'.
std::string EchoedName(std::string_view name) { return DisplaySafe(name, 64); }

// A record's fields as read from either format, before typing.
struct FieldValue {
  bool is_null = false;  // JSON null: absent, though still a name to know
  bool is_list = false;
  std::string text;
  std::vector<std::string> list;
};

class FieldReader {
 public:
  explicit FieldReader(std::map<std::string, FieldValue> fields) : fields_(std::move(fields)) {}

  Result<std::string> Text(const std::string& name, bool required) {
    auto it = Find(name);
    if (it == fields_.end()) {
      if (required) return Fail(ErrorCode::kInvalidArgument, "missing field '" + name + "'");
      return std::string();
    }
    if (it->second.is_list) {
      return Fail(ErrorCode::kInvalidArgument, "field '" + name + "' must be a string");
    }
    std::string value = std::move(it->second.text);
    fields_.erase(it);
    if (required && value.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "field '" + name + "' must not be empty");
    }
    return value;
  }

  Result<std::vector<std::string>> List(const std::string& name, bool required) {
    auto it = Find(name);
    if (it == fields_.end()) {
      if (required) return Fail(ErrorCode::kInvalidArgument, "missing field '" + name + "'");
      return std::vector<std::string>();
    }
    if (!it->second.is_list) {
      return Fail(ErrorCode::kInvalidArgument, "field '" + name + "' must be a list of strings");
    }
    std::vector<std::string> value = std::move(it->second.list);
    fields_.erase(it);
    return value;
  }

  Result<PartialDate> Date(const std::string& name, bool required) {
    ASSIGN_OR_RETURN(std::string text, Text(name, required));
    if (text.empty()) return PartialDate{};
    auto date = ParsePartialDate(text);
    if (!date) return Fail(date.error().WithContext("field '" + name + "'"));
    return date;
  }

  template <typename E>
  Result<E> Enum(const std::string& name, Result<E> (*parse)(std::string_view), bool required,
                 E fallback) {
    ASSIGN_OR_RETURN(std::string text, Text(name, required));
    if (text.empty()) return fallback;
    auto value = parse(text);
    if (!value) return Fail(value.error().WithContext("field '" + name + "'"));
    return value;
  }

  Result<void> RefuseUnknown() const {
    if (fields_.empty()) return {};
    return Fail(ErrorCode::kInvalidArgument,
                "unknown field '" + EchoedName(fields_.begin()->first) + "'");
  }

 private:
  // The field named `name`; end() if absent or null (then taken as known).
  std::map<std::string, FieldValue>::iterator Find(const std::string& name) {
    auto it = fields_.find(name);
    if (it == fields_.end() || !it->second.is_null) return it;
    fields_.erase(it);
    return fields_.end();
  }

  std::map<std::string, FieldValue> fields_;
};

Result<ImportRecord> BuildPerson(FieldReader& r) {
  Person p;
  ASSIGN_OR_RETURN(p.external_id, r.Text("id", true));
  ASSIGN_OR_RETURN(p.surname, r.Text("surname", true));
  ASSIGN_OR_RETURN(p.given_names, r.List("given_names", true));
  ASSIGN_OR_RETURN(p.birth_date, r.Date("birth_date", false));
  ASSIGN_OR_RETURN(p.birth_place, r.Text("birth_place", false));
  ASSIGN_OR_RETURN(p.sex, r.Enum<Sex>("sex", ParseSex, false, Sex::kUnknown));
  ASSIGN_OR_RETURN(p.nationality, r.Text("nationality", false));
  ASSIGN_OR_RETURN(p.aliases, r.List("aliases", false));
  RETURN_IF_ERROR(r.RefuseUnknown());
  RETURN_IF_ERROR(ValidatePerson(p));
  return p;
}

Result<ImportRecord> BuildNotice(FieldReader& r) {
  WantedNotice n;
  ASSIGN_OR_RETURN(n.external_id, r.Text("id", true));
  ASSIGN_OR_RETURN(n.person_external_id, r.Text("person_id", true));
  ASSIGN_OR_RETURN(n.reason, r.Enum<WantedReason>("reason", ParseWantedReason, true,
                                                  WantedReason::kArrestWarrant));
  ASSIGN_OR_RETURN(n.issuing_authority, r.Text("issuing_authority", true));
  ASSIGN_OR_RETURN(n.reference, r.Text("reference", true));
  ASSIGN_OR_RETURN(n.valid_from, r.Date("valid_from", true));
  ASSIGN_OR_RETURN(n.valid_until, r.Date("valid_until", false));
  ASSIGN_OR_RETURN(n.conduct, r.Enum<Conduct>("conduct", ParseConduct, true, Conduct::kArrest));
  RETURN_IF_ERROR(r.RefuseUnknown());
  RETURN_IF_ERROR(ValidateWantedNotice(n));
  return n;
}

Result<ImportRecord> BuildEntry(FieldReader& r) {
  RecordEntry e;
  ASSIGN_OR_RETURN(e.external_id, r.Text("id", true));
  ASSIGN_OR_RETURN(e.person_external_id, r.Text("person_id", true));
  ASSIGN_OR_RETURN(e.category, r.Enum<OffenceCategory>("category", ParseOffenceCategory, true,
                                                       OffenceCategory::kOther));
  ASSIGN_OR_RETURN(e.date, r.Date("date", true));
  ASSIGN_OR_RETURN(e.role, r.Enum<EntryRole>("role", ParseEntryRole, true, EntryRole::kSuspect));
  ASSIGN_OR_RETURN(e.case_reference, r.Text("case_reference", true));
  ASSIGN_OR_RETURN(e.recording_service, r.Text("recording_service", true));
  RETURN_IF_ERROR(r.RefuseUnknown());
  RETURN_IF_ERROR(ValidateRecordEntry(e));
  return e;
}

Result<ImportRecord> Build(RecordKind kind, FieldReader& r) {
  switch (kind) {
    case RecordKind::kPerson: return BuildPerson(r);
    case RecordKind::kWantedNotice: return BuildNotice(r);
    case RecordKind::kRecordEntry: return BuildEntry(r);
  }
  return Fail(ErrorCode::kInternal, "unknown record kind");
}

const std::set<std::string>& ListFields() {
  static const std::set<std::string> kLists = {"given_names", "aliases"};
  return kLists;
}

void AppendEscaped(std::string& out, std::string_view s) {
  out += json::serialize(json::string_view(s.data(), s.size()));
}

class JsonObjectWriter {
 public:
  void Field(std::string_view name, std::string_view value) {
    if (value.empty()) return;
    Key(name);
    AppendEscaped(out_, value);
  }
  void List(std::string_view name, const std::vector<std::string>& values) {
    if (values.empty()) return;
    Key(name);
    out_ += '[';
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) out_ += ',';
      AppendEscaped(out_, values[i]);
    }
    out_ += ']';
  }
  std::string Finish() { return out_ + "}"; }

 private:
  void Key(std::string_view name) {
    out_ += out_.size() == 1 ? "\"" : ",\"";
    out_ += name;
    out_ += "\":";
  }
  std::string out_ = "{";
};

// Each kind's columns, and those every line needs (the JSON fields a
// record cannot be built without): a header without one would only have
// every line refused.
struct KindColumns {
  std::set<std::string, std::less<>> known;  // looked up by a line's cells as they are
  std::vector<std::string> required;
};

const KindColumns& ColumnsOf(RecordKind kind) {
  static const std::map<RecordKind, KindColumns> kColumns = {
      {RecordKind::kPerson,
       {{"id", "surname", "given_names", "birth_date", "birth_place", "sex", "nationality",
         "aliases"},
        {"id", "surname", "given_names"}}},
      {RecordKind::kWantedNotice,
       {{"id", "person_id", "reason", "issuing_authority", "reference", "valid_from", "valid_until",
         "conduct"},
        {"id", "person_id", "reason", "issuing_authority", "reference", "valid_from", "conduct"}}},
      {RecordKind::kRecordEntry,
       {{"id", "person_id", "category", "date", "role", "case_reference", "recording_service"},
        {"id", "person_id", "category", "date", "role", "case_reference", "recording_service"}}},
  };
  return kColumns.at(kind);
}

}  // namespace

Result<RecordKind> ParseRecordKind(std::string_view name) {
  if (name == "person") return RecordKind::kPerson;
  if (name == "wanted_notice") return RecordKind::kWantedNotice;
  if (name == "record_entry") return RecordKind::kRecordEntry;
  return Fail(ErrorCode::kInvalidArgument,
              "kind must be one of: person, wanted_notice, record_entry");
}

Result<ImportRecord> ParseJsonLine(std::string_view line) {
  // Security: check UTF-8 ourselves so the error is explicit, and keep the
  // parser's depth tiny: a record is a flat object.
  if (!IsValidUtf8(line)) return Fail(ErrorCode::kInvalidArgument, "line is not valid UTF-8");
  json::parse_options options;
  options.max_depth = 3;
  std::error_code ec;
  json::value value = json::parse(json::string_view(line.data(), line.size()), ec,
                                  json::storage_ptr(), options);
  if (ec) return Fail(ErrorCode::kInvalidArgument, "malformed JSON: " + ec.message());
  if (!value.is_object()) {
    return Fail(ErrorCode::kInvalidArgument, "each line must be a JSON object");
  }
  // The parser keeps the last of a repeated key: a line naming two ids, or
  // two kinds, would be imported as whichever came last. Refused instead.
  if (std::optional<std::string> twice = RepeatedJsonKey(line, options.max_depth)) {
    return Fail(ErrorCode::kInvalidArgument, "field '" + EchoedName(*twice) + "' appears twice");
  }
  std::map<std::string, FieldValue> fields;
  std::optional<RecordKind> kind;
  for (const auto& [key, v] : value.as_object()) {
    std::string name(key);
    if (name == "kind") {
      if (!v.is_string()) return Fail(ErrorCode::kInvalidArgument, "field 'kind' must be a string");
      ASSIGN_OR_RETURN(kind, ParseRecordKind(std::string_view(v.as_string())));
      continue;
    }
    FieldValue field;
    if (v.is_string()) {
      field.text = std::string(v.as_string());
    } else if (v.is_array()) {
      field.is_list = true;
      for (const auto& item : v.as_array()) {
        if (!item.is_string()) {
          return Fail(ErrorCode::kInvalidArgument,
                      "field '" + EchoedName(name) + "' must be a list of strings");
        }
        field.list.emplace_back(item.as_string());
      }
    } else if (!v.is_null()) {
      return Fail(ErrorCode::kInvalidArgument, "field '" + EchoedName(name) + "' must be a string" +
                                                   (ListFields().contains(name) ? " list" : ""));
    } else {
      field.is_null = true;  // absent, but an unknown name is still refused
    }
    if (!fields.emplace(name, std::move(field)).second) {
      return Fail(ErrorCode::kInvalidArgument, "field '" + name + "' appears twice");
    }
  }
  if (!kind) return Fail(ErrorCode::kInvalidArgument, "missing field 'kind'");
  FieldReader reader(std::move(fields));
  return Build(*kind, reader);
}

std::string ToJsonLine(const Person& p) {
  JsonObjectWriter w;
  w.Field("kind", "person");
  w.Field("id", p.external_id);
  w.Field("surname", p.surname);
  w.List("given_names", p.given_names);
  w.Field("birth_date", FormatPartialDate(p.birth_date));
  w.Field("birth_place", p.birth_place);
  if (p.sex != Sex::kUnknown) w.Field("sex", SexName(p.sex));
  w.Field("nationality", p.nationality);
  w.List("aliases", p.aliases);
  return w.Finish();
}

std::string ToJsonLine(const WantedNotice& n) {
  JsonObjectWriter w;
  w.Field("kind", "wanted_notice");
  w.Field("id", n.external_id);
  w.Field("person_id", n.person_external_id);
  w.Field("reason", WantedReasonName(n.reason));
  w.Field("issuing_authority", n.issuing_authority);
  w.Field("reference", n.reference);
  w.Field("valid_from", FormatPartialDate(n.valid_from));
  w.Field("valid_until", FormatPartialDate(n.valid_until));
  w.Field("conduct", ConductName(n.conduct));
  return w.Finish();
}

std::string ToJsonLine(const RecordEntry& e) {
  JsonObjectWriter w;
  w.Field("kind", "record_entry");
  w.Field("id", e.external_id);
  w.Field("person_id", e.person_external_id);
  w.Field("category", OffenceCategoryName(e.category));
  w.Field("date", FormatPartialDate(e.date));
  w.Field("role", EntryRoleName(e.role));
  w.Field("case_reference", e.case_reference);
  w.Field("recording_service", e.recording_service);
  return w.Finish();
}

Result<std::vector<std::string>> SplitCsvLine(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::vector<std::string> fields;
  std::string field;
  size_t i = 0;
  while (true) {
    field.clear();
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (true) {
        if (i >= line.size()) {
          return Fail(ErrorCode::kInvalidArgument, "unterminated quoted CSV field");
        }
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += line[i++];
      }
      if (i < line.size() && line[i] != ',') {
        return Fail(ErrorCode::kInvalidArgument, "text after a closing quote in a CSV field");
      }
    } else {
      while (i < line.size() && line[i] != ',') {
        if (line[i] == '"') {
          return Fail(ErrorCode::kInvalidArgument, "quote inside an unquoted CSV field");
        }
        field += line[i++];
      }
    }
    fields.push_back(field);
    if (i >= line.size()) break;
    ++i;  // the comma
  }
  return fields;
}

Result<CsvReader> CsvReader::FromHeader(RecordKind kind, std::string_view header_line) {
  if (header_line.starts_with("\xEF\xBB\xBF")) header_line.remove_prefix(3);  // BOM
  ASSIGN_OR_RETURN(std::vector<std::string> columns, SplitCsvLine(header_line));
  const KindColumns& kind_columns = ColumnsOf(kind);
  std::set<std::string> seen;
  for (const auto& c : columns) {
    if (!kind_columns.known.contains(c)) {
      return Fail(ErrorCode::kInvalidArgument, "unknown CSV column '" + EchoedName(c) + "'");
    }
    if (!seen.insert(c).second) {
      return Fail(ErrorCode::kInvalidArgument, "CSV column '" + c + "' appears twice");
    }
  }
  for (const std::string& c : kind_columns.required) {
    if (!seen.contains(c)) {
      return Fail(ErrorCode::kInvalidArgument, "missing required CSV column '" + c + "'");
    }
  }
  return CsvReader(kind, std::move(columns));
}

Result<ImportRecord> CsvReader::ParseLine(std::string_view line) const {
  if (!IsValidUtf8(line)) return Fail(ErrorCode::kInvalidArgument, "line is not valid UTF-8");
  ASSIGN_OR_RETURN(std::vector<std::string> cells, SplitCsvLine(line));
  // Files joined end to end repeat their header, in its own order or
  // columns maybe (a BOM before it too): taken as data it would be a person
  // named "Surname".
  const auto column_name = [&](std::string_view cell) {
    if (cell.starts_with("\xEF\xBB\xBF")) cell.remove_prefix(3);
    return ColumnsOf(kind_).known.contains(cell);
  };
  if (!cells.empty() && std::ranges::all_of(cells, column_name)) {
    return Fail(ErrorCode::kInvalidArgument, "the CSV header again (files joined?), not a record");
  }
  if (cells.size() != columns_.size()) {
    return Fail(ErrorCode::kInvalidArgument, "expected " + std::to_string(columns_.size()) +
                                                 " CSV fields, found " +
                                                 std::to_string(cells.size()));
  }
  std::map<std::string, FieldValue> fields;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (cells[i].empty()) continue;
    FieldValue value;
    if (ListFields().contains(columns_[i])) {
      value.is_list = true;
      size_t start = 0;
      while (start <= cells[i].size()) {
        size_t end = cells[i].find(';', start);
        if (end == std::string::npos) end = cells[i].size();
        std::string item = cells[i].substr(start, end - start);
        if (!item.empty()) value.list.push_back(std::move(item));
        start = end + 1;
      }
    } else {
      value.text = std::move(cells[i]);
    }
    fields.emplace(columns_[i], std::move(value));
  }
  FieldReader reader(std::move(fields));
  return Build(kind_, reader);
}

}  // namespace vigie::records
