// Passkeys: logging in with one (step 2 of a login) and an agent managing
// their own. Split from portal.cc, which defines the other Portal members.

#include <string>

#include "app/internal/audited.h"
#include "app/portal.h"

namespace vigie::app {
namespace {

using audit::AuditEvent;
using audit::AuditEventType;
using internal::Audited;
using internal::Now;

// Which factor a login's second step used, in its event's subject.
constexpr std::string_view kPasskeyFactor = "passkey";

std::string PasskeySubject(const identity::Passkey& passkey) {
  return "passkey=" + std::to_string(passkey.id) + " name=" + passkey.name;
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
  const int64_t now = UnixSeconds(parts_.clock->Now());
  if (now - caller.second_factor_at > kPasskeyEnrolmentFreshness) {
    return Fail(ErrorCode::kPermissionDenied, std::string(kStepUpRequired));
  }
  ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
  return identity::PasskeyRegistry(*db, *parts_.clock).BeginRegistration(caller.agent_id);
}

Result<identity::Passkey> Portal::RegisterPasskey(const Caller& caller,
                                                  const webauthn::RelyingParty& rp,
                                                  const identity::NewPasskey& answer) {
  const auto started = Now();
  auto registered = [&]() -> Result<identity::Passkey> {
    // The challenge was handed out to a fresh second factor; the answer must
    // come soon after too, not from a session left open since.
    const int64_t now = UnixSeconds(parts_.clock->Now());
    if (now - caller.second_factor_at > kPasskeyEnrolmentFreshness) {
      return Fail(ErrorCode::kPermissionDenied, std::string(kStepUpRequired));
    }
    ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
    return identity::PasskeyRegistry(*db, *parts_.clock)
        .FinishRegistration(caller.agent_id, rp, answer);
  }();
  return Audited(*trail_, trail_->For(caller, AuditEventType::kPasskeyRegistered), started,
                 std::move(registered), [](AuditEvent& e, const identity::Passkey& passkey) {
                   e.subject = PasskeySubject(passkey);
                 });
}

Result<std::vector<identity::Passkey>> Portal::ListPasskeys(const Caller& caller) {
  ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
  return identity::PasskeyRegistry(*db, *parts_.clock).List(caller.agent_id);
}

Result<identity::Passkey> Portal::RemovePasskey(const Caller& caller, int64_t passkey_id) {
  const auto started = Now();
  auto removed = [&]() -> Result<identity::Passkey> {
    ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
    return identity::PasskeyRegistry(*db, *parts_.clock).Remove(caller.agent_id, passkey_id);
  }();
  return Audited(*trail_, trail_->For(caller, AuditEventType::kPasskeyRemoved), started,
                 std::move(removed), [](AuditEvent& e, const identity::Passkey& passkey) {
                   e.subject = PasskeySubject(passkey);
                 });
}

}  // namespace vigie::app
