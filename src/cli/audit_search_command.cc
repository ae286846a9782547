// `vigie audit search`: an investigator's questions to the audit log — who
// did what, from where, when; who consulted this person; who searched for
// this name — answered as JSON Lines, one event per line.

#include <boost/json.hpp>
#include <cstdio>
#include <ctime>

#include "app/audit_trail.h"
#include "audit/audit.h"
#include "cli/commands.h"
#include "cli/installation.h"
#include "identity/identity.h"

namespace vigie::cli {
namespace {

// "YYYY-MM-DD" (that day's first or last microsecond) or "YYYY-MM-DDTHH:MM:SSZ".
Result<int64_t> ParseUtc(const std::string& text, bool end_of_day, std::string_view option) {
  std::tm tm{};
  const char* rest = strptime(text.c_str(), "%Y-%m-%d", &tm);
  bool date_only = rest != nullptr && *rest == '\0';
  if (!date_only) rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (rest == nullptr || *rest != '\0') {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(option) + " must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)");
  }
  int64_t seconds = timegm(&tm);
  if (date_only && end_of_day) seconds += 86400 - 1;
  return seconds * 1'000'000 + (date_only && end_of_day ? 999'999 : 0);
}

std::string Iso8601(int64_t unix_micros) {
  std::time_t seconds = unix_micros / 1'000'000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[80];  // room for any int the compiler can imagine
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(unix_micros % 1'000'000));
  return text;
}

boost::json::array Ids(const std::vector<int64_t>& ids) {
  boost::json::array list;
  for (int64_t id : ids) list.emplace_back(id);
  return list;
}

// One event as a JSON object; query terms stay hashed (never opened here).
boost::json::object EventJson(const audit::AuditEvent& e) {
  return {{"sequence", e.sequence},
          {"time", Iso8601(e.time_unix_micros)},
          {"type", audit::AuditEventTypeName(e.type)},
          {"agent_id", e.actor.agent_id},
          {"service_number", e.actor.service_number},
          {"unit_id", e.actor.unit_id},
          {"session_id", e.session_id},
          {"token_id_hash", crypto::HexEncode(e.token_id_hash)},
          {"dpop_jkt", e.dpop_jkt},
          {"source_address", e.source_address},
          {"user_agent", e.user_agent},
          {"purpose", e.purpose},
          {"case_reference", e.case_reference},
          {"terms_hash", crypto::HexEncode(e.query.terms_keyed_hash)},
          {"person_ids", Ids(e.person_ids)},
          {"notice_ids", Ids(e.notice_ids)},
          {"entry_ids", Ids(e.entry_ids)},
          {"outcome", e.outcome == audit::AuditOutcome::kOk ? "ok" : "refused"},
          {"refusal", e.refusal_code},
          {"latency_us", e.latency_micros},
          {"subject", e.subject},
          {"node", e.node_id}};
}

Result<audit::EventFilter> FilterFrom(const AuditSearchOptions& options, Installation& installation,
                                      const Clock& clock) {
  audit::EventFilter filter;
  identity::AgentDirectory directory(*installation.db, clock);
  if (!options.agent.empty()) {
    ASSIGN_OR_RETURN(identity::Agent agent, directory.FindAgent(options.agent));
    filter.agent_id = agent.id;
  }
  if (!options.unit.empty()) {
    ASSIGN_OR_RETURN(std::vector<identity::Unit> units, directory.ListUnits());
    auto unit = std::find_if(units.begin(), units.end(),
                             [&](const identity::Unit& u) { return u.code == options.unit; });
    if (unit == units.end()) return Fail(ErrorCode::kNotFound, "no unit " + options.unit);
    filter.unit_id = unit->id;
  }
  filter.session_id = options.session;
  if (!options.address.empty()) filter.source_address = options.address;
  if (!options.type.empty()) {
    filter.type = audit::AuditEventTypeFromName(options.type);
    if (!filter.type)
      return Fail(ErrorCode::kInvalidArgument, "unknown event type " + options.type);
  }
  filter.person_id = options.person;
  if (!options.surname.empty()) {
    ASSIGN_OR_RETURN(const crypto::DataKey* terms_key,
                     installation.keyring.Current(crypto::kPurposeAuditTerms));
    ASSIGN_OR_RETURN(filter.terms_hash, app::AuditSurnameHash(*terms_key, options.surname));
  }
  if (!options.since.empty()) {
    ASSIGN_OR_RETURN(filter.since_unix_micros, ParseUtc(options.since, false, "--since"));
  }
  if (!options.until.empty()) {
    ASSIGN_OR_RETURN(filter.until_unix_micros, ParseUtc(options.until, true, "--until"));
  }
  filter.after_sequence = options.after;
  filter.limit = options.limit;
  return filter;
}

}  // namespace

int RunAuditSearch(const std::filesystem::path& data_dir, const AuditSearchOptions& options) {
  auto installation = Installation::Open(data_dir);
  if (!installation) return ReportError(installation.error());
  SystemClock clock;
  auto filter = FilterFrom(options, *installation, clock);
  if (!filter) return ReportError(filter.error());
  auto db = store::Open(installation->AuditDatabaseUrl(), {.read_only = true});
  if (!db) return ReportError(db.error().WithContext("audit log"));
  auto events = audit::FindEvents(**db, *filter);
  if (!events) return ReportError(events.error());
  for (const audit::AuditEvent& event : *events) {
    std::printf("%s\n", boost::json::serialize(EventJson(event)).c_str());
  }
  return 0;
}

}  // namespace vigie::cli
