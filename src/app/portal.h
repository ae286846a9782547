#pragma once
// app: Vigie's use cases, one function each — activation, login, refresh,
// logout, the use notice, step-up, search, opening a file, and the
// administration of agents and units. `http` (through `api`) and `cli` are
// thin adapters onto this; no HTTP type appears here.
//
// Every consultation, authentication step and administrative act is written
// to the audit log; a consultation returns nothing unless its event is
// durable (DESIGN invariant 1), and fails with Unavailable otherwise. The
// Held variants return the answer at once with the confirmation it must wait
// for, so a server holds the response rather than a thread.
//
// Every call that acts for an agent takes the Caller that Authenticate
// returned for this request (a valid access token from the session's own
// DPoP key): DESIGN invariant 3. Authenticate re-reads the session and the
// agent on every request, so a revocation or suspension is effective on the
// very next one (invariant 4).
//
// Ownership: the Portal borrows everything in PortalParts, which must
// outlive it. Thread-safety: every method may be called from several
// threads at once; each call borrows its own database connection.
// Errors: as listed per call. Unauthenticated messages are for logs only:
// adapters answer every 401 with the same public text.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/investigation.h"
#include "audit/audit_log.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/confirmation.h"
#include "core/error.h"
#include "crypto/keyring.h"
#include "detect/alert_store.h"
#include "identity/identity.h"
#include "incident/containment.h"
#include "policy/consultation_policy.h"
#include "policy/consultations_at_once.h"
#include "policy/quota.h"
#include "records/live_search.h"
#include "records/person_file.h"
#include "records/search.h"
#include "session/session.h"
#include "store/connection_pool.h"
#include "webauthn/webauthn.h"

namespace vigie::app {

// What a use case needs, borrowed.
struct PortalParts {
  const Config* config = nullptr;
  const crypto::Keyring* keyring = nullptr;
  store::ConnectionPool* pool = nullptr;
  const records::LiveSearch* search = nullptr;  // null: searching is Unavailable (tools)
  const Clock* clock = nullptr;
  const identity::PasswordPolicy* password_policy = nullptr;
  identity::PasswordHasher* hasher = nullptr;
  audit::AuditLog* audit = nullptr;
};

class AuditTrail;
class DetectionResponse;
namespace internal {
class AlertsSeen;
}

// The agent behind one authenticated request.
struct Caller {
  int64_t agent_id = 0;
  int64_t session_id = 0;
  int64_t unit_id = 0;
  std::string service_number;
  identity::RoleSet roles;
  bool notice_acknowledged = false;
  bool step_up_demanded = false;  // a detection rule wants a fresh second factor first
  int64_t second_factor_at = 0;    // the session's last TOTP or passkey (login or step-up)
  int64_t session_expires_at = 0;  // the end of its absolute lifetime
  // For the audit log: set by Authenticate (key, token) and by the adapter.
  std::string jkt;
  std::vector<uint8_t> token_id_hash;
  std::string source_address;
  std::string user_agent;
};

// Where a request without a session came from: throttled by address, and
// both go into the audit log.
struct Origin {
  std::string_view address;
  std::string_view user_agent;
};

// The local operator: the person at the server's console running `vigie`
// commands (administration and incident response; never a consulting role).
Caller LocalOperator();

struct LoginTokens {
  session::IssuedTokens tokens;
  bool notice_acknowledged = false;  // false: the use notice must be acknowledged
};

// What a consultation states, as typed by the agent.
struct ConsultationInput {
  std::string purpose;
  std::optional<std::string> case_reference;
};

// A consultation's result with what it was allowed to show, so adapters
// omit (rather than show as empty) what the caller may not see.
struct SearchAnswer {
  records::SearchResult result;
  policy::Visibility visibility;
};
struct FileAnswer {
  records::PersonFile file;
  policy::Visibility visibility;
};

// A consultation's answer that may not be shown yet: nothing of `answer`
// may leave before `durable` confirms (Confirmation::Wait, or the HTTP
// server holding the response). Refused or late, the caller answers 503,
// and runs `withheld` (if set) first: it gives back what the answer cost
// the agent (the consultation's quota).
template <typename Answer>
struct Held {
  Answer answer;
  std::shared_ptr<Confirmation> durable;  // never null
  std::function<void()> withheld;
};

// How recent a second factor registering a passkey needs.
inline constexpr int64_t kPasskeyEnrolmentFreshness = 600;  // seconds

// The step-up error's message: the adapter asks for a fresh second factor.
inline constexpr std::string_view kStepUpRequired = "a fresh second factor is required";
// The message when the use notice was not acknowledged in this session.
inline constexpr std::string_view kNoticeNotAcknowledged =
    "the use notice must be acknowledged before consulting";

class Portal {
 public:
  // InvalidArgument when a part is missing; NotFound when the keyring has no
  // "totp-seeds" or "audit-terms" key.
  static Result<std::unique_ptr<Portal>> Create(const PortalParts& parts);

