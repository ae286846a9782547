// Portal's investigation use cases: reading the audit log (security
// officers; supervisors their unit's), an agent's own recent consultations,
// and for security officers the breach report and the leaked-sample check,
// the same reads `vigie breach report` and `vigie claim check` make at the
// console, here as the officer's own authenticated, audited acts.

#include <algorithm>
#include <iterator>
#include <limits>
#include <type_traits>

#include "app/audit_trail.h"
#include "app/internal/audited.h"
#include "app/investigation.h"
#include "app/portal.h"
#include "audit/audit_event_codec.h"
#include "audit/event_export.h"
#include "audit/event_search.h"
#include "crypto/random.h"
#include "crypto/signing.h"
#include "incident/breach_subjects.h"
#include "records/record_repository.h"

namespace vigie::app {
namespace {

using audit::AuditEvent;
using audit::AuditEventType;
using internal::Audited;
using internal::Now;

// The audit database, read-only, on a connection of this call's own (as
// AuditLog::Find reads), so a long read never holds up the log's writer.
Result<std::unique_ptr<store::Connection>> OpenAuditForReading(const Config& config) {
  auto db = store::Open(config.ResolveDatabaseUrl(config.audit.url),
                        {.busy_timeout_ms = config.store.busy_timeout_ms, .read_only = true});
  if (!db) return Fail(db.error().WithContext("audit log"));
  return db;
}

// What an audit search asked for, all of it (as read, supervisors' bounds
// included): its event must let an investigator read again exactly what
// was read, page by page. No surname is ever asked here in clear.
std::string AuditSearchSubject(const audit::EventFilter& filter) {
  std::string asked;
  auto add = [&](std::string_view label, std::string_view value) {
    asked += (asked.empty() ? "" : ", ") + std::string(label) + " " + std::string(value);
  };
  if (filter.person_id) add("person", std::to_string(*filter.person_id));
  if (filter.unit_id) add("unit", std::to_string(*filter.unit_id));
  if (filter.agent_id) add("agent", std::to_string(*filter.agent_id));
  if (filter.session_id) add("session", std::to_string(*filter.session_id));
  if (filter.source_address) add("address", *filter.source_address);
  if (filter.type) add("type", audit::AuditEventTypeName(*filter.type));
  if (filter.terms_hash) add("terms", "(keyed)");
  if (filter.since_unix_micros > 0) add("since", audit::Iso8601Micros(filter.since_unix_micros));
  if (filter.until_unix_micros < std::numeric_limits<int64_t>::max()) {
    add("until", audit::Iso8601Micros(filter.until_unix_micros));
  }
  if (filter.after_sequence > 0) add("after", std::to_string(filter.after_sequence));
  add("limit", std::to_string(filter.limit));
  return asked;
}

}  // namespace

// Reading one's own consultations is not itself audited: it shows the caller
// only what the log already holds about their own acts (the person ids they
// were shown, the purposes they typed; no names, no query terms in clear),
// so it reveals nothing new, and an event for it would be noise in the very
// history it shows.
Result<std::vector<AuditEvent>> Portal::OwnConsultations(const Caller& caller) {
  // Each type's latest, newest first by the (agent, time) index: however
  // long the caller's history, only what is shown is read. Through the
  // log's pooled readers: any agent may ask, as often as they like, and a
  // connection opened each time would cost the audit database a backend.
  std::vector<AuditEvent> newest;
  for (AuditEventType type : {AuditEventType::kSearch, AuditEventType::kFileOpening}) {
    ASSIGN_OR_RETURN(std::vector<AuditEvent> latest,
                     parts_.audit->Find({.agent_id = caller.agent_id,
                                         .type = type,
                                         .limit = kMaxOwnConsultations,
                                         .newest_first = true}));
    std::move(latest.begin(), latest.end(), std::back_inserter(newest));
  }
  std::sort(newest.begin(), newest.end(),
            [](const AuditEvent& a, const AuditEvent& b) { return a.sequence > b.sequence; });
  if (newest.size() > kMaxOwnConsultations) newest.resize(kMaxOwnConsultations);
  return newest;
}

Result<BreachAnswer> Portal::ReportBreach(const Caller& caller, const BreachRequest& request) {
  const auto started = Now();
  AuditEvent event =
      trail_->Administration(caller, AuditEventType::kAuditSearch, incident::BreachReadSubject(request.service_numbers, request.scope));
  auto scope = [&]() -> Result<incident::BreachScope> {
    RETURN_IF_ERROR(RequireSecurityOfficer(caller));
    RETURN_IF_ERROR(RequireSessionInGoodStanding(caller));
    incident::BreachScope selected = request.scope;
    if (request.service_numbers.size() > incident::kMaxBreachSelectors) {
      return Fail(ErrorCode::kInvalidArgument, "too many service numbers");
    }
    if (!request.service_numbers.empty()) {
      ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
      identity::AgentDirectory directory(*db, *parts_.clock, identity_options_);
      for (const std::string& service_number : request.service_numbers) {
        auto agent = directory.FindAgent(service_number);
        if (!agent && agent.error().code() == ErrorCode::kNotFound) {
          // A field of the request, not a resource of the URL: 400.
          return Fail(ErrorCode::kInvalidArgument,
                      "no agent has service number " + AuditText(service_number, 64));
        }
        if (!agent) return Fail(agent.error());
        selected.agent_ids.push_back(agent->id);
      }
    }
    RETURN_IF_ERROR(incident::ValidateBreachScope(selected));
    return selected;
  }();
  if (!scope) {
    trail_->RecordRefusal(std::move(event), scope.error(), started);
    return Fail(scope.error());
  }
  // Security: the officer's read of who was exposed is in the log, durable,
  // before anything is read; when it cannot be, nothing is (Unavailable).
  RETURN_IF_ERROR(trail_->Record(std::move(event), started));

  ASSIGN_OR_RETURN(auto audit_db, OpenAuditForReading(*parts_.config));
  BreachAnswer answer;
  // Computed against the log's latest checkpoint: while the server runs,
  // events newer than it are counted too, as unproven (breach_report.h).
  incident::BreachOptions options{
      .with_proofs = request.with_proofs,
      .max_events = kMaxBreachReportEvents,
      .reading = {.open = [this] { return OpenAuditForReading(*parts_.config); }}};
  if (request.name_subjects) {
    options.with_subjects = [this](std::vector<incident::ExposedSubject>& subjects) -> Result<void> {
      ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
      ASSIGN_OR_RETURN(auto repository, records::RecordRepository::Create(*db, *parts_.keyring));
      return incident::NameSubjects(repository, subjects);
    };
  }
  ASSIGN_OR_RETURN(answer.report,
                   incident::ComputeBreachReport(*audit_db, *scope, *parts_.clock, options));
  if (request.name_subjects) {
    // Security: the subjects' names leave with the answer, so they are named
    // in the log first, for "who consulted this person" and for a breach
    // report over this officer's own session (as a claim check's are).
    std::vector<int64_t> named;
    for (const incident::ExposedSubject& subject : answer.report.subjects) {
      if (subject.identity) named.push_back(subject.person_id);
    }
    RETURN_IF_ERROR(trail_->RecordAllBeforeAnswer(EventsNamingPersons(
        trail_->Administration(caller, AuditEventType::kAuditSearch,
                               incident::BreachReadSubject(request.service_numbers, request.scope)),
        std::move(named))));
  }
  if (answer.report.checkpoint) {
    ASSIGN_OR_RETURN(answer.checkpoint_public_key,
                     incident::CheckedCheckpointKey(*parts_.keyring, *answer.report.checkpoint));
  }
  return answer;
}

bool Portal::MayCheckClaims(const Caller& caller) const {
  return RequireSecurityOfficer(caller) && RequireSessionInGoodStanding(caller);
}

Result<incident::ClaimSummary> Portal::CheckClaim(const Caller& caller, const ClaimRequest& request,
                                                  const incident::ClaimRowSink& sink) {
  const auto started = Now();
  // The sample's name and size only: its rows are personal data.
  const std::string subject =
      "claim check: " +
      (request.sample_name.empty() ? std::string("sample") : request.sample_name) + " (" +
      std::to_string(request.sample.size()) + " bytes)";
  AuditEvent event = trail_->Administration(caller, AuditEventType::kAuditSearch, subject);
  // A sample whose columns cannot be found is refused, and logged as such,
  // before the check is recorded as done.
  Result<void> allowed = RequireSecurityOfficer(caller);
  if (allowed) allowed = RequireSessionInGoodStanding(caller);
  if (allowed) {
    if (auto readable = incident::SampleReader::Open(request.sample, request.options.format,
                                                     request.options.columns);
        !readable) {
      allowed = Fail(readable.error());
    }
  }
  if (!allowed) {
    trail_->RecordRefusal(std::move(event), allowed.error(), started);
    return Fail(allowed.error());
  }
  // Security: in the log before any row is read, as for a breach report.
  RETURN_IF_ERROR(trail_->Record(std::move(event), started));

  ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
  ASSIGN_OR_RETURN(auto repository, records::RecordRepository::Create(*db, *parts_.keyring));
  ASSIGN_OR_RETURN(auto audit_db, OpenAuditForReading(*parts_.config));
  // A fresh key for the identity hashes, drawn for this check alone.
  crypto::SystemRandom random;
  // Security: the check tells the officer which sample rows are real
  // persons, so those persons are named in the log, for "who consulted this
  // person", before `sink`'s rows leave (the caller answers once this returns).
  std::vector<int64_t> named;
  Result<incident::ClaimSummary> summary =
      incident::CheckClaim(request.sample, request.options, repository, *audit_db, random,
                           [&](const incident::ClaimRowResult& row) {
                             for (const incident::MatchedPerson& person : row.persons) {
                               named.push_back(person.person_id);
                             }
                             return sink(row);
                           });
  // Recorded together: the log's group commit gathers the parts. Even when
  // the check stopped early (the sink's bound on the answer): that it stopped
  // tells something of the persons found so far.
  if (summary || !named.empty()) {
    RETURN_IF_ERROR(trail_->RecordAllBeforeAnswer(EventsNamingPersons(
        trail_->Administration(caller, AuditEventType::kAuditSearch, subject), std::move(named))));
  }
  return summary;
}

Result<std::vector<audit::AuditEvent>> Portal::SearchAudit(const Caller& caller,
                                                           audit::EventFilter filter) {
  const auto started = Now();
  auto found = [&]() -> Result<std::vector<audit::AuditEvent>> {
    const bool officer = caller.roles.Has(identity::Role::kSecurityOfficer);
    if (!officer && !caller.roles.Has(identity::Role::kSupervisor)) {
      return Fail(ErrorCode::kPermissionDenied,
                  "only security officers and supervisors read the audit log");
    }
    RETURN_IF_ERROR(RequireNoStepUpDemanded(caller));
    if (!officer) {
      if (filter.unit_id && *filter.unit_id != caller.unit_id) {
        return Fail(ErrorCode::kPermissionDenied, "supervisors read their own unit's events only");
      }
      filter.unit_id = caller.unit_id;
      // Security: their unit's sign-ins and consultations; not the
      // administration, alerts (which may be about the supervisor) or the
      // security officers' own reads.
      constexpr auto kFirstNotForSupervisors = audit::AuditEventType::kUnitAdded;
      if (filter.type && *filter.type >= kFirstNotForSupervisors) {
        return Fail(ErrorCode::kPermissionDenied,
                    "supervisors read sign-ins and consultations only");
      }
      filter.types_below = kFirstNotForSupervisors;
    }
    filter.limit = std::min<size_t>(filter.limit, 1000);
    return parts_.audit->Find(filter);
  }();
  return Audited(
      *trail_,
      trail_->Administration(caller, AuditEventType::kAuditSearch, AuditSearchSubject(filter)),
      started, std::move(found));
}

}  // namespace vigie::app
