#include "app/portal.h"

#include <algorithm>
#include <type_traits>

#include "app/audit_trail.h"
#include "app/detection_response.h"
#include "app/internal/alerts_seen.h"
#include "app/internal/audited.h"
#include "app/internal/quota_seed.h"
#include "app/internal/session_bar.h"
#include "app/use_notice.h"
#include "audit/audit_event_codec.h"
#include "core/log.h"
#include "detect/detection_rules.h"
#include "identity/model.h"
#include "identity/password_policy.h"
#include "identity/shared_login_throttle.h"
#include "policy/purpose.h"
#include "policy/shared_quota.h"
#include "webauthn/webauthn.h"

namespace vigie::app {
namespace {

identity::IdentityOptions IdentityOptionsFrom(const Config& config) {
  identity::IdentityOptions options;
  options.argon2 = {.t_cost = static_cast<uint32_t>(config.auth.argon2_passes),
                    .m_cost_kib = static_cast<uint32_t>(config.auth.argon2_memory_kib)};
  options.activation_code_lifetime = std::chrono::hours(config.auth.activation_valid_hours);
  options.lockout_threshold = config.auth.lockout_failures;
  options.lockout_window = std::chrono::minutes(config.auth.lockout_window_minutes);
  options.lockout_duration = std::chrono::minutes(config.auth.lockout_minutes);
  return options;
}

session::SessionOptions SessionOptionsFrom(const Config& config) {
  session::SessionOptions options;
  options.access_ttl_seconds = config.session.access_token_seconds;
  options.idle_timeout_seconds = int64_t{config.session.idle_timeout_minutes} * 60;
  options.absolute_lifetime_seconds = int64_t{config.session.absolute_lifetime_hours} * 3600;
  options.max_sessions_per_agent = config.session.max_per_agent;
  options.step_up = {.files = config.session.step_up_files,
                     .window_seconds = int64_t{config.session.step_up_window_minutes} * 60};
  return options;
}

identity::LoginThrottleOptions ThrottleOptionsFrom(const Config& config) {
  int per_minute = config.auth.address_attempts_per_minute;
  return {.burst = per_minute, .refill_interval = std::chrono::milliseconds(60'000 / per_minute)};
}

policy::QuotaLimits QuotaLimitsFrom(const Config& config) {
  return {.searches_per_hour = config.quota.searches_per_hour,
          .searches_per_day = config.quota.searches_per_day,
          .files_per_hour = config.quota.files_per_hour,
          .files_per_day = config.quota.files_per_day};
}

// Security: a lock-out stops logins only (Authenticate), except for a
// session whose own wrong step-up codes locked the account (StepUp).
constexpr std::string_view kEndLockedOut = "locked_out";
// Recorded for a login whose service number names no agent and could not be one.
constexpr std::string_view kNotAServiceNumber = "(not a service number)";

using audit::AuditEvent;
using audit::AuditEventType;
using internal::Audited;
using internal::AuditedBeforeCommit;
using internal::AuditedHeld;
using internal::AuditedLockingOut;
using internal::DescribeAgent;
using internal::JudgedAfterCommit;
using internal::Now;
using internal::Released;
using internal::SessionBar;
using internal::SessionBarFor;
using internal::TokenIdHash;

}  // namespace

Caller LocalOperator() {
  return Caller{.agent_id = 0,
                .session_id = 0,
                .unit_id = 0,
                .service_number = "local-operator",
                .roles = identity::RoleSet{identity::Role::kAdministrator,
                                           identity::Role::kSecurityOfficer},
                .notice_acknowledged = true,
                .step_up_demanded = false,
                .jkt = {},
                .token_id_hash = {},
                .source_address = "local",
                .user_agent = "vigie command line"};
}

Result<std::unique_ptr<Portal>> Portal::Create(const PortalParts& parts) {
  if (parts.config == nullptr || parts.keyring == nullptr || parts.pool == nullptr ||
      parts.clock == nullptr || parts.password_policy == nullptr || parts.hasher == nullptr ||
      parts.audit == nullptr) {
    return Fail(ErrorCode::kInvalidArgument, "portal: a part is missing");
  }
  ASSIGN_OR_RETURN(const crypto::DataKey* seed_key,
                   parts.keyring->Current(identity::kPurposeTotpSeeds));
  ASSIGN_OR_RETURN(const crypto::DataKey* terms_key,
                   parts.keyring->Current(crypto::kPurposeAuditTerms));
  ASSIGN_OR_RETURN(detect::DetectOptions detect_options,
                   detect::DetectOptions::From(parts.config->detect));
  // A log on PostgreSQL may be shared with other nodes (docs/operations.md).
  if (!parts.config->audit.url.starts_with("sqlite:")) {
    detect_options.shared_log_node = parts.config->audit.node_id;
  }
  std::unique_ptr<Portal> portal(new Portal(parts, *seed_key, *terms_key));
  RETURN_IF_ERROR(portal->PriceRefusals());
  if (detect_options.enabled) {
    portal->detection_ = std::make_unique<DetectionResponse>(
        parts, *portal->trail_, portal->identity_options_, portal->session_options_,
        std::move(detect_options));
    RETURN_IF_ERROR(portal->detection_->LoadCanaries());
    DetectionResponse* detection = portal->detection_.get();
    portal->trail_->SetObserver(
        [detection](const audit::AuditEvent& event) { detection->OnRecorded(event); },
        [detection](const audit::AuditEvent& event) { detection->OnRecordedLate(event); },
        [detection](const audit::AuditEvent& event) { detection->OnDurable(event); });
  }
  return portal;
}

Portal::Portal(const PortalParts& parts, const crypto::DataKey& totp_seed_key,
               const crypto::DataKey& audit_terms_key)
    : parts_(parts),
      totp_seed_key_(&totp_seed_key),
      identity_options_(IdentityOptionsFrom(*parts.config)),
      session_options_(SessionOptionsFrom(*parts.config)),
      trail_(std::make_unique<AuditTrail>(*parts.audit, audit_terms_key, *parts.clock)),
      alerts_seen_(std::make_unique<internal::AlertsSeen>()) {
  // Nodes sharing a PostgreSQL count logins per address and consultations
  // per agent together: N nodes must not give N allowances.
  if (parts.config->store.url.starts_with("sqlite:")) {
    throttle_ = std::make_unique<identity::LoginThrottle>(*parts.clock,
                                                          ThrottleOptionsFrom(*parts.config));
    // Started from the log: a restart gives no new allowance.
    quota_ = std::make_unique<policy::QuotaLimiter>(QuotaLimitsFrom(*parts.config),
                                                    internal::QuotaSeedFrom(parts.audit));
  } else {
    throttle_ = std::make_unique<identity::SharedLoginThrottle>(
        *parts.pool, *parts.clock, ThrottleOptionsFrom(*parts.config));
    quota_ = std::make_unique<policy::SharedQuotaLimiter>(*parts.pool,
                                                          QuotaLimitsFrom(*parts.config));
  }
  at_once_ =
      std::make_unique<policy::ConsultationsAtOnce>(parts.config->quota.consultations_at_once);
}

Portal::~Portal() {
  // Appends settling late must not reach detection once it is gone.
  trail_->StopObserving();
}

// --- Authentication ---

Result<void> Portal::PriceRefusals() {
  ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
  const crypto::Argon2Params ceiling{
      .t_cost = static_cast<uint32_t>(Config::Auth::kMostArgon2Passes),
      .m_cost_kib = static_cast<uint32_t>(Config::Auth::kMostArgon2MemoryKib)};
  refusal_pricer_ =
      std::make_unique<identity::RefusalPricer>(*parts_.clock, identity_options_.argon2, ceiling);
  RETURN_IF_ERROR(refusal_pricer_->Refresh(*db));
  return {};
}

identity::Authenticator Portal::AuthenticatorOn(store::Connection& db) const {
  identity::IdentityOptions options = identity_options_;
  options.refusal_argon2 = refusal_pricer_->Current(db);
  identity::Authenticator authenticator(db, *parts_.clock, *totp_seed_key_, *parts_.hasher,
                                        options);
  authenticator.AcceptEarlierSeedKeys(*parts_.keyring);
  return authenticator;
}

Result<void> Portal::Admit(std::string_view source_address, int64_t* retry_after_seconds) {
  identity::Admission admission = throttle_->Admit(source_address);
  if (!admission.admitted && retry_after_seconds != nullptr) {
    *retry_after_seconds = admission.retry_after_seconds;
  }
  return admission.ToResult();
}

Result<identity::ActivationResult> Portal::Activate(std::string_view code,
                                                    std::string_view password,
                                                    const Origin& origin,
                                                    int64_t* retry_after_seconds) {
  // Security: codes carry 128+ bits, so guessing is hopeless anyway; the
  // throttle keeps a flood of attempts from reaching the hashing pool.
  const auto started = Now();
  AuditEvent event = trail_->Unauthenticated(AuditEventType::kActivation, "", origin);
  return AuditedBeforeCommit<identity::ActivationResult, identity::Agent>(
      *trail_, std::move(event), started, DescribeAgent,
      [&](const identity::Activation::BeforeCommit& before_commit)
          -> Result<identity::ActivationResult> {
        RETURN_IF_ERROR(Admit(origin.address, retry_after_seconds));
        ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
        identity::Activation activation(*db, *parts_.clock, *totp_seed_key_,
                                        *parts_.password_policy, *parts_.hasher,
                                        identity_options_);
        // Security: an agent an open incident holds (its suspension failed,
        // or it was pending when contained) does not take its code until the
        // release: the code may be what was intercepted. Nor does anyone but
        // a security officer while the portal is locked down, as for a login
        // (session_bar.h). Checked before the password is (a refusal for the
        // password's rules, or a slower one, would tell an intercepted
        // code's holder that it is live), and again inside the activation's
        // transaction (an incident may open meanwhile), so the code is not
        // spent.
        auto barred = [&](const identity::Agent& agent) -> Result<void> {
          ASSIGN_OR_RETURN(incident::AccessBar bar, incident::AccessBarred(*db, agent.id));
          if (bar.contained) {
            return Fail(ErrorCode::kUnauthenticated,
                        "agent is contained: activation waits for the incident's release");
          }
          if (bar.lockdown && !identity::SparedByContainment(agent.roles)) {
            return Fail(ErrorCode::kUnauthenticated,
                        "the portal is locked down: activation waits for the release");
          }
          return {};
        };
        return activation.Activate(
            code, password,
            [&](const identity::Agent& agent) -> Result<void> {
              RETURN_IF_ERROR(barred(agent));
              return before_commit ? before_commit(agent) : Result<void>{};
            },
            barred);
      });
}

Result<identity::LoginChallenge> Portal::LoginWithPassword(std::string_view service_number,
                                                           std::string_view password,
                                                           const Origin& origin,
                                                           int64_t* retry_after_seconds) {
  const auto started = Now();
  // Its time is the attempt's start; what it names is decided below.
  AuditEvent event = trail_->Unauthenticated(AuditEventType::kLoginPasswordOk, "", origin);
  std::optional<int64_t> locked;
  bool named_an_agent = false;
  auto challenge = [&]() -> Result<identity::LoginChallenge> {
    // Security: the address is throttled before any hashing happens.
    RETURN_IF_ERROR(Admit(origin.address, retry_after_seconds));
    ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
    identity::Authenticator authenticator = AuthenticatorOn(*db);
    auto verified = authenticator.VerifyPassword(service_number, password, origin.address);
    if (!verified && verified.error().code() == ErrorCode::kResourceExhausted &&
        retry_after_seconds != nullptr) {
      *retry_after_seconds = 1;  // the hashing pool is full: a moment, not a lock-out
    }
    locked = authenticator.locked_agent();
    named_an_agent = authenticator.named_an_agent();
    return verified;
  }();
  // Security: what was typed is recorded as the login reads it (upper-cased)
  // when it names an agent, or could be a service number and is shorter than
  // any password: an agent who typed their password into that field (a
  // passphrase of letters and dashes too) must not leave it in a log kept
  // for years and never altered. (An attempt throttled before the check is
  // not looked up: only a short one is kept.)
  const std::string normalised = identity::NormalisedServiceNumber(service_number);
  const bool plausible = identity::ValidateCode("service number", normalised).has_value() &&
                         (named_an_agent || normalised.size() < identity::kMinPasswordCodePoints);
  event.actor.service_number = plausible ? normalised : std::string(kNotAServiceNumber);
  if (!challenge) event.type = AuditEventType::kLoginPasswordFailed;
  return AuditedLockingOut(*trail_, std::move(event), started, std::move(challenge), locked);
}

Result<LoginTokens> Portal::LoginWithSecondFactor(std::string_view challenge, std::string_view code,
                                                  std::string_view jkt,
                                                  const Origin& origin) {
  return FinishLogin(trail_->Unauthenticated(AuditEventType::kLoginSecondFactorOk, "", origin, jkt),
                     jkt, [&](identity::Authenticator& authenticator) {
                       return authenticator.VerifySecondFactor(challenge, code, origin.address);
                     });
}

Result<LoginTokens> Portal::FinishLogin(
    AuditEvent event, std::string_view jkt,
    const std::function<Result<identity::Agent>(identity::Authenticator&)>& verify) {
  const auto started = Now();
  std::optional<int64_t> locked;
  bool factor_passed = false;
  JudgedAfterCommit recorded(*trail_);
  auto login = [&]() -> Result<LoginTokens> {
    ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
    identity::Authenticator authenticator = AuthenticatorOn(*db);
    auto verified = verify(authenticator);
    locked = authenticator.locked_agent();
    // Which passkey, and why one was refused: a login with a factor nobody
    // knew of, or a cloned authenticator, is found by its id (and detection
    // knows the latter by the refusal's words).
    static_assert(webauthn::kCounterWentBack == audit::kPasskeyCounterWentBack);
    if (!authenticator.passkey_outcome().empty()) {
      event.subject = AuditText(authenticator.passkey_outcome(), audit::kMaxAuditShortText);
    }
    if (std::optional<int64_t> refused = authenticator.refused_agent()) {
      // Named in the log, so detection counts the failures against the agent.
      identity::AgentDirectory directory(*db, *parts_.clock, identity_options_);
      if (auto agent = directory.GetAgent(*refused)) DescribeAgent(event, *agent);
    }
    ASSIGN_OR_RETURN(identity::Agent agent, std::move(verified));
    factor_passed = true;
    DescribeAgent(event, agent);
    // Durable before the session commits: a log that cannot be written
    // refuses the login whole, the agent's older session left open.
    // A refusal after this (the event or the commit failed) names the
    // session and token too: their ok event may be in the log, and on
    // SQLite a rolled-back session's id is given again to the next one.
    return OpenSession(*db, agent, jkt, [&](const session::IssuedTokens& tokens) {
      internal::DescribeLogin(event, tokens);
      return recorded.Record(event, started);
    });
  }();
  recorded.Judge();
  if (login) return login;  // recorded before its commit
  // A login refused once its factor passed (a lock-down, a containment, a
  // store error) stays a refused login: as a wrong factor, detection would
  // count it against the agent (and could suspend everyone a lock-down
  // keeps out who tries again).
  if (!factor_passed) event.type = AuditEventType::kLoginSecondFactorFailed;
  return AuditedLockingOut(*trail_, std::move(event), started, std::move(login), locked);
}

Result<LoginTokens> Portal::OpenSession(
    store::Connection& db, const identity::Agent& agent, std::string_view jkt,
    const std::function<Result<void>(const session::IssuedTokens&)>& before_commit) {
  session::SessionStore sessions(db, *parts_.clock, session_options_);
  // Security: the bars every request obeys, read again inside the session's
  // own transaction: a containment, suspension or lock-down committed after
  // the second factor was checked must not leave a session nothing revoked.
  ASSIGN_OR_RETURN(session::IssuedTokens tokens,
                   sessions.Create(
                       agent.id, jkt,
                       [&]() -> Result<void> {
                         identity::AgentDirectory directory(db, *parts_.clock, identity_options_);
                         ASSIGN_OR_RETURN(identity::Agent now, directory.GetAgent(agent.id));
                         ASSIGN_OR_RETURN(std::optional<SessionBar> bar, SessionBarFor(db, now));
                         if (bar) return Fail(ErrorCode::kUnauthenticated, std::string(bar->why));
                         return {};
                       },
                       before_commit));
  return LoginTokens{.tokens = std::move(tokens), .notice_acknowledged = false};
}

Result<std::optional<int64_t>> Portal::LiveRefreshSession(
    std::string_view refresh_token, std::optional<std::string_view> bound_to) {
  ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
  return session::SessionStore(*db, *parts_.clock, session_options_)
      .LiveRefreshSession(refresh_token, bound_to);
}

Result<std::optional<int64_t>> Portal::LiveChallengeAgent(std::string_view challenge) {
  ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
  return AuthenticatorOn(*db).LiveChallengeAgent(challenge);
}

Result<std::optional<int64_t>> Portal::LiveAccessSession(std::string_view access_token,
                                                         std::optional<std::string_view> bound_to) {
  ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
  return session::SessionStore(*db, *parts_.clock, session_options_)
      .LiveAccessSession(access_token, bound_to);
}

Result<session::IssuedTokens> Portal::Refresh(std::string_view refresh_token, std::string_view jkt,
                                              const Origin& origin,
                                              std::string_view proof_identity) {
  const auto started = Now();
  AuditEvent event = trail_->Unauthenticated(AuditEventType::kRefresh, "", origin, jkt);
  event.token_id_hash = TokenIdHash(refresh_token);
  session::SessionStore::RefreshSeen seen;
  JudgedAfterCommit recorded(*trail_);
  auto refreshed = [&]() -> Result<session::IssuedTokens> {
    ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
    session::SessionStore sessions(*db, *parts_.clock, session_options_);
    // Security: the same bars as every request, before anything rotates: a
    // stolen session must not be kept alive through a suspension,
    // containment or lock-down by refreshing it.
    auto rotated = sessions.Refresh(
        refresh_token, jkt,
        [&](const session::Session& session) -> Result<void> {
          identity::AgentDirectory directory(*db, *parts_.clock, identity_options_);
          ASSIGN_OR_RETURN(identity::Agent agent, directory.GetAgent(session.agent_id));
          DescribeAgent(event, agent);
          ASSIGN_OR_RETURN(std::optional<SessionBar> bar, SessionBarFor(*db, agent));
          if (bar) return Fail(ErrorCode::kUnauthenticated, std::string(bar->why));
          // Durable before the rotation commits: a log that cannot be
          // written refuses the refresh whole, its token left unspent.
          // Tokens handed out unrecorded would be lost to the 503, and the
          // client's retry with the spent token taken for a stolen one.
          AuditEvent durable = event;
          durable.session_id = session.id;
          return recorded.Record(std::move(durable), started);
        },
        &seen, proof_identity);
    if (!rotated && seen.agent_id != 0 && event.actor.agent_id == 0) {
      // A refusal names whose session it was: a reused token above all (a
      // stolen one), which investigators and detection look for by agent.
      identity::AgentDirectory directory(*db, *parts_.clock, identity_options_);
      if (auto agent = directory.GetAgent(seen.agent_id)) DescribeAgent(event, *agent);
    }
    return rotated;
  }();
  recorded.Judge();
  event.session_id = seen.session_id;
  if (seen.reused) {
    event.type = AuditEventType::kRefreshReuse;
    if (seen.stranger_key) event.subject = std::string(audit::kRefreshReuseStrangerKey);
  }
  // A success was recorded before its commit; a refusal is recorded now
  // (after the success's event, if the commit itself failed).
  if (!refreshed) trail_->RecordRefusal(std::move(event), refreshed.error(), started);
  return refreshed;
}

Result<Caller> Portal::Authenticate(std::string_view access_token, std::string_view jkt,
                                    session::SessionStore::Access access) {
  ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
  session::SessionStore sessions(*db, *parts_.clock, session_options_);
  ASSIGN_OR_RETURN(session::Session session, sessions.Authenticate(access_token, jkt, access));
  identity::AgentDirectory directory(*db, *parts_.clock, identity_options_);
  ASSIGN_OR_RETURN(identity::Agent agent, directory.GetAgent(session.agent_id));
  ASSIGN_OR_RETURN(std::optional<SessionBar> bar, SessionBarFor(*db, agent));
  if (bar) {
    if (access == session::SessionStore::Access::kUse && !bar->end_reason.empty()) {
      RETURN_IF_ERROR(sessions.Revoke(session.id, bar->end_reason));
    }
    return Fail(ErrorCode::kUnauthenticated, std::string(bar->why));
  }
  return Caller{.agent_id = agent.id,
                .session_id = session.id,
                .unit_id = agent.unit_id,
                .service_number = agent.service_number,
                .roles = agent.roles,
                .notice_acknowledged = session.notice_acknowledged(),
                .step_up_demanded = session.step_up_demanded(),
                .second_factor_at = session.last_step_up_at,
                .session_expires_at = session.expires_at,
                .jkt = std::string(jkt),
                .token_id_hash = TokenIdHash(access_token),
                .source_address = {},
                .user_agent = {}};
}

Error Portal::RefuseFlaggedSession(const Caller& caller,
                                   std::optional<audit::AuditEventType> attempted) {
  Error refusal(ErrorCode::kPermissionDenied, std::string(kStepUpRequired));
  if (attempted) trail_->RecordRefusal(trail_->For(caller, *attempted), refusal, Now());
  return refusal;
}

// --- The caller's own session ---

Result<void> Portal::Logout(const Caller& caller) {
  const auto started = Now();
  auto ended = [&]() -> Result<void> {
    ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
    return session::SessionStore(*db, *parts_.clock, session_options_).Logout(caller.session_id);
  }();
  return Audited(*trail_, trail_->For(caller, AuditEventType::kLogout), started, std::move(ended));
}

Result<void> Portal::AcknowledgeNotice(const Caller& caller) {
  const auto started = Now();
  AuditEvent event = trail_->For(caller, AuditEventType::kUseNoticeAcknowledged);
  event.subject = "use notice " + std::string(kUseNoticeVersion);
  // Recorded before it counts: an agent's acknowledgement of the terms
  // weighs in a misuse case, and must be in the log if it is in the session.
  return AuditedBeforeCommit<void, int64_t>(
      *trail_, std::move(event), started, [](AuditEvent&, int64_t) {},
      [&](const std::function<Result<void>(int64_t)>& before_commit) -> Result<void> {
        ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
        return session::SessionStore(*db, *parts_.clock, session_options_)
            .AcknowledgeNotice(caller.session_id, [&] { return before_commit(caller.session_id); });
      });
}

Result<void> Portal::StepUp(const Caller& caller, std::string_view code, std::string_view source) {
  const auto started = Now();
  std::optional<int64_t> locked;
  bool locked_out = false;
  bool code_checked = false;
  bool code_passed = false;
  auto stepped_up = [&]() -> Result<void> {
    std::optional<int64_t> demand;
    {
      ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
      // The demand this code can meet: not one made while it is checked.
      ASSIGN_OR_RETURN(demand, session::StepUpTracker(*db, *parts_.clock, session_options_.step_up)
                                   .Demanded(caller.session_id));
      code_checked = true;
      identity::Authenticator authenticator = AuthenticatorOn(*db);
      auto verified = authenticator.VerifyFreshSecondFactor(caller.agent_id, code, source);
      locked = authenticator.locked_agent();
      locked_out = authenticator.step_up_locked_out();
      RETURN_IF_ERROR(verified);
      code_passed = true;
    }
    // Durable before the demand is cleared: a step-up the log cannot
    // record leaves the session flagged (the code is spent: the next one
    // is needed), rather than clearing a detection's demand unseen. No
    // connection held meanwhile: detection, judging the event, may take one.
    RETURN_IF_ERROR(trail_->Record(trail_->For(caller, AuditEventType::kStepUp), started));
    ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
    return session::StepUpTracker(*db, *parts_.clock, session_options_.step_up)
        .RecordStepUp(caller.session_id, demand);
  }();
  if (locked_out) {
    // Security: wrong codes lock the account on their own, this session's
    // among them; it may be a stolen one, so it ends with the lock. (Wrong
    // passwords from anyone and one typo of the agent's do not end it.)
    auto ended = [&]() -> Result<void> {
      ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
      return session::SessionStore(*db, *parts_.clock, session_options_)
          .Revoke(caller.session_id, kEndLockedOut);
    }();
    if (!ended) {
      Log(LogLevel::kError, "locked_out_session_not_ended", {{"error", ended.error().message()}});
    }
  }
  if (stepped_up) return stepped_up;  // recorded above
  if (code_passed || !code_checked) {
    // What failed is ours (the log, the database), or came before the code
    // was looked at (an ended session): recorded as a refused step-up, it
    // would count against the agent as a wrong code. (A check that failed
    // on our side is recorded with its code, which detection tells apart.)
    Log(LogLevel::kWarn, "step_up_not_completed",
        {{"agent_id", caller.agent_id}, {"error", stepped_up.error().message()}});
    return stepped_up;
  }
  return AuditedLockingOut(*trail_, trail_->For(caller, AuditEventType::kStepUp), started,
                           std::move(stepped_up), locked);
}

Result<identity::Agent> Portal::Self(const Caller& caller) {
  ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
  return identity::AgentDirectory(*db, *parts_.clock, identity_options_).GetAgent(caller.agent_id);
}

}  // namespace vigie::app