  // --- Authentication (no Caller yet) ---

  // Activation code + new password -> the TOTP enrolment, shown once.
  // See identity::Activation for the errors; ResourceExhausted (with
  // `retry_after_seconds`) when the address is throttled.
  Result<identity::ActivationResult> Activate(std::string_view code, std::string_view password,
                                              const Origin& origin, int64_t* retry_after_seconds);

  // Step 1. ResourceExhausted (with `retry_after_seconds`) when the address
  // is throttled or the hashing pool is full; Unauthenticated otherwise.
  Result<identity::LoginChallenge> LoginWithPassword(std::string_view service_number,
                                                     std::string_view password,
                                                     const Origin& origin,
                                                     int64_t* retry_after_seconds);

  // Step 2: the TOTP code; only now does a session exist, bound to `jkt`.
  Result<LoginTokens> LoginWithSecondFactor(std::string_view challenge, std::string_view code,
                                            std::string_view jkt, const Origin& origin);

  // Step 2 with a passkey instead of the TOTP code (portal_passkeys.cc):
  // the WebAuthn challenge and allowed credentials, then the assertion.
  // Unauthenticated as LoginWithSecondFactor; a refused assertion is audited
  // as a failed second factor (subject "passkey") and counts towards lock-out.
  Result<identity::PasskeyLoginOptions> PasskeyLoginOptions(std::string_view challenge);
  Result<LoginTokens> LoginWithPasskey(std::string_view challenge,
                                       const identity::PasskeyAssertion& assertion,
                                       const webauthn::RelyingParty& rp, std::string_view jkt,
                                       const Origin& origin);

  // `proof_identity`: the request's DPoP proof's (SessionStore::Refresh).
  Result<session::IssuedTokens> Refresh(std::string_view refresh_token, std::string_view jkt,
                                        const Origin& origin, std::string_view proof_identity = {});
  // The live session of a refresh token, the agent of a live login
  // challenge (one read, nothing recorded): such a request is heard even
  // from an address that has spent its failures
  // (api::ApiOptions::failed_credentials). Errors: store errors.
  // With `bound_to`, only a session bound to that key.
  Result<std::optional<int64_t>> LiveRefreshSession(
      std::string_view refresh_token, std::optional<std::string_view> bound_to = std::nullopt);
  Result<std::optional<int64_t>> LiveChallengeAgent(std::string_view challenge);
  // The live session of an access token (one read, nothing recorded): heard
  // even from an address that has spent its failed session requests
  // (api::ApiOptions::failed_sessions); with `bound_to`, only one bound to
  // that key. Errors: store errors.
  Result<std::optional<int64_t>> LiveAccessSession(
      std::string_view access_token, std::optional<std::string_view> bound_to = std::nullopt);

