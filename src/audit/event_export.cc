#include "audit/event_export.h"

#include <boost/json.hpp>
#include <cstdio>
#include <ctime>

#include "core/utf8.h"
#include "crypto/hash.h"

namespace vigie::audit {
namespace {

std::string JoinIds(const std::vector<int64_t>& ids) {
  std::string out;
  for (int64_t id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
  return out;
}

boost::json::array IdArray(const std::vector<int64_t>& ids) {
  boost::json::array list;
  for (int64_t id : ids) list.emplace_back(id);
  return list;
}

bool Refused(const AuditEvent& e) { return e.outcome == AuditOutcome::kRefused; }

// Security: free text is made safe when it is recorded (AuditText), and again
// here, so that no event - from an older build, another node, or a path that
// forgot - can break a SIEM's record in two (a line break) or feed it bytes
// that are not UTF-8.
std::string Safe(std::string_view text) { return DisplaySafe(text, text.size()); }

std::string Json(const AuditEvent& e) {
  boost::json::object line{{"sequence", e.sequence},
                           {"time", Iso8601Micros(e.time_unix_micros)},
                           {"type", AuditEventTypeName(e.type)},
                           {"agent_id", e.actor.agent_id},
                           {"service_number", Safe(e.actor.service_number)},
                           {"unit_id", e.actor.unit_id},
                           {"session_id", e.session_id},
                           {"token_id_hash", crypto::HexEncode(e.token_id_hash)},
                           {"dpop_jkt", Safe(e.dpop_jkt)},
                           {"source_address", Safe(e.source_address)},
                           {"user_agent", Safe(e.user_agent)},
                           {"purpose", Safe(e.purpose)},
                           {"case_reference", Safe(e.case_reference)},
                           {"terms_hash", crypto::HexEncode(e.query.terms_keyed_hash)},
                           {"person_ids", IdArray(e.person_ids)},
                           {"notice_ids", IdArray(e.notice_ids)},
                           {"entry_ids", IdArray(e.entry_ids)},
                           {"outcome", Refused(e) ? "refused" : "ok"},
                           {"refusal", Safe(e.refusal_code)},
                           {"latency_us", e.latency_micros},
                           {"subject", Safe(e.subject)},
                           {"node", Safe(e.node_id)}};
  return boost::json::serialize(line);
}

// RFC 5424 §6.3.3: '"', '\' and ']' are escaped in parameter values.
std::string SdValue(std::string_view raw) {
  std::string out;
  for (char c : Safe(raw)) {
    if (c == '"' || c == '\\' || c == ']') out += '\\';
    out += c;
  }
  return out;
}

// RFC 5424 HOSTNAME, APP-NAME...: printable US-ASCII without spaces, or "-".
std::string Header(std::string_view text, size_t max) {
  std::string out;
  for (char c : text.substr(0, max)) out += (c > 32 && c < 127) ? c : '_';
  return out.empty() ? "-" : out;
}

std::string Syslog(const AuditEvent& e) {
  // Facility 13 (log audit); severity 4 (warning) for a refusal, 6 (info) otherwise.
  const int pri = 13 * 8 + (Refused(e) ? 4 : 6);
  std::string sd = "[vigie@32473 seq=\"" + std::to_string(e.sequence) + "\"";
  auto param = [&](std::string_view name, std::string_view value) {
    if (!value.empty()) sd += " " + std::string(name) + "=\"" + SdValue(value) + "\"";
  };
  param("agent", std::to_string(e.actor.agent_id));
  param("service_number", e.actor.service_number);
  param("unit", std::to_string(e.actor.unit_id));
  param("session", std::to_string(e.session_id));
  param("src", e.source_address);
  param("purpose", e.purpose);
  param("case", e.case_reference);
  param("persons", JoinIds(e.person_ids));
  param("notices", JoinIds(e.notice_ids));
  param("entries", JoinIds(e.entry_ids));
  param("subject", e.subject);
  param("outcome", Refused(e) ? "refused" : "ok");
  param("refusal", e.refusal_code);
  sd += "]";
  return "<" + std::to_string(pri) + ">1 " + Iso8601Micros(e.time_unix_micros) + " " +
         Header(e.node_id, 255) + " vigie - " + Header(AuditEventTypeName(e.type), 32) + " " + sd +
         " " + std::string(AuditEventTypeName(e.type)) + " by " +
         Header(e.actor.service_number, 64);
}

// CEF: '\' and '|' are escaped in the header; '\', '=' and line breaks in values.
std::string CefHeader(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || c == '|') out += '\\';
    out += c;
  }
  return out;
}

std::string CefValue(std::string_view raw) {
  std::string out;
  for (char c : Safe(raw)) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      if (c == '\\' || c == '=') out += '\\';
      out += c;
    }
  }
  return out;
}

