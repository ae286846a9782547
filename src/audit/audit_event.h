#pragma once
// AuditEvent: one entry of the audit log - an authentication step, a
// consultation (search, file opening), an administrative act or an incident
// action - with everything "who saw what" needs: the actor, the session and
// token it used, where from, why, and the ids of every record returned.
// Its canonical binary form is in audit_event_codec.h and specified in
// docs/formats/audit-event.md.
//
// Security: no field holds a secret or query terms in clear. Tokens appear as
// a hash of their id, query terms as a keyed hash of the normalised terms
// (for "who searched for this name") plus the terms sealed elsewhere under
// the audit key.
//
// Thread-safety: plain values.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigie::audit {

// Wire values are fixed forever (they are in signed history); new types take
// unused values. Groups leave room: auth 1-31, consultation 32-63,
// administration 64-95, incident 96-127.
enum class AuditEventType : uint8_t {
  // Authentication.
  kActivation = 1,
  kLoginPasswordOk = 2,
  kLoginPasswordFailed = 3,
  kLoginSecondFactorOk = 4,
  kLoginSecondFactorFailed = 5,
  kLockout = 6,
  kRefresh = 7,
  kRefreshReuse = 8,  // subject: kRefreshReuseStrangerKey, or empty
  kLogout = 9,
  kStepUp = 10,
  kPasskeyRegistered = 11,  // subject: the passkey's id and name
  kPasskeyRemoved = 12,
  kUseNoticeAcknowledged = 13,  // subject: the notice's version
  // Consultation.
  kSearch = 32,
  kFileOpening = 33,
  // Administration.
  kUnitAdded = 64,
  kAgentAdded = 65,
  kAgentSuspended = 66,
  kAgentReinstated = 67,
  kAgentReset = 68,
  // The local operator changed the installation from the command line (an
  // import, decoys planted, keys rotated); subject: the command.
  kOperatorCommand = 69,
  // Incident response.
  kIncidentAction = 96,     // a containment (suspensions, revocations, lock-down)
  kAuditSearch = 97,        // someone read the audit log (who watches the watchers)
  kAlertRaised = 98,        // a detection rule fired; actor: the agent it is about
  kAlertAcknowledged = 99,  // a security officer acknowledged an alert
  kIncidentReleased = 100,  // a containment was lifted
  kAuditLogResumed = 101,   // the log is written again after an outage (by the log itself)
};

// The subject of a refresh_reuse event whose proof was signed by a key
// other than the session's: the token leaked without the key, the session
// goes on (session_store.h). Empty subject: the session's own key, the
// session ended.
inline constexpr std::string_view kRefreshReuseStrangerKey = "stranger key";

// The end of a login_second_factor_failed event's subject ("passkey=12
// refused: <why>") when the passkey's sign counter went back: a copy of it
// signs elsewhere (detection's cloned_passkey rule).
inline constexpr std::string_view kPasskeyCounterWentBack =
    "sign counter did not increase: possible cloned authenticator";

// "login_password_ok", ... (the names used in exports and the CLI).
std::string_view AuditEventTypeName(AuditEventType type);
// The type whose wire value is `value`, or nullopt for an unassigned value.
std::optional<AuditEventType> AuditEventTypeFromWire(uint64_t value);
// The type named `name` (as AuditEventTypeName), or nullopt.
std::optional<AuditEventType> AuditEventTypeFromName(std::string_view name);
// Every type's name, in wire order (what the API and the portal offer).
std::vector<std::string_view> AuditEventTypeNames();

enum class AuditOutcome : uint8_t {
  kOk = 0,
  kRefused = 1,  // refusal_code names the ErrorCode (ErrorCodeName)
};

// Who acted. agent_id 0 when unknown (e.g. a failed login for a name that
// matches no agent); the local operator account of the CLI has its own id.
struct AuditActor {
  int64_t agent_id = 0;
  std::string service_number;
  int64_t unit_id = 0;

  bool operator==(const AuditActor&) const = default;
};

// The query of a search, never in clear.
struct AuditQuery {
  std::vector<uint8_t> terms_keyed_hash;  // keyed hash of the normalised terms
  std::vector<uint8_t> sealed_terms;      // the terms, encrypted under the audit key

  bool operator==(const AuditQuery&) const = default;
};

struct AuditEvent {
  uint64_t sequence = 0;         // position in the log, from 0, no gaps
  int64_t time_unix_micros = 0;  // >= 0
  AuditEventType type = AuditEventType::kSearch;
  AuditActor actor;
  int64_t session_id = 0;              // 0 when there is no session yet
  std::vector<uint8_t> token_id_hash;  // hash of the access/refresh token id, or empty
  std::string dpop_jkt;                // RFC 7638 thumbprint of the DPoP key (base64url), or empty
  std::string source_address;          // client IP address as text
  std::string user_agent;
  std::string purpose;         // stated purpose of a consultation
  std::string case_reference;  // required for criminal-record consultations
  AuditQuery query;
  std::vector<int64_t> person_ids;  // every person returned, in the order returned
  std::vector<int64_t> notice_ids;  // wanted notices shown when a file is opened
  std::vector<int64_t> entry_ids;   // criminal-record entries shown when a file is opened
  AuditOutcome outcome = AuditOutcome::kOk;
  std::string refusal_code;  // ErrorCodeName of the refusal; empty when kOk
  uint64_t latency_micros = 0;
  std::string node_id;  // which Vigie node wrote the event
  // What an administrative or incident act was about (an agent's service
  // number, a unit's code); empty otherwise.
  std::string subject;

  bool operator==(const AuditEvent&) const = default;
};

}  // namespace vigie::audit