  // The live, active agent behind an access token presented with a proof
  // from key `jkt`. Unauthenticated otherwise (and the session ends if the
  // agent is no longer active, unless `access` is kPeek: see
  // session::SessionStore::Authenticate).
  Result<Caller> Authenticate(
      std::string_view access_token, std::string_view jkt,
      session::SessionStore::Access access = session::SessionStore::Access::kUse);
  // The refusal (PermissionDenied, kStepUpRequired) of a request from a
  // session detection flagged, turned away before its use case ran. An act
  // the audit log records is recorded as refused (`attempted`), so the
  // attempts stay visible to investigators and to detection's rate rules.
  Error RefuseFlaggedSession(const Caller& caller,
                             std::optional<audit::AuditEventType> attempted);

  // --- The caller's own session ---
  Result<void> Logout(const Caller& caller);
  Result<void> AcknowledgeNotice(const Caller& caller);
  // A fresh TOTP code: clears a pending step-up. Unauthenticated when wrong.
  Result<void> StepUp(const Caller& caller, std::string_view code, std::string_view source);
  Result<identity::Agent> Self(const Caller& caller);
  // The session's idle timeout, for the page's warning.
  int64_t idle_timeout_seconds() const;

  // --- The caller's passkeys (portal_passkeys.cc) ---
  // Registering or removing one needs a second factor (the login's, or a
  // step-up's) at most kPasskeyEnrolmentFreshness old, and no step-up
  // demanded by detection: PermissionDenied(kStepUpRequired) otherwise. A
  // session left open, or flagged, cannot plant a lasting credential or
  // strip the agent of a phishing-resistant one. Both are audited.
  Result<std::vector<uint8_t>> BeginPasskeyRegistration(const Caller& caller);
  Result<identity::Passkey> RegisterPasskey(const Caller& caller, const webauthn::RelyingParty& rp,
                                            const identity::NewPasskey& answer);
  Result<std::vector<identity::Passkey>> ListPasskeys(const Caller& caller);
  Result<identity::Passkey> RemovePasskey(const Caller& caller, int64_t passkey_id);

  // --- Consulting ---

  // PermissionDenied (roles, notice not acknowledged), InvalidArgument
  // (purpose, case reference, criteria), ResourceExhausted (quota, with
  // `retry_after_seconds`).
  Result<SearchAnswer> Search(const Caller& caller, const ConsultationInput& input,
                              const records::SearchQuery& query, int64_t* retry_after_seconds);
  // As Search, plus NotFound and PermissionDenied(kStepUpRequired).
  Result<FileAnswer> OpenPersonFile(const Caller& caller, const ConsultationInput& input,
                                    int64_t person_id, int64_t* retry_after_seconds);
  // The same, returning before the event is durable (see Held).
  Result<Held<SearchAnswer>> SearchHeld(const Caller& caller, const ConsultationInput& input,
                                        const records::SearchQuery& query,
                                        int64_t* retry_after_seconds);
  Result<Held<FileAnswer>> OpenPersonFileHeld(const Caller& caller, const ConsultationInput& input,
                                              int64_t person_id, int64_t* retry_after_seconds);

  // --- Reading the audit log ---

  // Security officers read every event; supervisors only their own unit's
  // (PermissionDenied when asking for another); nobody else. At most 1 000
  // events. The read is itself audited (audit_search).
  Result<std::vector<audit::AuditEvent>> SearchAudit(const Caller& caller,
                                                     audit::EventFilter filter);

  // --- Administration (administrators only: PermissionDenied otherwise) ---
  Result<identity::Unit> AddUnit(const Caller& caller, const identity::NewUnit& unit);
  Result<std::vector<identity::Unit>> ListUnits(const Caller& caller);
  // InvalidArgument also when the roles break separation of duties.
  Result<identity::AgentWithCode> AddAgent(const Caller& caller, const identity::NewAgent& agent);
  Result<std::vector<identity::Agent>> ListAgents(const Caller& caller,
                                                  const identity::AgentQuery& query);
  Result<identity::Agent> ShowAgent(const Caller& caller, std::string_view service_number);
  // Suspending ends every session of the agent at once.
  Result<identity::Agent> SuspendAgent(const Caller& caller, std::string_view service_number);
  Result<identity::Agent> ReinstateAgent(const Caller& caller, std::string_view service_number);
  // Resetting ends every session and issues a new activation code.
  Result<identity::AgentWithCode> ResetAgent(const Caller& caller, std::string_view service_number);