std::string Cef(const AuditEvent& e) {
  std::string line = "CEF:0|Vigie|Vigie|1|" + std::to_string(static_cast<int>(e.type)) + "|" +
                     CefHeader(AuditEventTypeName(e.type)) + "|" + (Refused(e) ? "6" : "3") + "|";
  std::string ext;
  auto field = [&](std::string_view key, std::string_view value) {
    if (value.empty()) return;
    ext += (ext.empty() ? "" : " ") + std::string(key) + "=" + CefValue(value);
  };
  // Milliseconds, floored as Iso8601Micros floors.
  const int64_t millis = e.time_unix_micros / 1000 - (e.time_unix_micros % 1000 < 0 ? 1 : 0);
  field("rt", std::to_string(millis));
  field("suid", std::to_string(e.actor.agent_id));
  field("suser", e.actor.service_number);
  field("src", e.source_address);
  field("requestClientApplication", e.user_agent);
  field("act", AuditEventTypeName(e.type));
  field("outcome", Refused(e) ? "failure" : "success");
  field("reason", e.refusal_code);
  field("dvchost", e.node_id);
  field("cn1Label", "sequence");
  field("cn1", std::to_string(e.sequence));
  field("cn2Label", "session");
  field("cn2", std::to_string(e.session_id));
  field("cs1Label", "purpose");
  field("cs1", e.purpose);
  field("cs2Label", "caseReference");
  field("cs2", e.case_reference);
  field("cs3Label", "personIds");
  field("cs3", JoinIds(e.person_ids));
  field("cs4Label", "subject");
  field("cs4", e.subject);
  field("cs5Label", "unit");
  field("cs5", std::to_string(e.actor.unit_id));
  // What was shown besides the persons: a SIEM reading CEF alone must see
  // every notice and record entry, as one reading JSON lines or syslog does.
  field("cs6Label", "noticeIds");
  field("cs6", JoinIds(e.notice_ids));
  field("flexString1Label", "entryIds");
  field("flexString1", JoinIds(e.entry_ids));
  return line + ext;
}

}  // namespace

std::optional<ExportFormat> ExportFormatFromName(std::string_view name) {
  if (name == "jsonl") return ExportFormat::kJsonLines;
  if (name == "syslog") return ExportFormat::kSyslog;
  if (name == "cef") return ExportFormat::kCef;
  return std::nullopt;
}

std::string Iso8601Micros(int64_t unix_micros) {
  // Floored: a time before 1970 (no writer makes one; a forged row may) is
  // the second before, plus micros, not "-00001".
  std::time_t seconds = unix_micros / 1'000'000;
  int64_t micros = unix_micros % 1'000'000;
  if (micros < 0) {
    micros += 1'000'000;
    --seconds;
  }
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[80];  // room for any int the compiler can imagine
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(micros));
  return text;
}

Result<int64_t> ParseUtcMicros(std::string_view text, bool end_of_day) {
  auto refused = [] {
    return Fail(ErrorCode::kInvalidArgument,
                "a time must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC), a real date");
  };
  // Exactly these shapes, digit by digit: strptime let spaces in, and
  // timegm moved 2026-02-30 to 2 March without a word.
  constexpr std::string_view kDate = "dddd-dd-dd", kTime = "dddd-dd-ddTdd:dd:ddZ";
  const bool date_only = text.size() == kDate.size();
  const std::string_view shape = date_only ? kDate : kTime;
  if (text.size() != shape.size()) return refused();
  for (size_t i = 0; i < shape.size(); ++i) {
    const bool digit = text[i] >= '0' && text[i] <= '9';
    if (shape[i] == 'd' ? !digit : text[i] != shape[i]) return refused();
  }
  auto number = [&](size_t at, size_t digits) {
    int value = 0;
    for (size_t i = at; i < at + digits; ++i) value = value * 10 + (text[i] - '0');
    return value;
  };
  std::tm tm{};
  tm.tm_year = number(0, 4) - 1900;
  tm.tm_mon = number(5, 2) - 1;
  tm.tm_mday = number(8, 2);
  if (!date_only) {
    tm.tm_hour = number(11, 2);
    tm.tm_min = number(14, 2);
    tm.tm_sec = number(17, 2);
  }
  const std::tm asked = tm;
  const std::time_t seconds = timegm(&tm);
  std::tm back{};
  gmtime_r(&seconds, &back);
  if (back.tm_year != asked.tm_year || back.tm_mon != asked.tm_mon ||
      back.tm_mday != asked.tm_mday || back.tm_hour != asked.tm_hour ||
      back.tm_min != asked.tm_min || back.tm_sec != asked.tm_sec) {
    return refused();  // no such day or time (31 November, 24:00:00, a leap second)
  }
  const int64_t micros = static_cast<int64_t>(seconds) * 1'000'000;
  if (!end_of_day) return micros;
  // An inclusive end takes in the whole day, or the whole second, it names.
  return micros + (date_only ? 86'400'000'000 : 1'000'000) - 1;
}

std::string ExportEvent(const AuditEvent& event, ExportFormat format) {
  switch (format) {
    case ExportFormat::kJsonLines:
      return Json(event);
    case ExportFormat::kSyslog:
      return Syslog(event);
    case ExportFormat::kCef:
      return Cef(event);
  }
  return Json(event);
}

}  // namespace vigie::audit
