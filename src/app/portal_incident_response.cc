// Portal's incident response: alerts for security officers, containment and
// its release (src/incident), each audited with who did it and why.

#include <set>
#include <string>

#include "app/audit_trail.h"
#include "app/detection_response.h"
#include "app/internal/alerts_seen.h"
#include "app/internal/audited.h"
#include "app/portal.h"
#include "audit/audit_event_codec.h"
#include "core/log.h"

namespace vigie::app {

using audit::AuditEvent;
using audit::AuditEventType;
using internal::Audited;
using internal::AuditedBeforeCommit;
using internal::Now;

Result<std::vector<detect::Alert>> Portal::ListAlerts(const Caller& caller,
                                                      const detect::AlertQuery& query) {
  RETURN_IF_ERROR(RequireSecurityOfficer(caller));
  ASSIGN_OR_RETURN(std::vector<detect::Alert> alerts, [&]() -> Result<std::vector<detect::Alert>> {
    ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
    return detect::AlertStore(*db, *parts_.clock).List(query);
  }());
  std::vector<int64_t> shown;
  shown.reserve(alerts.size());
  for (const detect::Alert& alert : alerts) shown.push_back(alert.id);
  // Security: alerts name decoys and agents under suspicion. Who was shown
  // which is in the log before the answer leaves - once per session and
  // alert, so the UI's polls do not drown the log.
  // The local operator (session 0) is not remembered: always recorded.
  const bool remembered = caller.session_id != 0;
  const std::vector<int64_t> unseen =
      remembered ? alerts_seen_->Unseen(caller.session_id, shown) : shown;
  if (unseen.empty()) return alerts;
  // As many events as the ids need, each within the log's short text.
  std::vector<AuditEvent> events;
  const std::string head = "alerts shown: " + std::to_string(unseen.size()) + " new, ids";
  for (size_t i = 0; i < unseen.size();) {
    std::string subject = head;
    for (; i < unseen.size(); ++i) {
      const std::string id = " " + std::to_string(unseen[i]);
      if (subject.size() + id.size() > audit::kMaxAuditShortText) break;
      subject += id;
    }
    events.push_back(trail_->Administration(caller, AuditEventType::kAuditSearch, subject));
  }
  RETURN_IF_ERROR(trail_->RecordAllBeforeAnswer(std::move(events)));
  if (remembered) alerts_seen_->Remember(caller.session_id, unseen);
  return alerts;
}

Result<detect::Alert> Portal::AcknowledgeAlert(const Caller& caller, int64_t alert_id,
                                               std::string_view note) {
  const auto started = Now();
  AuditEvent event = trail_->Administration(caller, AuditEventType::kAlertAcknowledged,
                                            "alert " + std::to_string(alert_id));
  // The officer's why, in the log that nobody can alter (the alert's own
  // row can be).
  event.purpose = AuditText(note, audit::kMaxAuditText);
  // Security: an acknowledgement silences an alert, as a stolen officer's
  // session would want: never without its event (durable before it commits).
  return AuditedBeforeCommit<detect::Alert, detect::Alert>(
      *trail_, std::move(event), started, [](AuditEvent&, const detect::Alert&) {},
      [&](const detect::AlertStore::BeforeCommit& before_commit) -> Result<detect::Alert> {
        RETURN_IF_ERROR(RequireSecurityOfficer(caller));
        RETURN_IF_ERROR(RequireNoStepUpDemanded(caller));
        ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
        return detect::AlertStore(*db, *parts_.clock)
            .Acknowledge(alert_id, caller.service_number, note, before_commit);
      });
}

namespace {

std::string IncidentSubject(const incident::Incident& incident, std::string_view what) {
  std::string subject = "incident " + std::to_string(incident.id) + ": " + std::string(what) + " " +
                        incident.scope + ", " + std::to_string(incident.agent_count) + " agents";
  if (incident.lockdown) subject += ", lock-down";
  return subject;
}

// What an incident's act did is committed; its events are not in the log.
void EventsUnrecorded(int64_t incident_id, const Error& error) {
  Log(LogLevel::kError, "incident_events_unrecorded",
      {{"incident", incident_id}, {"error", error.message()}});
}

}  // namespace

Result<incident::Contained> Portal::Contain(const Caller& caller,
                                            incident::ContainRequest request) {
  const auto started = Now();
  request.by = caller.service_number;
  AuditEvent event = trail_->Administration(caller, AuditEventType::kIncidentAction, "");
  event.purpose = AuditText(request.reason, audit::kMaxAuditText);
  auto contained = [&]() -> Result<incident::Contained> {
    RETURN_IF_ERROR(RequireSecurityOfficer(caller));
    ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
    return incident::Containment(*db, *parts_.clock, identity_options_, session_options_)
        .Contain(request);
  }();
  if (!contained) {
    trail_->RecordRefusal(std::move(event), contained.error(), started);
    return contained;
  }
  // Who did it and why: the incident, then each agent it suspended.
  std::string subject = IncidentSubject(contained->incident, "contained");
  if (!contained->not_suspended.empty()) {
    subject += ", " + std::to_string(contained->not_suspended.size()) + " not suspended";
  }
  if (!contained->released_meanwhile.empty()) {
    subject += ", " + std::to_string(contained->released_meanwhile.size()) + " released meanwhile";
  }
  event.subject = AuditText(subject, audit::kMaxAuditShortText);
  // Committed already: the incident's event and each agent's are durable
  // together however long the log takes (a deadline giving up after the
  // first would leave the suspensions unrecorded).
  std::vector<AuditEvent> suspensions;
  suspensions.push_back(std::move(event));
  for (const std::string& service_number : contained->incident.agents) {
    if (std::ranges::find(contained->not_suspended, service_number) !=
            contained->not_suspended.end() ||
        std::ranges::find(contained->released_meanwhile, service_number) !=
            contained->released_meanwhile.end()) {
      continue;
    }
    AuditEvent suspended =
        trail_->Administration(caller, AuditEventType::kAgentSuspended, service_number);
    suspended.purpose = "incident " + std::to_string(contained->incident.id);
    suspensions.push_back(std::move(suspended));
  }
  // Security: the containment stands whatever the log. A failure to record
  // is said in the answer, not as an error: that would read as a containment
  // refused, and an officer would contain again or take the agents for free.
  if (Result<void> recorded = trail_->RecordAll(std::move(suspensions), started); !recorded) {
    EventsUnrecorded(contained->incident.id, recorded.error());
    contained->events_recorded = false;
  }
  return contained;
}

Result<incident::Released> Portal::ReleaseIncident(const Caller& caller, int64_t incident_id,
                                                   incident::ReleaseMode mode,
                                                   std::string_view reason) {
  const auto started = Now();
  AuditEvent event = trail_->Administration(caller, AuditEventType::kIncidentReleased,
                                            "incident " + std::to_string(incident_id));
  std::set<std::string> recorded;  // agents whose act is in the log already
  const std::string_view what =
      mode == incident::ReleaseMode::kReset ? "released (reset)" : "released";
  event.purpose = AuditText(reason, audit::kMaxAuditText);
  auto released = [&]() -> Result<incident::Released> {
    RETURN_IF_ERROR(RequireSecurityOfficer(caller));
    RETURN_IF_ERROR(RequireNoStepUpDemanded(caller));
    ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
    // An agent's credentials are erased only once its reset is in the log, and
    // an agent is back in service only once its reinstatement is.
    auto audit_before_commit = [&](AuditEventType type) {
      return [&, type](const identity::Agent& agent) -> Result<void> {
        AuditEvent act = trail_->Administration(caller, type, agent.service_number);
        act.purpose = "incident " + std::to_string(incident_id);
        RETURN_IF_ERROR(trail_->Record(std::move(act), started));
        recorded.insert(agent.service_number);
        return {};
      };
    };
    // The release itself (its lock-down lifted) commits only once recorded.
    auto record_release = [&](const incident::Incident& incident) -> Result<void> {
      AuditEvent release = event;
      release.subject = AuditText(IncidentSubject(incident, what), audit::kMaxAuditShortText);
      return trail_->Record(std::move(release), started);
    };
    return incident::Containment(*db, *parts_.clock, identity_options_, session_options_)
        .Release(incident_id, caller.service_number, mode,
                 audit_before_commit(AuditEventType::kAgentReset),
                 audit_before_commit(AuditEventType::kAgentReinstated), record_release,
                 audit_before_commit(AuditEventType::kAgentSuspended));
  }();
  if (!released) {
    trail_->RecordRefusal(std::move(event), released.error(), started);
    return released;
  }
  if (!released->reinstated.empty()) refusal_pricer_->Stale();  // as ReinstateAgent
  // Who the release left barred is part of what it did: the log says how
  // many (in a second event, the release's own being in the log since its
  // commit), the answer names them. A release run again to finish one cut
  // short is recorded here.
  std::string subject = IncidentSubject(released->incident, what);
  bool barred = false;
  for (const auto& [count, left] :
       {std::pair{released->kept_suspended.size(), "kept suspended"},
        std::pair{released->still_contained.size(), "still held by another incident"},
        std::pair{released->not_released.size(), "not released"}}) {
    if (count > 0) subject += ", " + std::to_string(count) + " " + left;
    barred = barred || count > 0;
  }
  event.subject = AuditText(subject, audit::kMaxAuditShortText);
  // Reinstatements not recorded before their commit (none, unless the
  // caller's hooks were bypassed): recorded now, together, no deadline.
  std::vector<AuditEvent> reinstated;
  if (!released->released_now || barred) reinstated.push_back(std::move(event));
  for (const identity::Agent& agent : released->reinstated) {
    if (recorded.contains(agent.service_number)) continue;  // in the log before its commit
    AuditEvent back =
        trail_->Administration(caller, AuditEventType::kAgentReinstated, agent.service_number);
    back.purpose = "incident " + std::to_string(incident_id);
    reinstated.push_back(std::move(back));
  }
  if (Result<void> logged = trail_->RecordAll(std::move(reinstated), started); !logged) {
    EventsUnrecorded(incident_id, logged.error());  // as a containment's
    released->events_recorded = false;
  }
  return released;
}

Result<std::vector<incident::Incident>> Portal::ListIncidents(const Caller& caller,
                                                              bool open_only) {
  RETURN_IF_ERROR(RequireSecurityOfficer(caller));
  ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
  return incident::Containment(*db, *parts_.clock, identity_options_, session_options_)
      .List(open_only);
}

Result<std::vector<incident::HeldAgent>> Portal::IncidentAgents(const Caller& caller,
                                                                int64_t incident_id,
                                                                int64_t after_agent_id,
                                                                size_t limit) {
  RETURN_IF_ERROR(RequireSecurityOfficer(caller));
  ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
  return incident::Containment(*db, *parts_.clock, identity_options_, session_options_)
      .HeldAgents(incident_id, after_agent_id, limit);
}

Result<void> Portal::ReloadCanaries(store::Connection& db) {
  return detection_ ? detection_->LoadCanaries(db) : Result<void>{};
}

}  // namespace vigie::app