  // --- Alerts and incidents (security officers only: PermissionDenied otherwise) ---
  // A listing showing alerts the session has not been shown is in the audit
  // log (an audit_search "alerts shown: ids …") before it is answered;
  // Unavailable when it cannot be. Listings showing nothing new are not.
  Result<std::vector<detect::Alert>> ListAlerts(const Caller& caller,
                                                const detect::AlertQuery& query);
  // NotFound, Conflict (already acknowledged), PermissionDenied (an alert
  // about the caller), InvalidArgument (note).
  Result<detect::Alert> AcknowledgeAlert(const Caller& caller, int64_t alert_id,
                                         std::string_view note);
  // See incident::Containment; `request.by` is the caller.
  Result<incident::Contained> Contain(const Caller& caller, incident::ContainRequest request);
  // `reason`: why (may be empty), the audit event's purpose.
  Result<incident::Released> ReleaseIncident(const Caller& caller, int64_t incident_id,
                                             incident::ReleaseMode mode,
                                             std::string_view reason = {});
  Result<std::vector<incident::Incident>> ListIncidents(const Caller& caller, bool open_only);
  // A page of the agents an incident holds (Containment::HeldAgents).
  Result<std::vector<incident::HeldAgent>> IncidentAgents(const Caller& caller, int64_t incident_id,
                                                          int64_t after_agent_id, size_t limit);
  // Reads the canary persons again, on `db` (after `vigie canary plant`).
  Result<void> ReloadCanaries(store::Connection& db);

  // --- Investigation (portal_investigation.cc) ---

  // The caller's own latest searches and file openings (refused ones too),
  // newest first, at most kMaxOwnConsultations. Any active agent; not
  // itself audited. Unavailable when the log cannot be read.
  Result<std::vector<audit::AuditEvent>> OwnConsultations(const Caller& caller);
  // Security officers only (PermissionDenied otherwise). Each read is the
  // caller's audit_search event naming what was asked, durable before
  // anything is read (Unavailable otherwise); a refusal is recorded too.
  // The breach report (incident/breach_report.h): InvalidArgument for a bad
  // scope or an unknown service number, DataLoss when the log does not match
  // its checkpoint or the checkpoint is not validly signed.
  Result<BreachAnswer> ReportBreach(const Caller& caller, const BreachRequest& request);
  // The leaked-sample check (incident/claim_check.h), each row to `sink`.
  // MayCheckClaims: whether CheckClaim's checks on the caller pass (asked
  // from a request's head, before a large sample is read).
  bool MayCheckClaims(const Caller& caller) const;
  Result<incident::ClaimSummary> CheckClaim(const Caller& caller, const ClaimRequest& request,
                                            const incident::ClaimRowSink& sink);

  const PortalParts& parts() const { return parts_; }
  const AuditTrail& audit_trail() const { return *trail_; }
  // For the command line's consultations (vigie search, show), which read
  // the records themselves: recorded through it, their events are judged
  // as the portal's are (a decoy met raises its alert).
  AuditTrail& audit_trail() { return *trail_; }
  // Null when [detect] is disabled.
  DetectionResponse* detection() const { return detection_.get(); }

  ~Portal();

