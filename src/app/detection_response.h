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
// Thread-safety: OnRecorded may be called from any thread.

#include <cstdint>
#include <vector>

#include "app/portal.h"
#include "audit/audit_event.h"
#include "core/serial_worker.h"
#include "detect/detect.h"
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

  void OnRecorded(const audit::AuditEvent& event);
  // An event durable only after its request was refused (AuditTrail's late
  // observer, on the log's writer thread): judged on a thread of detection's
  // own, as soon as may be - possibly after the agent's later events, which
  // the rate and order rules then see slightly out of time order (rare: the
  // log was slower than max_wait).
  void OnRecordedLate(const audit::AuditEvent& event);

 private:
  std::optional<detect::SearchTerms> TermsOf(const audit::AuditEvent& event) const;
  void Respond(const audit::AuditEvent& event, const detect::Finding& finding);
  Result<void> Act(const audit::AuditEvent& event, const detect::Finding& finding);

  PortalParts parts_;
  AuditTrail& trail_;
  identity::IdentityOptions identity_;
  session::SessionOptions sessions_;
  detect::Detector detector_;
  // Last: stopped (its queue judged) before the members it uses go.
  SerialWorker late_events_{65'536};
};

}  // namespace vigie::app
