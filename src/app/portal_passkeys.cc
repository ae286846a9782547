// Passkeys: logging in with one (step 2 of a login) and an agent managing
// their own. Split from portal.cc, which defines the other Portal members.

#include <string>

#include "app/internal/audited.h"
#include "app/portal.h"
#include "audit/audit_event_codec.h"

namespace vigie::app {
namespace {

using audit::AuditEvent;
using audit::AuditEventType;
using internal::AuditedBeforeCommit;
using internal::Now;

// Which factor a login's second step used, in its event's subject.
constexpr std::string_view kPasskeyFactor = "passkey";

void DescribePasskey(AuditEvent& event, const identity::Passkey& passkey) {
  // Cut to the event's limit: a name of 64 four-byte characters alone fills it.
  event.subject = AuditText("passkey=" + std::to_string(passkey.id) + " name=" + passkey.name,
                            audit::kMaxAuditShortText);
}

// Changing the agent's factors takes a recent second factor, and none
// pending: a detection rule's demand for one stands until it is met.
Result<void> RequireFreshSecondFactor(const Caller& caller, const Clock& clock) {
  const int64_t now = UnixSeconds(clock.Now());
  if (caller.step_up_demanded || now - caller.second_factor_at > kPasskeyEnrolmentFreshness) {
    return Fail(ErrorCode::kPermissionDenied, std::string(kStepUpRequired));
  }
  return {};
}

}  // namespace

Result<identity::PasskeyLoginOptions> Portal::PasskeyLoginOptions(std::string_view challenge) {
  ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
  identity::Authenticator authenticator = AuthenticatorOn(*db);
  return authenticator.PasskeyOptions(challenge);
}

Result<LoginTokens> Portal::LoginWithPasskey(std::string_view challenge,
                                             const identity::PasskeyAssertion& assertion,
                                             const webauthn::RelyingParty& rp,
                                             std::string_view jkt, const Origin& origin) {
  AuditEvent event =
      trail_->Unauthenticated(AuditEventType::kLoginSecondFactorOk, "", origin, jkt);
  event.subject = std::string(kPasskeyFactor);
  return FinishLogin(std::move(event), jkt, [&](identity::Authenticator& authenticator) {
    return authenticator.VerifyPasskey(challenge, assertion, rp, origin.address);
  });
}

int64_t Portal::idle_timeout_seconds() const { return session_options_.idle_timeout_seconds; }

Result<std::vector<uint8_t>> Portal::BeginPasskeyRegistration(const Caller& caller) {
  RETURN_IF_ERROR(RequireFreshSecondFactor(caller, *parts_.clock));
  ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
  return identity::PasskeyRegistry(*db, *parts_.clock).BeginRegistration(caller.agent_id);
}

Result<identity::Passkey> Portal::RegisterPasskey(const Caller& caller,
                                                  const webauthn::RelyingParty& rp,
                                                  const identity::NewPasskey& answer) {
  // A factor added unseen is what a stolen session would want: recorded
  // before it commits (a log that cannot be written refuses it).
  return AuditedBeforeCommit<identity::Passkey, identity::Passkey>(
      *trail_, trail_->For(caller, AuditEventType::kPasskeyRegistered), Now(), DescribePasskey,
      [&](const identity::PasskeyRegistry::BeforeCommit& before_commit)
          -> Result<identity::Passkey> {
        // The challenge was handed out to a fresh second factor; the answer
        // must come soon after too, not from a session left open since.
        RETURN_IF_ERROR(RequireFreshSecondFactor(caller, *parts_.clock));
        ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
        return identity::PasskeyRegistry(*db, *parts_.clock)
            .FinishRegistration(caller.agent_id, rp, answer, before_commit);
      });
}

Result<std::vector<identity::Passkey>> Portal::ListPasskeys(const Caller& caller) {
  ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
  return identity::PasskeyRegistry(*db, *parts_.clock).List(caller.agent_id);
}

Result<identity::Passkey> Portal::RemovePasskey(const Caller& caller, int64_t passkey_id) {
  return AuditedBeforeCommit<identity::Passkey, identity::Passkey>(
      *trail_, trail_->For(caller, AuditEventType::kPasskeyRemoved), Now(), DescribePasskey,
      [&](const identity::PasskeyRegistry::BeforeCommit& before_commit)
          -> Result<identity::Passkey> {
        RETURN_IF_ERROR(RequireFreshSecondFactor(caller, *parts_.clock));
        ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
        return identity::PasskeyRegistry(*db, *parts_.clock)
            .Remove(caller.agent_id, passkey_id, before_commit);
      });
}

}  // namespace vigie::app
