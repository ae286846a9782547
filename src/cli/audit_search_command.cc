// `vigie audit search`: an investigator's questions to the audit log — who
// did what, from where, when; who consulted this person; who searched for
// this name — answered one event per line, as JSON, syslog or CEF (so it is
// also the SIEM export, resumable with --after).

#include <algorithm>
#include <cstdio>
#include <string>

#include "app/audit_trail.h"
#include "audit/audit.h"
#include "cli/commands.h"
#include "cli/installation.h"
#include "cli/investigation_options.h"
#include "cli/operator_read.h"
#include "identity/identity.h"

namespace vigie::cli {
namespace {

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
  if (!options.address.empty()) {
    ASSIGN_OR_RETURN(filter.source_address, AddressOption(options.address, "--address"));
  }
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
    ASSIGN_OR_RETURN(filter.since_unix_micros, TimeOption(options.since, false, "--since"));
  }
  if (!options.until.empty()) {
    ASSIGN_OR_RETURN(filter.until_unix_micros, TimeOption(options.until, true, "--until"));
  }
  if (filter.since_unix_micros > filter.until_unix_micros) {
    return Fail(ErrorCode::kInvalidArgument, "--until must not be before --since");
  }
  filter.after_sequence = options.after;
  filter.limit = options.limit;
  return filter;
}

// What was asked, for the read's own event: the criteria, a surname only
// as "a surname" (terms never reach the log in clear).
std::string ReadSubject(const AuditSearchOptions& options) {
  std::string asked;
  auto add = [&](std::string_view name, const std::string& value) {
    if (value.empty()) return;
    asked += (asked.empty() ? "" : ", ") + std::string(name) + " " + value;
  };
  add("agent", options.agent);
  add("unit", options.unit);
  add("session", options.session ? std::to_string(*options.session) : "");
  add("address", options.address);
  add("type", options.type);
  add("person", options.person ? std::to_string(*options.person) : "");
  if (!options.surname.empty()) add("surname", "given");
  add("since", options.since);
  add("until", options.until);
  add("after", options.after ? std::to_string(options.after) : "");
  return "audit search: " + (asked.empty() ? std::string("everything") : asked);
}

}  // namespace

int RunAuditSearch(const std::filesystem::path& data_dir, const AuditSearchOptions& options) {
  auto format = audit::ExportFormatFromName(options.format);
  if (!format) {
    return ReportError(Error(ErrorCode::kInvalidArgument, "--format must be jsonl, syslog or cef"));
  }
  auto installation = Installation::Open(data_dir);
  if (!installation) return ReportError(installation.error());
  SystemClock clock;
  auto filter = FilterFrom(options, *installation, clock);
  if (!filter) return ReportError(filter.error());
  const std::string url = installation->AuditDatabaseUrl();
  auto db = store::Open(url, {.read_only = true});
  if (!db) return ReportError(db.error().WithContext("audit log"));
  // The answer is the log as it stands when the question is asked: the
  // read's own event, recorded next, is not in it.
  auto asked = audit::StoredLeafSource::Open(**db);
  if (!asked) return ReportError(asked.error());
  filter->before_sequence = asked->Size();
  // Security: who watches the watchers. As the API's audit search is, the
  // operator's read is in the log, durable before anything is printed (it
  // fails closed).
  if (auto recorded = RecordOperatorRead(*installation, clock, ReadSubject(options)); !recorded) {
    return ReportError(recorded.error());
  }
  // Streamed: a SIEM export of a million events holds one page (read on
  // several connections from 4 096 events), its first lines out early.
  constexpr size_t kPage = 16'384;
  auto streamed =
      audit::StreamEvents(**db, *filter, kPage,
                          [&](const audit::AuditEvent& event) {
                            std::printf("%s\n", audit::ExportEvent(event, *format).c_str());
                          },
                          {.open = [&url] { return store::Open(url, {.read_only = true}); }});
  if (!streamed) return ReportError(streamed.error());
  return 0;
}

}  // namespace vigie::cli
