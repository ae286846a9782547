#include "api/records_json.h"

namespace vigie::api {
namespace {

namespace json = boost::json;

json::array Strings(const std::vector<std::string>& items) {
  json::array out;
  for (const std::string& item : items) out.emplace_back(item);
  return out;
}

json::object SummaryJson(const records::PersonSummary& s, const policy::Visibility& visibility) {
  json::object out{
      {"person_id", s.person_id},
      {"surname", s.surname},
      {"given_names", Strings(s.given_names)},
      {"birth_date", records::FormatPartialDate(s.birth_date)},
      {"birth_place", s.birth_place},
      {"score", s.score},
      {"match", json::object{{"surname", records::MatchLevelName(s.reason.surname)},
                             {"surname_via_alias", s.reason.surname_via_alias},
                             {"given_name", records::MatchLevelName(s.reason.given_name)},
                             {"birth_date", records::BirthMatchName(s.reason.birth)}}}};
  if (visibility.wanted_persons) out["wanted"] = s.wanted;
  if (visibility.criminal_records) out["record_entries"] = s.record_entries;
  return out;
}

}  // namespace

json::object SearchResultJson(const records::SearchResult& result,
                              const policy::Visibility& visibility) {
  json::array items;
  for (const records::PersonSummary& summary : result.summaries) {
    items.emplace_back(SummaryJson(summary, visibility));
  }
  return {{"total_matches", result.total_matches}, {"results", std::move(items)}};
}

json::object PersonFileJson(const records::PersonFile& file, const policy::Visibility& visibility) {
  const records::Person& p = file.person;
  json::object out{{"person_id", p.id},
                   {"surname", p.surname},
                   {"given_names", Strings(p.given_names)},
                   {"aliases", Strings(p.aliases)},
                   {"birth_date", records::FormatPartialDate(p.birth_date)},
                   {"birth_place", p.birth_place},
                   {"sex", records::SexName(p.sex)},
                   {"nationality", p.nationality}};
  if (visibility.wanted_persons) {
    json::array notices;
    for (const records::WantedNotice& n : file.notices) {
      notices.emplace_back(json::object{{"reason", records::WantedReasonName(n.reason)},
                                        {"issuing_authority", n.issuing_authority},
                                        {"reference", n.reference},
                                        {"valid_from", records::FormatPartialDate(n.valid_from)},
                                        {"valid_until", records::FormatPartialDate(n.valid_until)},
                                        {"conduct", records::ConductName(n.conduct)}});
    }
    out["wanted_notices"] = std::move(notices);
  }
  if (visibility.criminal_records) {
    json::array entries;
    for (const records::RecordEntry& e : file.entries) {
      entries.emplace_back(json::object{{"category", records::OffenceCategoryName(e.category)},
                                        {"date", records::FormatPartialDate(e.date)},
                                        {"role", records::EntryRoleName(e.role)},
                                        {"case_reference", e.case_reference},
                                        {"recording_service", e.recording_service}});
    }
    out["criminal_record_entries"] = std::move(entries);
  }
  return out;
}

}  // namespace vigie::api
