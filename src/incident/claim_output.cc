#include "incident/claim_output.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <set>

#include "incident/breach_render.h"

namespace vigie::incident {
namespace {

namespace json = boost::json;

// "2026-11-29T06:20:59.217946Z", as audit::Iso8601Micros, without its libc
// formatting: a million-row check writes millions of times.
void AppendTime(std::string& out, int64_t unix_micros) {
  auto floor_div = [](int64_t a, int64_t b) { return a / b - (a % b < 0 ? 1 : 0); };
  const int64_t seconds = floor_div(unix_micros, 1'000'000);
  const int64_t micros = unix_micros - seconds * 1'000'000;
  const int64_t days = floor_div(seconds, 86'400);
  const int64_t second_of_day = seconds - days * 86'400;
  // civil_from_days (H. Hinnant): proleptic Gregorian from days since 1970-01-01.
  const int64_t z = days + 719'468;
  const int64_t era = floor_div(z, 146'097);
  const int64_t doe = z - era * 146'097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36'524 - doe / 146'096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  auto digits = [&](int64_t value, int width) {
    char buffer[8];
    for (int i = width - 1; i >= 0; --i, value /= 10)
      buffer[i] = static_cast<char>('0' + value % 10);
    out.append(buffer, static_cast<size_t>(width));
  };
  digits(year, 4);
  out.push_back('-');
  digits(month, 2);
  out.push_back('-');
  digits(day, 2);
  out.push_back('T');
  digits(second_of_day / 3600, 2);
  out.push_back(':');
  digits(second_of_day / 60 % 60, 2);
  out.push_back(':');
  digits(second_of_day % 60, 2);
  out.push_back('.');
  digits(micros, 6);
  out.push_back('Z');
}

void AppendString(std::string& out, std::string_view text) {
  out.push_back('"');
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out.append("\\u00");
      out.push_back(kHex[(c >> 4) & 0xF]);
      out.push_back(kHex[c & 0xF]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

// Appends `"name":` then the value.
void Field(std::string& out, std::string_view name, int64_t value) {
  out.push_back('"');
  out.append(name).append("\":").append(std::to_string(value));
}
void Field(std::string& out, std::string_view name, std::string_view value) {
  out.push_back('"');
  out.append(name).append("\":");
  AppendString(out, value);
}
void TimeField(std::string& out, std::string_view name, int64_t unix_micros) {
  out.push_back('"');
  out.append(name).append("\":\"");
  AppendTime(out, unix_micros);
  out.push_back('"');
}

void AppendSession(std::string& out, const SessionAccess& s) {
  out.push_back('{');
  Field(out, "session_id", s.session_id);
  out.push_back(',');
  Field(out, "agent_id", s.agent_id);
  out.push_back(',');
  Field(out, "service_number", s.service_number);
  out.push_back(',');
  Field(out, "events", s.events);
  out.push_back(',');
  TimeField(out, "first", s.first_unix_micros);
  out.push_back(',');
  TimeField(out, "last", s.last_unix_micros);
  out.push_back('}');
}

std::string Time(int64_t unix_micros) {
  std::string out;
  AppendTime(out, unix_micros);
  return out;
}

json::object SessionJson(const SessionAccess& s) {
  return {{"session_id", s.session_id},         {"agent_id", s.agent_id},
          {"service_number", s.service_number}, {"events", s.events},
          {"first", Time(s.first_unix_micros)}, {"last", Time(s.last_unix_micros)}};
}

}  // namespace

// Written by hand rather than through a JSON tree: a million rows, most of
// them one line of a few fields.
std::string ClaimRowJson(const ClaimRowResult& row) {
  std::string out = "{";
  Field(out, "row", row.row);
  out.push_back(',');
  Field(out, "line", row.line);
  out.push_back(',');
  Field(out, "verdict", ClaimVerdictName(row.verdict));
  if (row.verdict == ClaimVerdict::kInvalid) {
    out.push_back(',');
    Field(out, "error", row.error);
    out.push_back('}');
    return out;
  }
  out.append(",\"persons\":[");
  for (size_t i = 0; i < row.persons.size(); ++i) {
    const MatchedPerson& p = row.persons[i];
    out.append(i == 0 ? "{" : ",{");
    Field(out, "person_id", p.person_id);
    out.push_back(',');
    Field(out, "matched_on", p.first_given_name_only ? "first_given_name" : "all_given_names");
    out.append(p.access != nullptr ? ",\"accessed\":true" : ",\"accessed\":false");
    out.push_back(',');
    Field(out, "named_by_investigations", p.named_by_investigations);
    if (p.access != nullptr) {
      out.push_back(',');
      Field(out, "events", p.access->events);
      out.push_back(',');
      TimeField(out, "first_access", p.access->first_unix_micros);
      out.push_back(',');
      TimeField(out, "last_access", p.access->last_unix_micros);
      out.append(",\"sessions\":[");
      for (size_t j = 0; j < p.access->sessions.size(); ++j) {
        if (j > 0) out.push_back(',');
        AppendSession(out, p.access->sessions[j]);
      }
      out.append(p.access->more_sessions ? "],\"more_sessions\":true"
                                         : "],\"more_sessions\":false");
    }
    out.push_back('}');
  }
  out.append("],\"id_agrees\":");
  out.append(!row.id_agrees ? "null" : *row.id_agrees ? "true" : "false");
  out.push_back('}');
  return out;
}

std::string ClaimRowCsvHeader() {
  return "row,line,verdict,person_ids,id_agrees,events,first_access,last_access,session_ids,"
         "service_numbers,more_sessions,error,named_by_investigations";
}

// Cells as the breach report's (quoted when needed, neutralised against
// formula injection): none holds sample text today, and a column added later
// must not open a spreadsheet formula either.
std::string ClaimRowCsv(const ClaimRowResult& row) {
  std::string person_ids, session_ids, service_numbers;
  int64_t events = 0, first = 0, last = 0, named = 0;
  bool more = false;
  std::set<int64_t> sessions;
  std::set<std::string> agents;
  for (const MatchedPerson& p : row.persons) {
    person_ids += (person_ids.empty() ? "" : ";") + std::to_string(p.person_id);
    named += p.named_by_investigations;
    if (p.access == nullptr) continue;
    first =
        events == 0 ? p.access->first_unix_micros : std::min(first, p.access->first_unix_micros);
    last = events == 0 ? p.access->last_unix_micros : std::max(last, p.access->last_unix_micros);
    events += p.access->events;
    more = more || p.access->more_sessions;
    for (const SessionAccess& s : p.access->sessions) {
      sessions.insert(s.session_id);
      agents.insert(s.service_number);
    }
  }
  for (int64_t s : sessions) session_ids += (session_ids.empty() ? "" : ";") + std::to_string(s);
  for (const std::string& a : agents) service_numbers += (service_numbers.empty() ? "" : ";") + a;
  std::string agrees = row.id_agrees ? (*row.id_agrees ? "true" : "false") : "";
  return std::to_string(row.row) + "," + std::to_string(row.line) + "," +
         std::string(ClaimVerdictName(row.verdict)) + "," + person_ids + "," + agrees + "," +
         (events > 0 ? std::to_string(events) + "," + Time(first) + "," + Time(last) : ",,") + "," +
         CsvCell(session_ids) + "," + CsvCell(service_numbers) + "," +
         (events > 0 ? (more ? "true" : "false") : "") + "," + CsvCell(row.error) + "," +
         (row.verdict == ClaimVerdict::kInvalid ? "" : std::to_string(named));
}

std::string ClaimSummaryJson(const ClaimSummary& summary) {
  const ClaimTotals& t = summary.totals;
  json::object columns;
  for (SampleField field : kSampleFields) {
    const std::string& column = summary.columns[static_cast<size_t>(field)];
    columns[SampleFieldName(field)] = column.empty() ? json::value(nullptr) : json::value(column);
  }
  json::array sessions;
  for (size_t i = 0; i < std::min(summary.sessions.size(), kMaxSummarySessions); ++i) {
    json::object s = SessionJson(summary.sessions[i].access);
    s["persons_returned"] = summary.sessions[i].persons_returned;
    sessions.push_back(std::move(s));
  }
  json::object out{{"rows", t.rows},
                   {"real_and_accessed", t.real_and_accessed},
                   {"real_never_accessed", t.real_never_accessed},
                   {"no_match", t.no_match},
                   {"invalid", t.invalid},
                   {"persons_matched", t.persons_matched},
                   {"persons_accessed", t.persons_accessed},
                   {"persons_named_not_returned", t.persons_named_not_returned},
                   {"id_agrees", t.id_agrees},
                   {"id_disagrees", t.id_disagrees},
                   {"sessions_involved", summary.sessions.size()},
                   {"agents_involved", summary.agents},
                   {"access_method", summary.access_method},
                   {"columns", std::move(columns)},
                   {"sessions", std::move(sessions)}};
  return json::serialize(out);
}

std::string ClaimSummaryText(const ClaimSummary& summary) {
  const ClaimTotals& t = summary.totals;
  auto line = [](const char* format, auto... values) {
    char buffer[256];
    std::snprintf(buffer, sizeof buffer, format, values...);
    return std::string(buffer);
  };
  auto ll = [](int64_t v) { return static_cast<long long>(v); };
  std::string text = line("claim check: %lld rows\n", ll(t.rows));
  text += line("  real, returned by Vigie:  %lld\n", ll(t.real_and_accessed));
  text += line("  real, never returned:     %lld\n", ll(t.real_never_accessed));
  text += line("  no match:                 %lld (likely fabricated or from elsewhere)\n",
               ll(t.no_match));
  text += line("  invalid:                  %lld\n", ll(t.invalid));
  text += line("  persons matched: %lld, returned by Vigie: %lld\n", ll(t.persons_matched),
               ll(t.persons_accessed));
  if (t.persons_named_not_returned > 0) {
    // A stolen officer session can leak through investigations' answers.
    text += line(
        "  never returned, but named to an investigation: %lld (see vigie audit search "
        "--person)\n",
        ll(t.persons_named_not_returned));
  }
  if (t.id_agrees + t.id_disagrees > 0) {
    text += line("  id column: %lld agree, %lld disagree\n", ll(t.id_agrees), ll(t.id_disagrees));
  }
  text += line("  sessions involved: %lld (agents: %lld)\n",
               ll(static_cast<int64_t>(summary.sessions.size())), ll(summary.agents));
  const size_t shown = std::min<size_t>(summary.sessions.size(), 10);
  for (size_t i = 0; i < shown; ++i) {
    const SessionInvolved& s = summary.sessions[i];
    text += line("    session %lld  %s  %lld persons returned  %s .. %s\n", ll(s.access.session_id),
                 s.access.service_number.c_str(), ll(s.persons_returned),
                 Time(s.access.first_unix_micros).c_str(), Time(s.access.last_unix_micros).c_str());
  }
  if (summary.sessions.size() > shown) {
    text += line("    ... %lld more (--json lists %lld)\n",
                 ll(static_cast<int64_t>(summary.sessions.size() - shown)),
                 ll(static_cast<int64_t>(std::min(summary.sessions.size(), kMaxSummarySessions))));
  }
  return text;
}

}  // namespace vigie::incident
