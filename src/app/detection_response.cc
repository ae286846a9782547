#include "app/detection_response.h"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>

#include "app/audit_trail.h"
#include "app/internal/detection_history.h"
#include "core/log.h"
#include "identity/agent_directory.h"
#include "incident/containment.h"
#include "policy/purpose.h"
#include "records/name_normaliser.h"
#include "records/search.h"
#include "session/session_store.h"
#include "session/step_up_tracker.h"
#include "store/retry.h"

namespace vigie::app {
namespace {

using audit::AuditEvent;
using audit::AuditEventType;

constexpr std::string_view kEndDetection = "suspended_by_detection";

// How long a judgement keeps trying what may pass (a busy database):
// actions are due within a second of their event.
constexpr std::chrono::seconds kBriefly{1};
// Judging again at start, before serving: a database restarting with the
// node gets longer, and what still fails stops the start (JudgeAgain).
constexpr std::chrono::seconds kCatchUpPatience{5};

// A failure that may pass (a database busy or restarting) that lasted out
// the patience leaves the response to be made later: the error, with what
// was being done. A catch-up then stops the start before the mark moves past
// the event (the next start judges it again); a live judgement hands it to
// the deferred responses. A failure that will not pass: nothing, reported by
// the caller, and the judgement goes on.
template <typename T>
Result<void> LeftForLater(const Result<T>& outcome, std::string_view doing, uint64_t sequence) {
  if (outcome || !store::MayPass(outcome.error())) return {};
  return Fail(
      outcome.error().WithContext(std::string(doing) + " event " + std::to_string(sequence)));
}

}  // namespace

Caller DetectionSystem() {
  Caller system;
  system.service_number = "vigie-detect";
  system.source_address = "local";
  system.user_agent = "vigie detection";
  return system;
}

DetectionResponse::DetectionResponse(const PortalParts& parts, AuditTrail& trail,
                                     const identity::IdentityOptions& identity,
                                     const session::SessionOptions& sessions,
                                     detect::DetectOptions options)
    : parts_(parts),
      trail_(trail),
      identity_(identity),
      sessions_(sessions),
      detector_(
          std::move(options), internal::HistoryFrom(parts.audit),
          [log = parts.audit](int64_t agent_id, uint64_t after, uint64_t before) {
            return log->ForeignEventsOf(agent_id, after, before);
          },
          internal::LastSeenFrom(parts.audit),
          [this](uint64_t sequence) {
            std::lock_guard lock(progress_mutex_);
            return unobserved_.contains(sequence);
          },
          [this](const AuditEvent& search) { return TermsOf(search); }) {}

Result<void> DetectionResponse::LoadCanaries() {
  ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
  return LoadCanaries(*db);
}

Result<void> DetectionResponse::LoadCanaries(store::Connection& db) {
  ASSIGN_OR_RETURN(std::vector<int64_t> canaries, detect::ListCanaries(db));
  detector_.SetCanaries(canaries);
  return {};
}

std::optional<detect::SearchTerms> DetectionResponse::TermsOf(const AuditEvent& event) const {
  if (event.type != AuditEventType::kSearch || event.query.sealed_terms.empty()) {
    return std::nullopt;
  }
  // The event holds the terms sealed; the sweep rules need them in order.
  auto text = trail_.OpenTerms(event.query.sealed_terms);
  if (!text) return std::nullopt;
  boost::system::error_code error;
  boost::json::value terms = boost::json::parse(*text, error);
  if (error || !terms.is_object()) return std::nullopt;
  const boost::json::object& object = terms.as_object();
  detect::SearchTerms out;
  if (const auto* surname = object.if_contains("surname"); surname && surname->is_string()) {
    auto normalised = records::NormaliseName(std::string_view(surname->as_string()));
    out.surname = normalised ? *normalised : std::string(surname->as_string());
  }
  // Only a given name spelled out makes the search a full identity's, which
  // counts as linked to a purpose: one space or one letter would otherwise
  // switch the enumeration rule off. (Events sealed before blank given names
  // were left out may hold one.)
  if (const auto* given = object.if_contains("given_name"); given && given->is_string()) {
    out.given_name = records::IsGivenNameSpelledOut(std::string_view(given->as_string()));
  }
  if (const auto* birth = object.if_contains("birth_date"); birth && birth->is_string()) {
    out.birth_date = std::string(birth->as_string());
  }
  auto purpose = policy::ParsePurpose(event.purpose);
  out.inquiry = purpose && policy::PurposeAllowsCriminalRecords(*purpose);
  if (const auto* scope = object.if_contains("scope"); scope && scope->is_string()) {
    out.wanted_only = scope->as_string() == AuditTrail::kWantedTodayScope;
  } else {
    // Events sealed before the scope was: the purpose alone decided it then.
    out.wanted_only = !out.inquiry;
  }
  return out;
}

void DetectionResponse::OnDurable(const AuditEvent& event) {
  // One lock for both: this runs for every event, on the appending thread.
  std::lock_guard lock(progress_mutex_);
  judging_.insert(event.sequence);
  unobserved_.insert(event.sequence);
}

void DetectionResponse::OnRecorded(const AuditEvent& event) {
  const JudgingDone done{*this, event.sequence};
  (void)Judge(event, /*again=*/false);  // what failed is logged, deferred or in the alert
}

void DetectionResponse::OnRecordedLate(const AuditEvent& event) {
  if (!late_events_.Post([this, event] {
        const JudgingDone done{*this, event.sequence};
        (void)Judge(event, /*again=*/false);
      })) {
    Observed(event.sequence);
    EndJudging(event.sequence);
    Log(LogLevel::kError, "detect_late_event_dropped",
        {{"sequence", event.sequence}, {"reason", "too many late events waiting"}});
  }
}

Result<void> DetectionResponse::Judge(const AuditEvent& event, bool again) {
  std::optional<detect::SearchTerms> terms = TermsOf(event);
  std::vector<detect::Finding> findings;
  {
    struct ObservedOnExit {
      DetectionResponse& detection;
      uint64_t sequence;
      ~ObservedOnExit() { detection.Observed(sequence); }
    } observed{*this, event.sequence};
    findings = detector_.Observe(event, terms ? &*terms : nullptr);
  }
  for (const detect::Finding& finding : findings) {
    // An earlier event judged again (its history read at last) is answered
    // as that event: the alert names its session and address, not these.
    const AuditEvent& fired_by = finding.earlier_event ? *finding.earlier_event : event;
    if (again) {
      ASSIGN_OR_RETURN(bool raised, AlreadyRaised(fired_by, finding));
      if (raised) continue;
    }
    Result<void> responded = Respond(fired_by, finding, again);
    if (responded) continue;
    if (again) return responded;
    Defer(fired_by, finding, responded.error());
  }
  return {};
}

void DetectionResponse::Defer(const AuditEvent& event, const detect::Finding& finding,
                              const Error& why) {
  // Tried for an hour: a failure that lasts longer is not one that passes,
  // and the mark held meanwhile would have the next start judge every event
  // since.
  constexpr std::chrono::hours kGivenUpAfter{1};
  BeginJudging(event.sequence);  // until made, the mark stays below the event
  const auto due = std::chrono::steady_clock::now() + kGivenUpAfter;
  const bool queued = deferred_.Post([this, event, finding, due] {
    // As a catch-up would: passed over if its alert is stored (an attempt
    // whose reply was lost), each step tried for a few seconds. A throw
    // gives the attempt up (RetryingWorker): the mark must not stay held.
    Result<void> made;
    try {
      made = [&]() -> Result<void> {
        ASSIGN_OR_RETURN(bool raised, AlreadyRaised(event, finding));
        if (raised) return {};
        return Respond(event, finding, /*again=*/true);
      }();
    } catch (...) {
      EndJudging(event.sequence);
      throw;
    }
    if (!made && std::chrono::steady_clock::now() < due) {
      Log(LogLevel::kWarn, "detect_response_still_deferred",
          {{"sequence", event.sequence}, {"error", made.error().message()}});
      return false;
    }
    if (made) {
      Log(LogLevel::kInfo, "detect_response_made",
          {{"sequence", event.sequence}, {"rule", detect::RuleName(finding.rule)}});
    } else {
      Log(LogLevel::kError, "detect_response_abandoned",
          {{"sequence", event.sequence},
           {"rule", detect::RuleName(finding.rule)},
           {"error", made.error().message()}});
    }
    EndJudging(event.sequence);
    return true;
  });
  if (queued) {
    Log(LogLevel::kError, "detect_response_deferred",
        {{"sequence", event.sequence},
         {"rule", detect::RuleName(finding.rule)},
         {"error", why.message()}});
    return;
  }
  // Too many waiting (or the node stopping), as for a full late queue.
  EndJudging(event.sequence);
  Log(LogLevel::kError, "detect_response_dropped",
      {{"sequence", event.sequence},
       {"rule", detect::RuleName(finding.rule)},
       {"error", why.message()},
       {"reason", "too many responses deferred"}});
}

void DetectionResponse::BeginJudging(uint64_t sequence) {
  std::lock_guard lock(progress_mutex_);
  judging_.insert(sequence);
}

void DetectionResponse::EndJudging(uint64_t sequence) {
  std::lock_guard lock(progress_mutex_);
  if (auto it = judging_.find(sequence); it != judging_.end()) judging_.erase(it);
  next_to_judge_ = std::max(next_to_judge_, sequence + 1);
}

void DetectionResponse::Observed(uint64_t sequence) {
  std::lock_guard lock(progress_mutex_);
  if (auto it = unobserved_.find(sequence); it != unobserved_.end()) unobserved_.erase(it);
}

uint64_t DetectionResponse::NextToJudge() const {
  std::lock_guard lock(progress_mutex_);
  return judging_.empty() ? next_to_judge_ : std::min(next_to_judge_, *judging_.begin());
}

Result<bool> DetectionResponse::AlreadyRaised(const AuditEvent& event,
                                              const detect::Finding& finding) {
  // A canary fires at every meeting: its alert for this very event. Another
  // rule stays quiet for the agent a while after it fired (its refire
  // interval), and the event that fires it may differ from the first
  // judgement's, which saw the agent's events in another order: any alert
  // of the rule for the agent within that interval of the event, plus the
  // time a judgement may have taken after it (a late one). A later alert,
  // another node's for later acts, does not pass this finding over.
  constexpr int64_t kJudgedWithinSeconds = 600;
  const bool canary = finding.rule == detect::Rule::kCanary;
  const int64_t refire = detector_.options().RefireSeconds(finding.rule);
  const int64_t at = event.time_unix_micros / 1'000'000;
  // This event's alert may have been stored by an attempt that ended before
  // its record was made (a lost reply, a failed record, the node stopping).
  auto own = store::RetryWithin(kCatchUpPatience, [&]() -> Result<std::optional<detect::Alert>> {
    ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
    return detect::AlertStore(*db, *parts_.clock)
        .ForEvent(event.sequence, detect::RuleName(finding.rule));
  });
  RETURN_IF_ERROR(LeftForLater(own, "looking for the alert raised on", event.sequence));
  if (own && own->has_value()) {
    RETURN_IF_ERROR(RecordAlertOnce(event, **own));
    return true;
  }
  auto raised = store::RetryWithin(kCatchUpPatience, [&]() -> Result<bool> {
    ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
    return detect::AlertStore(*db, *parts_.clock)
        .Raised(event.sequence, detect::RuleName(finding.rule), canary ? 0 : event.actor.agent_id,
                at - refire, at + refire + kJudgedWithinSeconds);
  });
  RETURN_IF_ERROR(LeftForLater(raised, "looking for an alert already raised on", event.sequence));
  if (!raised) {
    // A fault that will not pass: an alert twice is better than none.
    Log(LogLevel::kError, "detect_alert_unknown",
        {{"sequence", event.sequence}, {"error", raised.error().message()}});
  }
  return raised.value_or(false);
}

Result<DetectionResponse::JudgedAgain> DetectionResponse::JudgeAgain(uint64_t from, uint64_t to,
                                                                     std::string_view node_id,
                                                                     int64_t until_unix_micros) {
  constexpr size_t kPageEvents = 4096;
  // Later events in a row from other nodes that end the read: some ten
  // seconds of a busy node's traffic, longer on a quiet one; this node's
  // own events are missed behind a peer whose clock jumped ahead only if no
  // event in time came between that peer's 65 536 (an accepted trade-off:
  // a node down for a week must not read the week).
  constexpr size_t kLaterInARow = 16 * kPageEvents;
  JudgedAgain outcome{.read_to = from};
  size_t later_in_a_row = 0;  // events stamped after `until_unix_micros`
  for (bool more = from < to; more;) {
    // Only the read is tried again: an event judged twice would count twice.
    ASSIGN_OR_RETURN(
        std::vector<AuditEvent> page, store::RetryWithin(kCatchUpPatience, [&] {
          return parts_.audit->Find(
              {.after_sequence = outcome.read_to, .before_sequence = to, .limit = kPageEvents});
        }));
    more = page.size() == kPageEvents;
    for (const AuditEvent& event : page) {
      const bool later = event.time_unix_micros > until_unix_micros;
      later_in_a_row = later ? later_in_a_row + 1 : 0;
      if (later && (event.node_id == node_id || later_in_a_row == kLaterInARow)) {
        more = false;  // this event and the later ones came after the node stopped
        break;
      }
      if (event.node_id == node_id) {
        BeginJudging(event.sequence);
        const JudgingDone done{*this, event.sequence};
        // What may pass stops the start before the mark moves past the
        // event: the next start judges it again.
        RETURN_IF_ERROR(Judge(event, /*again=*/true));
        ++outcome.judged;
      }
      outcome.read_to = event.sequence + 1;
    }
  }
  std::lock_guard lock(progress_mutex_);
  next_to_judge_ = std::max(next_to_judge_, to);
  return outcome;
}

Result<void> DetectionResponse::Respond(const AuditEvent& event, const detect::Finding& finding,
                                        bool again) {
  const auto patience = again ? kCatchUpPatience : kBriefly;
  // The action first: it is what stops an extraction. A failure that may
  // pass (a busy database) is tried again while the patience lasts (live:
  // the second the action is due in); its steps (suspend, revoke) are
  // idempotent, so they may be run again after a partial success. Still
  // failing, the response is left for later with no alert either: a stored
  // one would have the later attempt pass the finding over, its action
  // never taken. A failure that will not pass: the alert says so.
  Result<std::optional<Suspension>> acted =
      store::RetryWithin(patience, [&] { return Act(event, finding); });
  RETURN_IF_ERROR(LeftForLater(acted, "acting on", event.sequence));
  std::string action(detect::ActionName(finding.action));
  std::string detail = finding.detail;
  if (acted && acted->has_value()) {
    // Recorded outside the retries, which would record it once per attempt.
    RETURN_IF_ERROR(RecordSuspension(event, **acted, again, detail));
  }
  if (!acted) {
    Log(LogLevel::kError, "detect_action_failed",
        {{"rule", detect::RuleName(finding.rule)}, {"error", acted.error().message()}});
    // Only the alert was done: the officer must not read "suspend" there.
    detail += " (action " + action + " failed: " + acted.error().message() + ")";
    action = "alert";
  }
  detect::Alert alert{.rule = std::string(detect::RuleName(finding.rule)),
                      .severity = std::string(detect::SeverityName(finding.severity)),
                      .action = std::move(action),
                      .agent_id = event.actor.agent_id,
                      .service_number = event.actor.service_number,
                      .session_id = event.session_id,
                      .source_address = event.source_address,
                      .detail = std::move(detail),
                      .event_sequence = event.sequence};
  // Retried, then left for later, as the action is: an alert lost to a busy
  // moment would leave only a log line. An attempt may have been stored with
  // its reply lost: the next one finds it rather than storing it twice.
  auto added = store::RetryWithin(patience, [&]() -> Result<int64_t> {
    ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
    return detect::AlertStore(*db, *parts_.clock).AddOnce(alert);
  });
  RETURN_IF_ERROR(LeftForLater(added, "storing the alert for", event.sequence));
  int64_t alert_id = 0;
  if (added)
    alert_id = *added;
  else
    Log(LogLevel::kError, "detect_alert_not_stored", {{"error", added.error().message()}});
  Log(finding.severity == detect::Severity::kWarning ? LogLevel::kWarn : LogLevel::kError,
      "detect_alert",
      {{"rule", alert.rule}, {"action", alert.action}, {"agent", alert.service_number},
       {"alert_id", std::to_string(alert_id)}});
  alert.id = alert_id;  // 0 when not stored: the record is then all there is
  return RecordAlert(event, alert);
}

Result<void> DetectionResponse::RecordAlert(const AuditEvent& event, const detect::Alert& alert) {
  Caller concerned;
  concerned.agent_id = event.actor.agent_id;
  concerned.unit_id = event.actor.unit_id;
  concerned.service_number = event.actor.service_number;
  concerned.session_id = event.session_id;
  concerned.jkt = event.dpop_jkt;
  concerned.token_id_hash = event.token_id_hash;
  concerned.source_address = event.source_address;
  concerned.user_agent = event.user_agent;
  AuditEvent raised =
      trail_.Administration(concerned, AuditEventType::kAlertRaised,
                            detect::AlertRaisedSubject(alert.id, alert.rule, alert.action));
  auto recorded = trail_.Record(std::move(raised), std::chrono::steady_clock::now());
  // What may pass is made later: the alert, found stored, gets its record then.
  RETURN_IF_ERROR(LeftForLater(recorded, "recording the alert raised on", event.sequence));
  if (!recorded) {
    Log(LogLevel::kError, "detect_alert_not_audited", {{"error", recorded.error().message()}});
  }
  return {};
}

Result<void> DetectionResponse::RecordAlertOnce(const AuditEvent& event,
                                                const detect::Alert& alert) {
  // Among the concerned agent's alert records after the event.
  const std::string subject = detect::AlertRaisedSubject(alert.id, alert.rule, alert.action);
  auto recorded =
      RecordedAfter(event, event.actor.agent_id, AuditEventType::kAlertRaised,
                    [&](const AuditEvent& record) { return record.subject == subject; });
  RETURN_IF_ERROR(
      LeftForLater(recorded, "looking for the record of the alert raised on", event.sequence));
  if (recorded.value_or(false)) return {};
  return RecordAlert(event, alert);
}

Result<void> DetectionResponse::RecordSuspension(const AuditEvent& event,
                                                 const Suspension& suspension, bool again,
                                                 std::string& detail) {
  const identity::Agent& agent = suspension.agent;
  // An agent this judgement suspended is a suspension to record, whatever
  // records of earlier ones the log holds (reinstated since).
  if (again && suspension.already) {
    // Detection's own records (system events, agent 0) naming the agent.
    const std::string by = DetectionSystem().service_number;
    auto recorded_before =
        RecordedAfter(event, 0, AuditEventType::kAgentSuspended, [&](const AuditEvent& record) {
          return record.actor.service_number == by && record.subject == agent.service_number;
        });
    RETURN_IF_ERROR(
        LeftForLater(recorded_before, "looking for the suspension recorded for", event.sequence));
    if (recorded_before.value_or(false)) return {};
  }
  auto recorded =
      trail_.Record(trail_.Administration(DetectionSystem(), AuditEventType::kAgentSuspended,
                                          agent.service_number),
                    std::chrono::steady_clock::now());
  if (!recorded) {
    RETURN_IF_ERROR(LeftForLater(recorded, "recording the suspension for", event.sequence));
    Log(LogLevel::kError, "detect_suspension_not_audited",
        {{"agent", agent.service_number}, {"error", recorded.error().message()}});
    detail += " (suspension not audited: " + recorded.error().message() + ")";
  }
  return {};
}

Result<bool> DetectionResponse::RecordedAfter(
    const AuditEvent& event, int64_t agent_id, AuditEventType type,
    const std::function<bool(const AuditEvent&)>& matches) {
  // The latest records of `type` by `agent_id` after the event, read
  // through the agent index from a minute before it (a clock stepped back
  // meanwhile). Past the latest 1000, the act is recorded again: the safe
  // side.
  constexpr int64_t kClockSlackMicros = 60'000'000;
  constexpr size_t kRecords = 1000;
  auto found = store::RetryWithin(kCatchUpPatience, [&] {
    return parts_.audit->Find({.agent_id = agent_id,
                               .type = type,
                               .since_unix_micros = event.time_unix_micros - kClockSlackMicros,
                               .after_sequence = event.sequence + 1,
                               .limit = kRecords,
                               .newest_first = true});
  });
  if (!found) {
    if (store::MayPass(found.error())) return std::unexpected(found.error());
    // A fault that will not pass: a record twice is better than none.
    Log(LogLevel::kError, "detect_record_unknown",
        {{"sequence", event.sequence},
         {"type", audit::AuditEventTypeName(type)},
         {"error", found.error().message()}});
    return false;
  }
  return std::ranges::any_of(*found, matches);
}

Result<std::optional<DetectionResponse::Suspension>> DetectionResponse::Act(
    const AuditEvent& event, const detect::Finding& finding) {
  std::optional<Suspension> none;
  if (event.actor.agent_id == 0) return none;  // the local operator: an alert is all there is
  ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
  switch (finding.action) {
    case detect::Action::kOff:
    case detect::Action::kAlert:
      return none;
    case detect::Action::kStepUp:
      RETURN_IF_ERROR(
          session::StepUpTracker(*db, *parts_.clock).DemandForAgent(event.actor.agent_id));
      return none;
    case detect::Action::kSuspend: {
      identity::AgentDirectory directory(*db, *parts_.clock, identity_);
      ASSIGN_OR_RETURN(identity::Agent agent, directory.GetAgent(event.actor.agent_id));
      const bool already = agent.status == identity::AgentStatus::kSuspended;
      session::SessionStore sessions(*db, *parts_.clock, sessions_);
      ASSIGN_OR_RETURN(
          agent,
          directory.Suspend(
              agent.service_number, [&](const identity::Agent& suspended) -> Result<void> {
                // With the suspension, as an administrator's (Portal::SuspendAgent).
                RETURN_IF_ERROR(incident::KeepSuspendedAfterRelease(*db, suspended.id));
                RETURN_IF_ERROR(sessions.EndAllForAgentInTransaction(suspended.id, kEndDetection));
                return {};
              }));
      return Suspension{.agent = std::move(agent), .already = already};  // Respond records it
    }
  }
  return none;
}

}  // namespace vigie::app
