#include "cli/render.h"

#include <boost/json.hpp>
#include <cstdio>

#include "api/records_json.h"

namespace vigie::cli {
namespace {

namespace json = boost::json;
using records::FormatPartialDate;

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += sep;
    out += items[i];
  }
  return out;
}

std::string ReasonText(const records::MatchReason& r) {
  std::string text = "surname " + std::string(records::MatchLevelName(r.surname));
  if (r.surname_via_alias) text += " (alias)";
  if (r.given_name != records::MatchLevel::kNone) {
    text += ", given " + std::string(records::MatchLevelName(r.given_name));
  }
  if (r.birth != records::BirthMatch::kNotAsked) {
    text += ", birth " + std::string(records::BirthMatchName(r.birth));
  }
  return text;
}

// Pads by display width (UTF-8 code points), not bytes.
std::string Pad(const std::string& s, size_t width) {
  size_t chars = 0;
  for (unsigned char c : s) chars += (c & 0xC0) != 0x80;
  return chars >= width ? s : s + std::string(width - chars, ' ');
}

}  // namespace

std::string RenderSearchText(const records::SearchResult& result,
                             const policy::Visibility& visibility) {
  std::string out;
  if (result.summaries.empty()) return "No match.\n";
  const bool records = visibility.criminal_records;
  out += Pad("id", 10) + Pad("surname", 22) + Pad("given names", 26) + Pad("born", 12) +
         Pad("birth place", 26) + Pad("wanted", 8) + (records ? Pad("entries", 9) : "") + "match\n";
  for (const auto& s : result.summaries) {
    out += Pad(std::to_string(s.person_id), 10) + Pad(s.surname, 22) +
           Pad(Join(s.given_names, " "), 26) + Pad(FormatPartialDate(s.birth_date), 12) +
           Pad(s.birth_place, 26) + Pad(s.wanted ? "WANTED" : "-", 8) +
           (records ? Pad(std::to_string(s.record_entries), 9) : "") + ReasonText(s.reason) + "\n";
  }
  if (result.total_matches > static_cast<int64_t>(result.summaries.size())) {
    out += std::to_string(result.summaries.size()) + " of " + std::to_string(result.total_matches) +
           " matches shown: add a given name or a full birth date to narrow the search.\n";
  }
  return out;
}

// The JSON shape is the API's.
std::string RenderSearchJson(const records::SearchResult& result,
                             const policy::Visibility& visibility) {
  return json::serialize(api::SearchResultJson(result, visibility)) + "\n";
}

std::string RenderPersonFileText(const records::PersonFile& file,
                                 const policy::Visibility& visibility) {
  const auto& p = file.person;
  std::string out;
  out += "Person " + std::to_string(p.id) + "\n";
  out += "  surname:      " + p.surname + "\n";
  out += "  given names:  " + Join(p.given_names, ", ") + "\n";
  if (!p.aliases.empty()) out += "  aliases:      " + Join(p.aliases, ", ") + "\n";
  out += "  born:         " + FormatPartialDate(p.birth_date) + " in " + p.birth_place + "\n";
  out += "  sex:          " + std::string(records::SexName(p.sex)) + "\n";
  out += "  nationality:  " + p.nationality + "\n";
  out += "Wanted notices: " + std::to_string(file.notices.size()) + "\n";
  for (const auto& n : file.notices) {
    out += "  - " + std::string(records::WantedReasonName(n.reason)) + " by " +
           n.issuing_authority + " (ref " + n.reference + "), valid " +
           FormatPartialDate(n.valid_from) + " to " +
           (n.valid_until.known() ? FormatPartialDate(n.valid_until) : "open") +
           "; conduct: " + std::string(records::ConductName(n.conduct)) + "\n";
  }
  if (!visibility.criminal_records) return out;
  out += "Criminal-record entries: " + std::to_string(file.entries.size()) + "\n";
  for (const auto& e : file.entries) {
    out += "  - " + FormatPartialDate(e.date) + " " +
           std::string(records::OffenceCategoryName(e.category)) + " as " +
           std::string(records::EntryRoleName(e.role)) + ", case " + e.case_reference + ", " +
           e.recording_service + "\n";
  }
  return out;
}

std::string RenderPersonFileJson(const records::PersonFile& file,
                                 const policy::Visibility& visibility) {
  return json::serialize(api::PersonFileJson(file, visibility)) + "\n";
}

}  // namespace vigie::cli
