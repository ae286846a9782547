#include "incident/breach_render.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <concepts>
#include <map>

#include "audit/event_export.h"
#include "core/json_writer.h"
#include "crypto/hash.h"

namespace vigie::incident {
namespace {

namespace json = boost::json;

constexpr int64_t kDayMicros = int64_t{86'400'000'000};
constexpr size_t kHtmlTimelineHours = 168;  // beyond a week of hours, print days
constexpr size_t kHtmlActorRows = 500;

std::string Time(int64_t unix_micros) { return audit::Iso8601Micros(unix_micros); }

// Appends CsvCell(text) to `out`.
void AppendCsvCell(std::string& out, std::string_view text) {
  // Security: a leading = + - @ (or tab, CR) makes spreadsheets evaluate the
  // cell; the quote makes it plain text (OWASP "CSV injection").
  const bool formula =
      !text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos;
  const bool quoted = text.find_first_of(",\"\r\n") != std::string_view::npos;
  if (quoted) out += '"';
  if (formula) out += '\'';
  if (!quoted) {
    out += text;
    return;
  }
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

template <typename T>
json::array Array(const std::vector<T>& values) {
  json::array out;
  for (const T& value : values) out.emplace_back(value);
  return out;
}

void WriteInts(JsonWriter& w, const std::vector<int64_t>& values) {
  w.BeginArray();
  for (int64_t value : values) w.Int(value);
  w.EndArray();
}

json::value Bound(int64_t micros, int64_t open_value) {
  if (micros == open_value) return nullptr;
  return json::value(Time(micros));
}

json::object ScopeJson(const BreachScope& scope) {
  return {{"agent_ids", Array(scope.agent_ids)},
          {"session_ids", Array(scope.session_ids)},
          {"dpop_jkts", Array(scope.dpop_jkts)},
          {"source_addresses", Array(scope.source_addresses)},
          {"since", Bound(scope.since_unix_micros, 0)},
          {"until", Bound(scope.until_unix_micros, std::numeric_limits<int64_t>::max())},
          {"since_unix_micros", scope.since_unix_micros},
          {"until_unix_micros", scope.until_unix_micros}};
}

json::object CountsJson(const BreachCounts& c) {
  return {{"subjects", c.subjects},
          {"summary_subjects", c.summary_subjects},
          {"full_file_subjects", c.full_file_subjects},
          {"summary_only_subjects", c.summary_only_subjects},
          {"named_subjects", c.named_subjects},
          {"wanted_notices", c.wanted_notices},
          {"record_entries", c.record_entries},
          {"records", c.records},
          {"search_events", c.search_events},
          {"file_opening_events", c.file_opening_events},
          {"investigation_events", c.investigation_events},
          {"refused_events", c.refused_events},
          {"unproven_events", c.unproven_events}};
}

json::array DatasetsJson(const BreachReport& report) {
  json::array out;
  for (const DatasetExposure& d : report.datasets) {
    json::array fields;
    for (std::string_view field : BreachFields(d.dataset, d.view)) fields.emplace_back(field);
    out.push_back(json::object{{"dataset", BreachDatasetName(d.dataset)},
                               {"view", BreachViewName(d.view)},
                               {"subjects", d.subjects},
                               {"records", d.records},
                               {"fields", std::move(fields)}});
  }
  return out;
}

std::pair<int64_t, int64_t> EventSpan(const BreachReport& report) {
  int64_t first = std::numeric_limits<int64_t>::max(), last = std::numeric_limits<int64_t>::min();
  for (const CountedEvent& e : report.events) {
    first = std::min(first, e.time_unix_micros);
    last = std::max(last, e.time_unix_micros);
  }
  return {first, last};
}

json::object TimelineJson(const BreachReport& report) {
  json::array hours, actors;
  for (const TimelineHour& h : report.timeline) {
    hours.push_back(json::object{{"hour", Time(h.hour_unix_micros)},
                                 {"searches", h.searches},
                                 {"file_openings", h.file_openings},
                                 {"investigations", h.investigations},
                                 {"persons_returned", h.persons_returned},
                                 {"new_subjects", h.new_subjects}});
  }
  for (const ActorActivity& a : report.actors) {
    actors.push_back(json::object{{"agent_id", a.agent_id},
                                  {"service_number", a.service_number},
                                  {"session_id", a.session_id},
                                  {"dpop_jkts", Array(a.dpop_jkts)},
                                  {"source_addresses", Array(a.source_addresses)},
                                  {"first", Time(a.first_unix_micros)},
                                  {"last", Time(a.last_unix_micros)},
                                  {"searches", a.searches},
                                  {"file_openings", a.file_openings},
                                  {"investigations", a.investigations},
                                  {"refused", a.refused}});
  }
  json::object out{{"first", nullptr}, {"last", nullptr}};
  if (!report.events.empty()) {
    auto [first, last] = EventSpan(report);
    out["first"] = Time(first);
    out["last"] = Time(last);
  }
  out["hours"] = std::move(hours);
  out["actors"] = std::move(actors);
  return out;
}

// About what a report's JSON takes (its subjects and events dominate).
size_t JsonSizeEstimate(const BreachReport& report) {
  return 256 * report.subjects.size() + 2048 * report.events.size() + 4096;
}

}  // namespace

Result<void> RenderBreachJson(const BreachReport& report,
                              std::span<const uint8_t> checkpoint_public_key,
                              const TextSink& sink) {
  // The small parts as boost::json values; subjects and events, megabytes at
  // scale, written straight out (core/json_writer.h) and handed on in pieces.
  std::string out;
  out.reserve(std::min(JsonSizeEstimate(report), kJsonPieceBytes + 64 * 1024));
  JsonWriter w(out);
  auto hand_on = [&](bool finished) -> Result<void> {
    if (!finished && out.size() < kJsonPieceBytes) return {};
    RETURN_IF_ERROR(sink(out));
    out.clear();  // the writer keeps its place in the document, not the text
    return {};
  };
  w.BeginObject()
      .Member("format", "vigie.breach-report.v1")
      .Member("generated", Time(report.generated_unix_micros))
      .Key("scope")
      .Raw(json::serialize(ScopeJson(report.scope)))
      .Member("log_size", report.log_size)
      .Member("proofs", report.proven)
      .Key("checkpoint");
  if (report.checkpoint) {
    json::object checkpoint = json::parse(audit::WitnessLine(*report.checkpoint)).as_object();
    checkpoint["signed_text"] = audit::CheckpointSignedText(*report.checkpoint);
    if (!checkpoint_public_key.empty()) {
      checkpoint["public_key"] = crypto::HexEncode(checkpoint_public_key);
    }
    w.Raw(json::serialize(checkpoint));
  } else {
    w.Null();
  }
  w.Key("counts").Raw(json::serialize(CountsJson(report.counts)));
  w.Key("datasets").Raw(json::serialize(DatasetsJson(report)));
  w.Key("subjects").BeginArray();
  for (const ExposedSubject& s : report.subjects) {
    w.BeginObject().Member("person_id", s.person_id).Key("in_records");
    if (report.subjects_looked_up) {
      w.Bool(s.identity.has_value());
    } else {
      w.Null();  // not looked up: unknown, not "gone"
    }
    w.Member("summary_events", s.summary_events)
        .Member("full_file_events", s.full_file_events)
        .Member("named_events", s.named_events)
        .Member("record_count_in_summary", s.record_count_in_summary);
    WriteInts(w.Key("notice_ids"), s.notice_ids);
    WriteInts(w.Key("entry_ids"), s.entry_ids);
    w.Member("first", Time(s.first_unix_micros)).Member("last", Time(s.last_unix_micros)).EndObject();
    RETURN_IF_ERROR(hand_on(false));
  }
  w.EndArray();
  w.Key("timeline").Raw(json::serialize(TimelineJson(report)));
  w.Key("events").BeginArray();
  for (const CountedEvent& e : report.events) {
    w.BeginObject()
        .Member("sequence", e.sequence)
        .Member("time", Time(e.time_unix_micros))
        .Member("type", audit::AuditEventTypeName(e.type))
        .Member("agent_id", e.agent_id)
        .Member("service_number", e.service_number)
        .Member("session_id", e.session_id)
        .Member("dpop_jkt", e.dpop_jkt)
        .Member("source_address", e.source_address)
        .Member("purpose", e.purpose)
        .Member("case_reference", e.case_reference)
        .Member("persons", uint64_t{e.persons})
        .Member("notices", uint64_t{e.notices})
        .Member("entries", uint64_t{e.entries});
    w.Key("event").Hex(e.encoded).Key("leaf_hash").Hex(e.leaf_hash).Key("inclusion_proof");
    if (e.proven) {
      w.BeginArray();
      for (const audit::Sha256Digest& hash : e.inclusion_proof) w.Hex(hash);
      w.EndArray();
    } else {
      w.Null();
    }
    w.EndObject();
    RETURN_IF_ERROR(hand_on(false));
  }
  w.EndArray().EndObject();
  out += '\n';
  return hand_on(true);
}

std::string RenderBreachJson(const BreachReport& report,
                             std::span<const uint8_t> checkpoint_public_key) {
  std::string whole;
  whole.reserve(JsonSizeEstimate(report));
  // Appending to a string cannot fail, so neither can the rendering.
  (void)RenderBreachJson(report, checkpoint_public_key,
                         [&](std::string_view piece) -> Result<void> {
                           whole += piece;
                           return {};
                         });
  return whole;
}

std::string CsvCell(std::string_view text) {
  std::string cell;
  AppendCsvCell(cell, text);
  return cell;
}

std::string RenderSubjectsCsv(const BreachReport& report) {
  // RFC 4180: CRLF line ends, a header line.
  std::string out =
      "person_id,surname,given_names,birth_date,in_records,summary_seen,full_file_opened,"
      "named_by_investigation,wanted_notices,criminal_record_entries,first_exposed_utc,last_"
      "exposed_utc\r\n";
  out.reserve(out.size() + 160 * report.subjects.size());  // appended to, not concatenated
  std::string given;
  auto number = [&](std::integral auto value) {
    char digits[24];
    out.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
  };
  auto yes_no = [&](bool yes) { out += yes ? ",yes" : ",no"; };
  for (const ExposedSubject& s : report.subjects) {
    number(s.person_id);
    out += ',';
    if (s.identity) {
      given.clear();
      for (const std::string& name : s.identity->given_names) {
        if (!given.empty()) given += ' ';
        given += name;
      }
      AppendCsvCell(out, s.identity->surname);
      out += ',';
      AppendCsvCell(out, given);
      out += ',';
      AppendCsvCell(out, records::FormatPartialDate(s.identity->birth_date));
    } else {
      out += ",,";
    }
    yes_no(s.identity.has_value());
    yes_no(s.summary_events > 0);
    yes_no(s.full_file_events > 0);
    yes_no(s.named_events > 0);
    out += ',';
    number(s.notice_ids.size());
    out += ',';
    number(s.entry_ids.size());
    out += ',';
    out += Time(s.first_unix_micros);
    out += ',';
    out += Time(s.last_unix_micros);
    out += "\r\n";
  }
  return out;
}

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {

std::string OrToComplete(const std::string& text) {
  return text.empty() ? "<em class=\"attention\">[to be completed by the controller]</em>"
                      : HtmlEscape(text);
}

// The subjects of `dataset` shown as `view` (report.datasets).
uint64_t SubjectsShown(const BreachReport& report, BreachDataset dataset, BreachView view) {
  for (const DatasetExposure& d : report.datasets) {
    if (d.dataset == dataset && d.view == view) return d.subjects;
  }
  return 0;
}

std::string DefaultConsequences(const BreachReport& report) {
  const BreachCounts& c = report.counts;
  std::string out;
  if (c.record_entries > 0) {
    out += "Criminal-record data (offences, procedures, roles as suspect or victim) of " +
           std::to_string(
               SubjectsShown(report, BreachDataset::kCriminalRecords, BreachView::kFullFile)) +
           " persons was disclosed: high risk of stigma, discrimination, pressure on victims and "
           "witnesses, and harm to the persons' reputation and employment. ";
  }
  // Investigative searches show each person's count of criminal-record
  // entries: offence data (GDPR art. 10) even without a file opened.
  if (const uint64_t counted =
          SubjectsShown(report, BreachDataset::kCriminalRecords, BreachView::kSummary);
      counted > 0) {
    out += "Whether they have criminal-record entries, and how many, was shown for " +
           std::to_string(counted) +
           " persons in search results: data relating to offences, with a high risk of stigma "
           "and discrimination. ";
  }
  if (c.wanted_notices > 0) {
    out +=
        "Wanted-person notices were disclosed: risk that persons sought are warned or flee, "
        "that ongoing investigations are compromised, and to the safety of missing or "
        "vulnerable persons. ";
  }
  if (c.full_file_subjects > 0) {
    out += "The full identity (names, aliases, birth date and place, sex, nationality) of " +
           std::to_string(c.full_file_subjects) +
           " persons was disclosed with their police file: risk of identity fraud and of being "
           "known to the police files. ";
  }
  if (c.summary_subjects > 0) {
    out += "Identity data (surname, given names, birth date and place) of " +
           std::to_string(c.summary_subjects) +
           " persons appeared in search results together with whether they are wanted: risk of "
           "identity fraud and of being known to the police files. ";
  }
  if (c.named_subjects > 0) {
    out += "The names and birth dates of " + std::to_string(c.named_subjects) +
           " persons were given by investigation tools (breach reports, leaked-sample checks) as "
           "known to the police files: risk of being known to the police files. ";
  }
  if (out.empty())
    out = "No personal data was shown to the accounts, sessions or addresses in scope.";
  return out;
}

std::string Row(std::initializer_list<std::string> cells, bool header = false) {
  std::string out = "<tr>";
  for (const std::string& cell : cells) {
    out += header ? "<th>" : "<td>";
    out += cell;  // already escaped
    out += header ? "</th>" : "</td>";
  }
  return out + "</tr>\n";
}

std::string List(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& v : values) out += (out.empty() ? "" : ", ") + HtmlEscape(v);
  return out.empty() ? "—" : out;
}

template <typename T>
std::string Numbers(const std::vector<T>& values) {
  std::vector<std::string> text;
  for (T v : values) text.push_back(std::to_string(v));
  return List(text);
}

constexpr std::string_view kStyle = R"css(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:60rem;color:#111;line-height:1.4}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;border-bottom:1px solid #999;margin-top:2rem}
.sub{color:#444}table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid #bbb;padding:.25rem .4rem;text-align:left;vertical-align:top}th{background:#eee}
td.n{text-align:right;font-variant-numeric:tabular-nums}code{font-size:.8rem;word-break:break-all}
.attention{color:#a00}.big{font-size:1.3rem;font-weight:600}
@media print{body{margin:0;max-width:none;font-size:10pt}h2{break-after:avoid}tr{break-inside:avoid}
a{color:inherit;text-decoration:none}@page{size:A4;margin:15mm}}
)css";

}  // namespace

std::string RenderBreachHtml(const BreachReport& report, const BreachNotice& notice) {
  const BreachCounts& c = report.counts;
  // The three parts of the subjects add up: files, summaries only, named only.
  const auto named_only =
      std::count_if(report.subjects.begin(), report.subjects.end(), [](const ExposedSubject& s) {
        return s.named_events > 0 && s.summary_events == 0 && s.full_file_events == 0;
      });
  const BreachScope& scope = report.scope;
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  // Security: self-contained and inert - nothing loads, nothing runs.
  h += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
       "'unsafe-inline'\">\n";
  h += "<title>Personal data breach report</title><style>" + std::string(kStyle) +
       "</style></head><body>\n";
  h += "<h1>Personal data breach report</h1>\n<p class=\"sub\">Shaped after GDPR art. 33(3) and "
       "Directive (EU) 2016/680 art. 30(3). Generated by Vigie on " +
       HtmlEscape(Time(report.generated_unix_micros)) + " from the tamper-evident audit log.</p>\n";
  h += "<table>" + Row({"Controller", OrToComplete(notice.controller)}) +
       Row({"Contact point", OrToComplete(notice.contact)}) + "</table>\n";

  h += "<h2>(a) Nature of the breach</h2>\n";
  h += "<p>Consultations of the wanted-persons and criminal-records files made by the accounts, "
       "sessions, keys or addresses below";
  h += scope.since_unix_micros > 0 ? ", from " + HtmlEscape(Time(scope.since_unix_micros)) : "";
  h += scope.until_unix_micros < std::numeric_limits<int64_t>::max()
           ? ", until " + HtmlEscape(Time(scope.until_unix_micros))
           : "";
  h += ".</p>\n<table>";
  std::vector<std::string> agents;
  for (const ActorActivity& a : report.actors) {
    if (agents.empty() || agents.back() != a.service_number) agents.push_back(a.service_number);
  }
  h += Row({"Agents (ids)", Numbers(scope.agent_ids)});
  h += Row({"Sessions", Numbers(scope.session_ids)});
  h += Row({"DPoP keys", List(scope.dpop_jkts)});
  h += Row({"Source addresses", List(scope.source_addresses)});
  h += Row({"Accounts that acted in scope", List(agents)});
  if (!report.events.empty()) {
    auto [first, last] = EventSpan(report);
    h += Row(
        {"First / last consultation", HtmlEscape(Time(first)) + " / " + HtmlEscape(Time(last))});
  }
  h += Row({"Consultations", std::to_string(c.search_events) + " searches, " +
                                 std::to_string(c.file_opening_events) + " full files opened, " +
                                 std::to_string(c.refused_events) + " refused (nothing shown), " +
                                 std::to_string(c.investigation_events) +
                                 " investigation answers naming persons"});
  h += "</table>\n";
  h += "<p>Categories of data subjects: persons recorded in the wanted-persons file and the "
       "criminal-records file (suspects, victims, persons sought, missing persons).</p>\n";
  h += "<p class=\"big\">Data subjects: " + std::to_string(c.subjects) + " (" +
       std::to_string(c.full_file_subjects) + " full files opened, " +
       std::to_string(c.summary_only_subjects) + " seen in search results only, " +
       std::to_string(named_only) +
       " only named by investigation tools). Records: " + std::to_string(c.records) + " (" +
       std::to_string(c.subjects) + " persons, " + std::to_string(c.wanted_notices) +
       " wanted notices, " + std::to_string(c.record_entries) + " criminal-record entries).</p>\n";
  h += "<p>These are exact counts from the audit log, not estimates.</p>\n";
  h += "<table>" +
       Row({"Dataset", "Shown as", "Data subjects", "Records", "Categories of data"}, true);
  for (const DatasetExposure& d : report.datasets) {
    std::vector<std::string> fields(BreachFields(d.dataset, d.view).begin(),
                                    BreachFields(d.dataset, d.view).end());
    h += Row({std::string(BreachDatasetName(d.dataset)), std::string(BreachViewName(d.view)),
              std::to_string(d.subjects), d.records ? std::to_string(d.records) : "—",
              List(fields)});
  }
  h += "</table>\n";

  h += "<h2>(b) Contact point</h2>\n<p>" + OrToComplete(notice.contact) + "</p>\n";
  h += "<h2>(c) Likely consequences</h2>\n<p>" +
       HtmlEscape(notice.consequences.empty() ? DefaultConsequences(report) : notice.consequences) +
       "</p>\n";
  h += "<h2>(d) Measures taken or proposed</h2>\n<p>" + OrToComplete(notice.measures) + "</p>\n";

  h += "<h2>Timeline</h2>\n";
  const bool by_day = report.timeline.size() > kHtmlTimelineHours;
  std::map<int64_t, TimelineHour> days;
  for (const TimelineHour& t : report.timeline) {
    const int64_t key =
        by_day ? t.hour_unix_micros - t.hour_unix_micros % kDayMicros : t.hour_unix_micros;
    TimelineHour& d = days[key];
    d.hour_unix_micros = key;
    d.searches += t.searches;
    d.file_openings += t.file_openings;
    d.investigations += t.investigations;
    d.persons_returned += t.persons_returned;
    d.new_subjects += t.new_subjects;
  }
  h += "<table>" + Row({by_day ? "Day (UTC)" : "Hour (UTC)", "Searches", "Full files",
                        "Investigations", "Persons returned", "New data subjects"},
                       true);
  for (const auto& [key, d] : days) {
    h += Row({HtmlEscape(Time(key)), std::to_string(d.searches), std::to_string(d.file_openings),
              std::to_string(d.investigations), std::to_string(d.persons_returned),
              std::to_string(d.new_subjects)});
  }
  h += "</table>\n<h3>Accounts and sessions</h3>\n<table>" +
       Row({"Agent", "Session", "DPoP keys", "Addresses", "First", "Last", "Searches", "Files",
            "Investigations", "Refused"},
           true);
  for (size_t i = 0; i < report.actors.size() && i < kHtmlActorRows; ++i) {
    const ActorActivity& a = report.actors[i];
    h += Row({HtmlEscape(a.service_number) + " (" + std::to_string(a.agent_id) + ")",
              std::to_string(a.session_id), List(a.dpop_jkts), List(a.source_addresses),
              HtmlEscape(Time(a.first_unix_micros)), HtmlEscape(Time(a.last_unix_micros)),
              std::to_string(a.searches), std::to_string(a.file_openings),
              std::to_string(a.investigations), std::to_string(a.refused)});
  }
  h += "</table>\n";
  if (report.actors.size() > kHtmlActorRows) {
    h += "<p>… and " + std::to_string(report.actors.size() - kHtmlActorRows) +
         " more sessions (see report.json).</p>\n";
  }

  h += "<h2>Integrity</h2>\n";
  if (report.checkpoint) {
    const audit::Checkpoint& cp = *report.checkpoint;
    if (report.proven) {
      // Those newer than the checkpoint carry none (said below).
      const uint64_t with_proof = report.events.size() - c.unproven_events;
      h +=
          "<p>Computed against the signed audit-log checkpoint below. report.json lists every "
          "event counted (" +
          std::to_string(report.events.size()) + "), " +
          (c.unproven_events == 0 ? std::string("each") : std::to_string(with_proof) + " of them") +
          " with its RFC 9162 inclusion proof, so anyone holding this checkpoint can check each "
          "is in the log, and anyone holding the log can re-run the selection (after `vigie "
          "audit verify`: the selection reads the log's copied columns).</p>\n<table>";
    } else {
      h += "<p class=\"attention\">Made without inclusion proofs: the " +
           std::to_string(report.events.size()) +
           " events counted are not proven against the checkpoint below (anyone holding the "
           "log can re-run the selection, or make the report again with proofs).</p>\n<table>";
    }
    h += Row({"Tree size", std::to_string(cp.tree_size)});
    h += Row({"Time", HtmlEscape(Time(cp.time_unix_micros))});
    h += Row({"Merkle root", "<code>" + crypto::HexEncode(cp.root) + "</code>"});
    h += Row({"Key id", std::to_string(cp.key_id)});
    h += Row({"Signature (base64)", "<code>" + crypto::Base64Encode(cp.signature) + "</code>"});
    h += "</table>\n";
  } else {
    h += "<p class=\"attention\">The audit log has no signed checkpoint: the events are not "
         "proven.</p>\n";
  }
  if (c.unproven_events > 0) {
    h += "<p class=\"attention\">" + std::to_string(c.unproven_events) +
         " events counted are newer than the checkpoint and carry no proof.</p>\n";
  }
  h += "</body></html>\n";
  return h;
}

}  // namespace vigie::incident