 private:
  Portal(const PortalParts& parts, const crypto::DataKey& totp_seed_key,
         const crypto::DataKey& audit_terms_key);
  // --- Consulting (portal_consultation.cc); `now`: the time the quota counts ---
  Result<SearchAnswer> SearchRecords(const Caller& caller, const ConsultationInput& input,
                                     const records::SearchQuery& query, int64_t now,
                                     int64_t* retry_after_seconds);
  Result<SearchAnswer> FindRecords(const records::SearchQuery& query,
                                   const policy::Visibility& visibility);
  Result<FileAnswer> OpenFile(const Caller& caller, const ConsultationInput& input,
                              int64_t person_id, int64_t now, int64_t* retry_after_seconds);
  Result<FileAnswer> ReadFile(const Caller& caller, int64_t person_id,
                              const policy::Visibility& visibility);
  // Policy's decision, then the quota taken.
  Result<policy::Visibility> Decide(const Caller& caller, const ConsultationInput& input,
                                    policy::ConsultationKind kind, int64_t now,
                                    int64_t* retry_after_seconds);
  // The consultation's place among those the agent has under way, held
  // until its answer is released; refused (Retry-After 1) past the bound.
  Result<policy::ConsultationsAtOnce::Slot> UnderWay(const Caller& caller,
                                                     int64_t* retry_after_seconds);
  // Gives the quota taken at `taken_at` back (a failure to is logged).
  std::function<void()> QuotaGiveBack(const Caller& caller, policy::ConsultationKind kind,
                                      int64_t taken_at);
  // `answer`, giving its quota back when it failed on our side or was
  // refused after the count with nothing shown (a 404 keeps its count).
  template <typename Answer>
  Result<Answer> Counted(const Caller& caller, policy::ConsultationKind kind, int64_t taken_at,
                         Result<Answer> answer);
  // A login's second step, whichever the factor: `verify` checks it; then a
  // session opens (OpenSession), its event `event` durable before it
  // commits. Refused, audited as `event` (failed if the factor was), with a
  // lock-out event when this failure locked the agent.
  Result<LoginTokens> FinishLogin(
      audit::AuditEvent event, std::string_view jkt,
      const std::function<Result<identity::Agent>(identity::Authenticator&)>& verify);
  // After a verified second factor: a session for `agent`, unless contained;
  // `before_commit` runs inside its transaction, with the tokens.
  Result<LoginTokens> OpenSession(
      store::Connection& db, const identity::Agent& agent, std::string_view jkt,
      const std::function<Result<void>(const session::IssuedTokens&)>& before_commit);
  Result<void> RequireAdministrator(const Caller& caller) const;
  Result<void> RequireSecurityOfficer(const Caller& caller) const;
  // For reads that hand out persons' identities in bulk (a breach report's
  // subjects, a claim check's matches), as for a consultation: no step-up
  // pending, the use notice acknowledged.
  Result<void> RequireSessionInGoodStanding(const Caller& caller) const;
  // A session detection flagged may be in someone else's hands: until it
  // gives a fresh second factor it may not hand out or restore credentials
  // (an agent added or reset, an incident released, an agent reinstated),
  // hide an alert, or read the audit log. PermissionDenied(kStepUpRequired).
  Result<void> RequireNoStepUpDemanded(const Caller& caller) const;
  // Conflict while an open incident holds the agent (release it instead).
  Result<void> RequireNotContained(store::Connection& db, std::string_view service_number);
  // Security: login refusals cost what verifying the costliest stored
  // password hash costs (identity::RefusalPricer: priced here, then kept
  // current as logins come).
  Result<void> PriceRefusals();
  // Login checks on `db`; seeds sealed before a key rotation still open.
  identity::Authenticator AuthenticatorOn(store::Connection& db) const;
  // The per-address throttle of logins and activations, before any hashing.
  Result<void> Admit(std::string_view source_address, int64_t* retry_after_seconds);

  PortalParts parts_;
  const crypto::DataKey* totp_seed_key_;
  identity::IdentityOptions identity_options_;
  std::unique_ptr<identity::RefusalPricer> refusal_pricer_;  // set by PriceRefusals
  session::SessionOptions session_options_;
  // In this process on SQLite; in the database, shared by every node, on PostgreSQL.
  std::unique_ptr<identity::AddressThrottle> throttle_;
  std::unique_ptr<policy::ConsultationQuota> quota_;
  std::unique_ptr<policy::ConsultationsAtOnce> at_once_;
  std::unique_ptr<AuditTrail> trail_;
  std::unique_ptr<DetectionResponse> detection_;  // null when [detect] is disabled
  std::unique_ptr<internal::AlertsSeen> alerts_seen_;  // by whose listings were recorded
};

}  // namespace vigie::app
