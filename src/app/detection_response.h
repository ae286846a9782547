#pragma once
// DetectionResponse: detection wired into the use cases. The AuditTrail hands
// it every event once the event is in the log; the detector judges it, and
// each rule that fires becomes, at once and before the request that fired it
// has answered:
//   - an alert, stored for security officers and written to the audit log
//     (`alert_raised`, actor: the agent it is about);
//   - its action: a fresh second factor demanded in every session of the
//     agent, or the agent suspended with every session revoked (audited as
//     `agent_suspended` by "vigie-detect").
// So an action takes effect on the agent's very next request.
//
// When the database fails past that second with what may pass (busy,
// restarting), the response is deferred rather than lost or half told: made
// again every few seconds (the pause doubling up to a minute) until it is,
// for up to an hour, the event held below the catch-up's mark meanwhile, so
// that a node stopped first leaves it to its next start (DetectionCatchUp).
// Given up after the hour, or not deferred when 4 096 wait: logged, lost.
//
// Thread-safety: OnRecorded may be called from any thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "app/portal.h"
#include "audit/audit_event.h"
#include "core/retrying_worker.h"
#include "core/serial_worker.h"
#include "detect/detect.h"
#include "identity/model.h"
#include "identity/options.h"
#include "session/session_options.h"

namespace vigie::app {

class AuditTrail;

// The actor detection's own acts are written under.
Caller DetectionSystem();

class DetectionResponse {
 public:
  DetectionResponse(const PortalParts& parts, AuditTrail& trail,
                    const identity::IdentityOptions& identity,
                    const session::SessionOptions& sessions, detect::DetectOptions options);

  // Reads the canary persons (on `db`: a connection of the caller's).
  Result<void> LoadCanaries();
  Result<void> LoadCanaries(store::Connection& db);

  // The event is in the log (on the log's writer thread, before OnRecorded
  // or OnRecordedLate): waiting to be judged from now on.
  void OnDurable(const audit::AuditEvent& event);
  void OnRecorded(const audit::AuditEvent& event);
  // An event durable only after its request was refused (AuditTrail's late
  // observer, on the log's writer thread): judged on a thread of detection's
  // own, as soon as may be - possibly after the agent's later events, which
  // the rate and order rules then see slightly out of time order (rare: the
  // log was slower than max_wait).
  void OnRecordedLate(const audit::AuditEvent& event);

  // The first event that may not have been judged: every event numbered
  // below it that this process recorded (and so handed to OnDurable) has
  // been judged, but for one dropped from a full late queue.
  uint64_t NextToJudge() const;
  // Judges again, in order, the events `node_id` wrote numbered from `from`
  // to `to` (excluded), up to the first of them stamped after
  // `until_unix_micros` or the 65 536th event in a row from any node stamped
  // so (these came after whatever stopped the node; one other node's clock
  // jumped ahead does not end the read). A finding whose alert is already stored (for a
  // canary, for this event; for another rule, for the agent within the
  // rule's refire interval) is passed over: neither acted on nor raised
  // again. NextToJudge is then at least `to`. Fails, with nothing more
  // judged, when the database still fails after a few seconds at reading
  // the events, checking an alert, acting, recording a suspension or
  // storing an alert.
  struct JudgedAgain {
    uint64_t read_to = 0;  // the first event not read
    uint64_t judged = 0;   // events of the node judged
  };
  Result<JudgedAgain> JudgeAgain(uint64_t from, uint64_t to, std::string_view node_id,
                                 int64_t until_unix_micros);

 private:
  // Judges `event`; `again`: it may have been judged before (JudgeAgain),
  // and then what may pass (a busy database) that still fails, when
  // checking, acting or storing the alert, stops the judgement with an error;
  // live, it defers that finding's response and the judgement goes on.
  // Failures that will not pass are logged and told in the alert.
  Result<void> Judge(const audit::AuditEvent& event, bool again);
  // Hands the response to `finding`, which failed with `why`, to deferred_.
  void Defer(const audit::AuditEvent& event, const detect::Finding& finding, const Error& why);
  std::optional<detect::SearchTerms> TermsOf(const audit::AuditEvent& event) const;
  Result<void> Respond(const audit::AuditEvent& event, const detect::Finding& finding, bool again);
  void BeginJudging(uint64_t sequence);
  void EndJudging(uint64_t sequence);
  // The detector has taken the event recorded here (or it never will).
  void Observed(uint64_t sequence);
  // Ends a judgement however it ends (a throw included): a sequence left
  // waiting would hold NextToJudge back for good.
  struct JudgingDone {
    DetectionResponse& detection;
    uint64_t sequence;
    ~JudgingDone() { detection.EndJudging(sequence); }
  };
  // Whether `finding`'s alert for `event` is stored already (fails only for
  // what may pass; false, logged, when another fault hides it: an alert
  // twice is better than none). This event's own alert gets its
  // `alert_raised` record if the log lacks it.
  Result<bool> AlreadyRaised(const audit::AuditEvent& event, const detect::Finding& finding);
  // Records `alert`, raised on `event`, in the audit log; a failure that may
  // pass (all AuditTrail::Record returns) leaves the response for later.
  Result<void> RecordAlert(const audit::AuditEvent& event, const detect::Alert& alert);
  // Judging again: RecordAlert unless the log holds that record already.
  Result<void> RecordAlertOnce(const audit::AuditEvent& event, const detect::Alert& alert);
  // An agent Act suspended.
  struct Suspension {
    identity::Agent agent;
    bool already = false;  // found suspended (by an earlier judgement, an administrator)
  };
  // Records in the audit log that detection suspended the agent for `event`
  // (told in `detail` when it cannot); judging again an agent found
  // suspended, unless the log holds that record already (a catch-up
  // stopped after it, before the alert).
  Result<void> RecordSuspension(const audit::AuditEvent& event, const Suspension& suspension,
                                bool again, std::string& detail);
  // Judging again: whether the log holds, after `event`, a record of `type`
  // by `agent_id` that `matches` (fails only for what may pass; false,
  // logged, when another fault hides it: a record twice is better than none).
  Result<bool> RecordedAfter(const audit::AuditEvent& event, int64_t agent_id,
                             audit::AuditEventType type,
                             const std::function<bool(const audit::AuditEvent&)>& matches);
  // Takes `finding`'s action; the agent it suspended, if it did.
  Result<std::optional<Suspension>> Act(const audit::AuditEvent& event,
                                        const detect::Finding& finding);

  PortalParts parts_;
  AuditTrail& trail_;
  identity::IdentityOptions identity_;
  session::SessionOptions sessions_;
  detect::Detector detector_;
  mutable std::mutex progress_mutex_;
  std::multiset<uint64_t> judging_;  // guarded by progress_mutex_: sequences being judged
  uint64_t next_to_judge_ = 0;       // guarded by progress_mutex_: past the highest judged
  // Guarded by progress_mutex_: recorded here, not yet handed to the
  // detector (the detector's Pending: a history learnt meanwhile skips them).
  std::multiset<uint64_t> unobserved_;
  // Responses the database kept from being made: the pause before each
  // attempt doubles from 2 s to a minute. Stopped (those waiting dropped,
  // left to the next start) before the members they use go, after
  // late_events_, whose judgements may defer.
  RetryingWorker deferred_{4096, std::chrono::seconds(2), std::chrono::minutes(1)};
  // Last: stopped (its queue judged) before the members it uses go.
  SerialWorker late_events_{65'536};
};

}  // namespace vigie::app
