#include "api/api_v1.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <optional>
#include <vector>

#include "api/internal/content_type.h"
#include "api/internal/proof_check.h"
#include "api/internal/request_context.h"
#include "api/internal/routes.h"
#include "audit/audit_event.h"
#include "core/log.h"
#include "http/problem.h"

namespace vigie::api {
namespace {

using namespace internal;  // the route handlers, Call, RequestContext

// Security: every authentication failure reads the same to the client.
constexpr std::string_view kPublicUnauthenticated = "authentication failed";

enum class Guard {
  kPublic,  // nothing
  // No proof, but it reads a login challenge: charged to its address as
  // kProof's attempts are.
  kChallenge,
  kProof,    // a DPoP proof (it names the key a new session binds to), charged likewise
  kSession,  // access token + proof from the session's key, no step-up demanded
  // The same, and also while detection demands a step-up: only what the
  // caller needs to give the fresh code or leave.
  kOwnSession,
};

struct Route {
  std::string_view method;
  std::string_view path;
  Guard guard;
  Handler handler;
  // The audit log's name for what the route does, when its use case writes
  // one: a request the guard refuses is recorded under it.
  std::optional<audit::AuditEventType> audited_as = std::nullopt;
  // Passkeys: without a relying party nothing the sender sends could pass,
  // so the route answers 503 before its guard spends anything on a proof,
  // a credential or a session.
  bool needs_relying_party = false;
  // A consultation refuses a flagged session in its use case (before any
  // read), which records what was asked: the file's id, the purpose, the
  // sealed search terms. Refused by the guard, a stolen session's probes
  // would leave only their type, and "who tried to find X" would miss them.
  bool use_case_refuses_flagged = false;
};

constexpr std::array kRoutes = {
    Route{"GET", "/api/v1/openapi.json", Guard::kPublic, GetOpenApi},
    Route{"GET", "/api/v1/use-notice", Guard::kPublic, GetNotice},
    Route{"POST", "/api/v1/auth/activate", Guard::kPublic, PostActivate},
    Route{"POST", "/api/v1/auth/login", Guard::kPublic, PostLogin},
    Route{"POST", "/api/v1/auth/second-factor", Guard::kProof, PostSecondFactor},
    Route{"POST", "/api/v1/auth/refresh", Guard::kProof, PostRefresh},
    Route{.method = "POST",
          .path = "/api/v1/auth/passkey/options",
          .guard = Guard::kChallenge,
          .handler = PostPasskeyLoginOptions,
          .needs_relying_party = true},
    Route{.method = "POST",
          .path = "/api/v1/auth/passkey",
          .guard = Guard::kProof,
          .handler = PostPasskeyLogin,
          .needs_relying_party = true},
    Route{"POST", "/api/v1/auth/logout", Guard::kOwnSession, PostLogout},
    Route{"POST", "/api/v1/auth/use-notice", Guard::kOwnSession, PostAcknowledgeNotice,
          audit::AuditEventType::kUseNoticeAcknowledged},
    Route{"POST", "/api/v1/auth/step-up", Guard::kOwnSession, PostStepUp},
    Route{"GET", "/api/v1/self", Guard::kOwnSession, GetSelf},
    Route{"GET", "/api/v1/passkeys", Guard::kSession, GetPasskeys},
    Route{.method = "POST",
          .path = "/api/v1/passkeys",
          .guard = Guard::kSession,
          .handler = PostPasskey,
          .audited_as = audit::AuditEventType::kPasskeyRegistered,
          .needs_relying_party = true},
    Route{.method = "POST",
          .path = "/api/v1/passkeys/options",
          .guard = Guard::kSession,
          .handler = PostPasskeyOptions,
          .needs_relying_party = true},
    Route{"POST", "/api/v1/passkeys/{passkey_id}/remove", Guard::kSession, PostRemovePasskey,
          audit::AuditEventType::kPasskeyRemoved},
    Route{.method = "POST",
          .path = "/api/v1/search",
          .guard = Guard::kSession,
          .handler = PostSearch,
          .audited_as = audit::AuditEventType::kSearch,
          .use_case_refuses_flagged = true},
    Route{.method = "POST",
          .path = "/api/v1/persons/{person_id}/file",
          .guard = Guard::kSession,
          .handler = PostOpenFile,
          .audited_as = audit::AuditEventType::kFileOpening,
          .use_case_refuses_flagged = true},
    Route{"POST", "/api/v1/audit/search", Guard::kSession, PostAuditSearch,
          audit::AuditEventType::kAuditSearch},
    Route{"GET", "/api/v1/units", Guard::kSession, GetUnits},
    Route{"POST", "/api/v1/units", Guard::kSession, PostUnit, audit::AuditEventType::kUnitAdded},
    Route{"GET", "/api/v1/agents", Guard::kSession, GetAgents},
    Route{"POST", "/api/v1/agents", Guard::kSession, PostAgent, audit::AuditEventType::kAgentAdded},
    Route{"POST", "/api/v1/agents/search", Guard::kSession, PostAgentSearch},
    Route{"GET", "/api/v1/agents/{service_number}", Guard::kSession, GetAgent},
    Route{"POST", "/api/v1/agents/{service_number}/suspend", Guard::kSession, PostSuspend,
          audit::AuditEventType::kAgentSuspended},
    Route{"POST", "/api/v1/agents/{service_number}/reinstate", Guard::kSession, PostReinstate,
          audit::AuditEventType::kAgentReinstated},
    Route{"POST", "/api/v1/agents/{service_number}/reset", Guard::kSession, PostReset,
          audit::AuditEventType::kAgentReset},
    Route{"POST", "/api/v1/alerts/search", Guard::kSession, PostAlertSearch,
          audit::AuditEventType::kAuditSearch},
    Route{"POST", "/api/v1/alerts/{alert_id}/acknowledge", Guard::kSession, PostAcknowledgeAlert,
          audit::AuditEventType::kAlertAcknowledged},
    Route{"GET", "/api/v1/incidents", Guard::kSession, GetIncidents},
    Route{"POST", "/api/v1/incidents", Guard::kSession, PostIncident,
          audit::AuditEventType::kIncidentAction},
    Route{"POST", "/api/v1/incidents/{incident_id}/agents", Guard::kSession, PostIncidentAgents},
    Route{"POST", "/api/v1/incidents/{incident_id}/release", Guard::kSession, PostReleaseIncident,
          audit::AuditEventType::kIncidentReleased},
    Route{"GET", "/api/v1/self/consultations", Guard::kSession, GetOwnConsultations},
    Route{"POST", "/api/v1/breach-reports", Guard::kSession, PostBreachReport,
          audit::AuditEventType::kAuditSearch},
    Route{"POST", "/api/v1/claim-checks", Guard::kSession, PostClaimCheck,
          audit::AuditEventType::kAuditSearch},
};

const std::array<RouteInfo, kRoutes.size()> kRouteInfos = [] {
  std::array<RouteInfo, kRoutes.size()> infos{};
  for (size_t i = 0; i < kRoutes.size(); ++i) {
    infos[i] = {.method = kRoutes[i].method,
                .path = kRoutes[i].path,
                .authenticated = kRoutes[i].guard == Guard::kSession ||
                                 kRoutes[i].guard == Guard::kOwnSession,
                .refused_when_flagged = kRoutes[i].guard == Guard::kSession};
  }
  return infos;
}();

// Security: the one route whose body is a whole file; every other keeps the
// small body limit.
constexpr std::array<std::string_view, 1> kUploadPaths = {"/api/v1/claim-checks"};
constexpr std::array<std::string_view, 2> kPasswordHashingPaths = {"/api/v1/auth/activate",
                                                                   "/api/v1/auth/login"};

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// "." or "..", each dot perhaps percent-encoded ("%2e", "%2E").
bool IsDotSegment(std::string_view segment) {
  size_t dots = 0;
  for (size_t i = 0; i < segment.size(); ++dots) {
    if (segment[i] == '.') {
      i += 1;
    } else if (segment.size() - i >= 3 && segment[i] == '%' && segment[i + 1] == '2' &&
               (segment[i + 2] == 'e' || segment[i + 2] == 'E')) {
      i += 3;
    } else {
      return false;
    }
  }
  return dots == 1 || dots == 2;
}

// Matches `path` against a route pattern, filling the placeholders.
bool Matches(std::string_view pattern, std::string_view path,
             std::map<std::string, std::string, std::less<>>& params) {
  std::vector<std::string_view> want = Segments(pattern), got = Segments(path);
  if (want.size() != got.size()) return false;
  for (size_t i = 0; i < want.size(); ++i) {
    // Security: a dot segment, plain or percent-encoded, matches nothing.
    // A proof's htu is compared with its dot segments resolved (RFC 3986),
    // so a proof made for /agents would otherwise pass on
    // /incidents/../agents (or /incidents/%2E%2E/agents), another route.
    if (IsDotSegment(got[i])) return false;
    if (want[i].starts_with('{')) {
      if (got[i].empty()) return false;
      params[std::string(want[i].substr(1, want[i].size() - 2))] = std::string(got[i]);
    } else if (want[i] != got[i]) {
      return false;
    }
  }
  return true;
}

// Whether a proof-guarded request failed for what its sender sent (a bad
// proof, an unknown credential, a wrong code, a malformed body), rather than
// succeeded or met our own failure (503, 500) or a limit.
bool RefusedForTheSender(const Error& error) {
  const ErrorCode code = error.code();
  return code != ErrorCode::kResourceExhausted && code != ErrorCode::kUnavailable &&
         code != ErrorCode::kInternal && code != ErrorCode::kDataLoss;
}

bool RefusedForTheSender(const Result<http::Response>& result) {
  return !result && RefusedForTheSender(result.error());
}

// What a live credential ("session N", "agent N") is heard by once its
// sender's address has spent its bucket: it and that address, so whoever
// holds someone's credential elsewhere cannot spend what its owner is heard.
std::string HeardKey(std::string_view credential, std::string_view address) {
  return std::string(credential) + " at " + identity::LoginThrottle::KeyOf(address);
}

// `token_live`: the request's access token opens a live session, and the
// refusal is the use case's (a wrong step-up code): the token is not the one
// to call invalid, or a client would drop a live session.
std::string DpopChallenge(const Error& error, const http::Request& request, bool token_live) {
  if (session::IsInvalidDpopProof(error))
    return "DPoP error=\"invalid_dpop_proof\", algs=\"ES256\"";
  // A malformed Authorization (another scheme, two of them) is no token to
  // call invalid: the plain challenge says which scheme to use.
  if (!token_live && internal::AccessTokenOf(request)) {
    return "DPoP error=\"invalid_token\", algs=\"ES256\"";
  }
  return "DPoP algs=\"ES256\"";
}

http::Response ErrorResponse(const Error& error, const http::Request& request, int64_t retry_after,
                             bool token_live) {
  http::Response response;
  switch (error.code()) {
    case ErrorCode::kUnauthenticated:
      response = http::ProblemFor(error, request.request_id, kPublicUnauthenticated);
      // RFC 9449 §7.1: the scheme and algorithm to use, and - when the
      // request carried credentials - whether to sign a new proof or to get a
      // new token. (A login's refusal carries none: no error code.)
      response.headers.emplace_back("WWW-Authenticate", DpopChallenge(error, request, token_live));
      break;
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kPermissionDenied:
    case ErrorCode::kNotFound:
    case ErrorCode::kConflict:
    case ErrorCode::kResourceExhausted:
      // These messages are written for the client: they name the field or
      // rule, never a secret or an internal detail - unless they are a
      // database's own words, which get the code's generic text.
      response = http::ProblemFor(error, request.request_id,
                                  error.database_detail() ? "" : error.message());
      if (error.database_detail()) {
        Log(LogLevel::kWarn, "api_database_error",
            {{"request_id", request.request_id}, {"error", error.message()}});
      }
      break;
    default:
      response = http::ProblemFor(error, request.request_id);
      break;
  }
  if (error.code() == ErrorCode::kResourceExhausted) {
    response.headers.emplace_back("Retry-After", std::to_string(retry_after > 0 ? retry_after : 1));
  } else if (error.code() == ErrorCode::kUnavailable && retry_after > 0) {
    response.headers.emplace_back("Retry-After", std::to_string(retry_after));
  }
  if (error.code() == ErrorCode::kPermissionDenied && error.message() == app::kStepUpRequired) {
    // RFC 9470: the client answers with POST /api/v1/auth/step-up.
    response.headers.emplace_back(
        "WWW-Authenticate", "DPoP error=\"insufficient_user_authentication\", algs=\"ES256\"");
  }
  return response;
}

}  // namespace

ApiV1::ApiV1(app::Portal& portal, ApiOptions options)
    : portal_(portal),
      options_(std::move(options)),
      replay_(
          options_.dpop.max_age_seconds + options_.dpop.max_future_seconds,
          options_.replay_capacity, options_.replay_per_key,
          options_.shared_replay != nullptr
              ? INT64_MIN
              : options_.accept_proofs_from.value_or(session::AcceptFrom(
                    UnixSeconds(portal_.parts().clock->Now()), options_.dpop.max_future_seconds))),
      local_failed_credentials_(*portal_.parts().clock, options_.failed_credentials),
      failed_credentials_(options_.shared_failed_credentials != nullptr
                              ? options_.shared_failed_credentials
                              : &local_failed_credentials_),
      heard_credentials_(*portal_.parts().clock, options_.heard_credentials),
      failed_sessions_(*portal_.parts().clock, options_.failed_sessions),
      heard_sessions_(*portal_.parts().clock, options_.heard_sessions) {}

std::span<const RouteInfo> ApiV1::Routes() { return kRouteInfos; }

Result<std::optional<std::string>> ApiV1::LiveCredentialOf(
    std::string_view route_path, const http::Request& request,
    std::optional<std::string_view> bound_to) {
  boost::json::parse_options options;
  options.max_depth = 4;
  boost::system::error_code ec;
  boost::json::value body = boost::json::parse(request.body, ec, {}, options);
  const boost::json::object* object = ec ? nullptr : body.if_object();
  const bool refresh = route_path == "/api/v1/auth/refresh";
  const auto* field =
      object ? object->if_contains(refresh ? "refresh_token" : "login_challenge") : nullptr;
  if (field == nullptr || !field->is_string()) return std::nullopt;
  const std::string_view token = field->get_string();
  // Keyed by what the credential opens, not by the credential: each refresh
  // makes a new token, and every one of a session's would otherwise bring
  // a fresh allowance.
  if (refresh) {
    ASSIGN_OR_RETURN(std::optional<int64_t> session, portal_.LiveRefreshSession(token, bound_to));
    if (session) return "session " + std::to_string(*session);
  } else {
    ASSIGN_OR_RETURN(std::optional<int64_t> agent, portal_.LiveChallengeAgent(token));
    if (agent) return "agent " + std::to_string(*agent);
  }
  return std::nullopt;
}

Result<void> ApiV1::AdmitCredentialAttempt(std::string_view route_path,
                                           const http::Request& request, int64_t& retry_after,
                                           bool& charged) {
  // Security: a refused proof, challenge, code or refresh token costs its
  // sender nothing and us a signature check and database work. Each
  // attempt takes a token from its address's bucket, given back (Handle)
  // unless it was refused; with the bucket empty, only a request with a
  // live credential is heard (one read), so a client spending its
  // address's bucket does not shut out the agents behind the same NAT.
  const identity::Admission admission = failed_credentials_->Admit(request.remote_address);
  charged = admission.admitted;
  if (admission.admitted) return {};
  ASSIGN_OR_RETURN(std::optional<std::string> live, LiveCredentialOf(route_path, request));
  // Heard a few times beyond its address's bucket: its holder's own
  // retries, not a way round the bucket with bad proofs.
  const identity::Admission heard =
      live ? heard_credentials_.Admit(HeardKey(*live, request.remote_address))
           : identity::Admission{.admitted = false};
  if (heard.admitted) return {};
  retry_after = std::max(admission.retry_after_seconds, heard.retry_after_seconds);
  return Fail(admission.ToResult().error());
}

Result<void> ApiV1::AdmitSessionAttempt(const http::Request& request, std::string_view access_token,
                                        SessionCharge& charge, int64_t& retry_after) {
  // Security: a made-up token with a proof of its sender's own making costs
  // them nothing and us a signature check. As for credentials (above), each
  // request takes a token from its address's bucket, given back once it is
  // authenticated; with the bucket empty, only a token of a live session is
  // heard (one read), so a client spending an office NAT's bucket does not
  // shut out the agents behind it, and a stolen token without its key is
  // not a licence for signature checks without end either.
  const identity::Admission admission = failed_sessions_.Admit(request.remote_address);
  if (admission.admitted) {
    charge.address = true;
    return {};
  }
  ASSIGN_OR_RETURN(std::optional<int64_t> live, portal_.LiveAccessSession(access_token));
  if (!live) {
    retry_after = admission.retry_after_seconds;
    return Fail(admission.ToResult().error());
  }
  std::string session = HeardKey("session " + std::to_string(*live), request.remote_address);
  const identity::Admission heard = heard_sessions_.Admit(session);
  if (!heard.admitted) {
    retry_after = std::max(admission.retry_after_seconds, heard.retry_after_seconds);
    return Fail(admission.ToResult().error());
  }
  charge.session = std::move(session);
  return {};
}

bool ApiV1::HoldsLiveCredential(std::string_view route_path, const http::Request& request,
                                std::string_view jkt) {
  // Security: as for sessions (KeepsCharge), a proof dated before this
  // process may judge it was paid for, and its date is the sender's choice:
  // given back only to a live credential's holder (a refresh token's with
  // its session's key: a stolen one is no licence).
  Result<std::optional<std::string>> live = LiveCredentialOf(route_path, request, jkt);
  return live && live->has_value();
}

bool ApiV1::KeepsCharge(const Error& error, bool too_early, std::string_view access_token,
                        std::string_view jkt) {
  if (!too_early) return RefusedForTheSender(error);
  // Security: a proof dated before this process may judge it is our 503,
  // but its signature was paid for, and its date is the sender's choice:
  // in the minute after a start, made-up tokens with such proofs would
  // never spend the bucket. Given back only with a live session's token
  // and a proof from that session's key (a stolen token is no licence).
  Result<std::optional<int64_t>> live = portal_.LiveAccessSession(access_token, jkt);
  return live && !live->has_value();
}

void ApiV1::GiveBack(const http::Request& request, const SessionCharge& charge) {
  if (charge.address) failed_sessions_.Refund(request.remote_address);
  if (!charge.session.empty()) heard_sessions_.Refund(charge.session);
}

Result<void> ApiV1::MadeSinceBegun(const session::DpopProof& proof, int64_t& retry_after) const {
  Result<void> made = replay_.CheckMadeSinceBegun(proof.iat);
  if (!made) retry_after = replay_.SecondsUntilAccepting(proof.iat);
  return made;
}

Result<void> ApiV1::CheckProofUnused(const session::DpopProof& proof, int64_t now) {
  RETURN_IF_ERROR(replay_.CheckUnused(proof.jkt, proof.jti, now));
  if (options_.shared_replay != nullptr) {
    RETURN_IF_ERROR(options_.shared_replay->CheckUnused(proof.jkt, proof.jti, now));
  }
  return {};
}

Result<void> ApiV1::RememberProof(const session::DpopProof& proof, int64_t checked_at) {
  // Security: remembered at the time of remembering, not of checking
  // (ReplayRememberTime): a request slow in between must not meet a cache
  // that a faster one made forget its proof's first use.
  ASSIGN_OR_RETURN(const int64_t now,
                   session::ReplayRememberTime(proof, options_.dpop, checked_at,
                                               UnixSeconds(portal_.parts().clock->Now())));
  // The credential checked: the key belongs to a real session, worth keeping.
  if (proof.key_to_keep) keys_.Remember(proof.key_to_keep);
  // This node's memory first: most replays are refused without a round trip.
  // Its age was judged before the credential (MadeSinceBegun).
  RETURN_IF_ERROR(replay_.Use(proof.jkt, proof.jti, now));
  // For the next process's start (session::ProofWatermark).
  int64_t latest = latest_proof_accepted_.load(std::memory_order_relaxed);
  while (proof.iat > latest && !latest_proof_accepted_.compare_exchange_weak(
                                   latest, proof.iat, std::memory_order_relaxed)) {
  }
  if (options_.shared_replay != nullptr) {
    RETURN_IF_ERROR(options_.shared_replay->Use(proof.jkt, proof.jti, now));
  }
  return {};
}

std::span<const std::string_view> ApiV1::UploadPaths() { return kUploadPaths; }
std::span<const std::string_view> ApiV1::PasswordHashingPaths() { return kPasswordHashingPaths; }

bool ApiV1::AdmitsUpload(const http::Request& head) {
  // Security: before anything is read of a body up to the upload limit, its
  // sender is known, so strangers cannot hold the few upload places.
  // What Handle would refuse whatever the body is not worth a place either:
  // another method, a query string.
  if (head.method != "POST" || head.target.find('?') != std::string::npos) return false;
  const int64_t now = UnixSeconds(portal_.parts().clock->Now());
  Result<std::string> token = internal::AccessTokenOf(head);
  if (!token) return false;
  SessionCharge charge;
  int64_t retry_after = 0;
  if (!AdmitSessionAttempt(head, *token, charge, retry_after)) return false;
  bool too_early = false;
  std::string jkt;
  Result<app::Caller> caller = [&]() -> Result<app::Caller> {
    ASSIGN_OR_RETURN(
        session::DpopProof proof,
        internal::CheckProof(head, options_.public_url, *token, options_.dpop, keys_, now));
    jkt = proof.jkt;
    // A proof already used is not worth a place either (Handle would refuse it).
    if (auto made = replay_.CheckMadeSinceBegun(proof.iat); !made) {
      too_early = true;
      return Fail(made.error());
    }
    RETURN_IF_ERROR(CheckProofUnused(proof, now));
    // Read only: the proof is not spent here, so a head sent again and
    // again, its body never, must not keep the session alive either.
    return portal_.Authenticate(*token, proof.jkt, session::SessionStore::Access::kPeek);
  }();
  // Given back as Handle does (which charges the request again).
  if (caller || !KeepsCharge(caller.error(), too_early, *token, jkt)) GiveBack(head, charge);
  if (!caller) return false;
  return portal_.MayCheckClaims(*caller);
}

http::Response ApiV1::Handle(const http::Request& request) {
  std::string_view path = request.Path();
  const Route* route = nullptr;
  std::string_view known_pattern;  // the path exists, maybe for other methods
  std::string allowed;
  std::map<std::string, std::string, std::less<>> params;
  // RFC 9110 §9.3.2: HEAD wherever GET is, answered as GET (the server
  // sends the headers and no body). It takes the GET route whole: the same
  // guard, a proof made for HEAD, the same handler and so the same audit.
  const bool head = request.method == "HEAD";
  for (const Route& candidate : kRoutes) {
    std::map<std::string, std::string, std::less<>> candidate_params;
    if (!Matches(candidate.path, path, candidate_params)) continue;
    known_pattern = candidate.path;
    allowed += (allowed.empty() ? "" : ", ") + std::string(candidate.method);
    if (candidate.method == "GET") allowed += ", HEAD";
    if (candidate.method == request.method || (head && candidate.method == "GET")) {
      route = &candidate;
      params = std::move(candidate_params);
      break;
    }
  }
  if (route == nullptr) {
    if (known_pattern.empty()) {
      http::Response response =
          http::Problem(404, "Not Found", "no such route", request.request_id);
      response.log_route = "(unknown)";
      return response;
    }
    http::Response response = http::Problem(
        405, "Method Not Allowed", "this route does not take this method", request.request_id);
    response.headers.emplace_back("Allow", allowed);
    response.log_route = std::string(known_pattern);
    return response;
  }
  // No route reads a query string: one sent is refused, not ignored, so that
  // `?dry_run=1` never suspends an agent for real, nor `?unit=X` lists all.
  if (request.target.find('?') != std::string::npos) {
    http::Response response =
        http::Problem(400, http::StatusPhrase(400),
                      "this API takes no query string: parameters go in the path or the JSON body",
                      request.request_id);
    response.log_route = std::string(route->path);
    return response;
  }
  // Security: every body here is JSON, and only JSON is read. A cross-site
  // form or fetch() with a text/plain (or form) body is a CORS "simple"
  // request, sent by an agent's browser without a preflight: refusing
  // every other media type, here for every route and before any handler,
  // keeps such requests away from activation, login and the rest.
  if (!request.body.empty()) {
    if (Result<void> media = internal::CheckJsonContentType(request); !media) {
      http::Response response =
          http::Problem(415, http::StatusPhrase(415), media.error().message(), request.request_id);
      response.log_route = std::string(route->path);
      return response;
    }
  }

  RequestContext context{.request = request,
                         .path = std::move(params),
                         .jkt = {},
                         .caller = {},
                         .relying_party = &options_.relying_party,
                         .rp_name = options_.rp_name};
  Call call{.portal = portal_, .context = context};
  bool charged = false;  // took a token of failed_credentials_
  std::optional<std::string>
      early_proof_key;  // a kProof route's proof dated before this process judges
  auto run = [&]() -> Result<http::Response> {
    int64_t now = UnixSeconds(portal_.parts().clock->Now());
    if (route->needs_relying_party) RETURN_IF_ERROR(internal::PasskeyRelyingParty(context));
    // Security: a proof's jti is remembered, and its key kept, only once the
    // credential it comes with is known good, so nobody can fill the replay
    // cache (which fails closed when full), or push the keys in use out of
    // the key cache, with proofs from keys of their own making.
    if (route->guard == Guard::kChallenge || route->guard == Guard::kProof) {
      RETURN_IF_ERROR(AdmitCredentialAttempt(route->path, request, call.retry_after, charged));
    }
    if (route->guard == Guard::kProof) {
      // The credential (a login challenge, a refresh token) is checked by
      // the use case itself; the proof must not have been used before
      // (RFC 9449 §11.1), which is checked here and recorded after.
      ASSIGN_OR_RETURN(session::DpopProof proof,
                       internal::CheckProof(request, options_.public_url, std::nullopt,
                                            options_.dpop, keys_, now));
      if (auto made = MadeSinceBegun(proof, call.retry_after); !made) {
        early_proof_key = proof.jkt;
        return Fail(made.error());
      }
      RETURN_IF_ERROR(CheckProofUnused(proof, now));
      context.jkt = proof.jkt;
      context.proof_identity = session::ProofIdentity(proof);
      ASSIGN_OR_RETURN(http::Response response, route->handler(call));
      // The credential is spent and the new tokens exist: refusing now (a
      // full replay cache, the shared guard unreachable) would only lose
      // them, and a retry with the spent refresh token would end the session.
      // Not remembered, the proof could be replayed until its iat window
      // closes - with a credential already spent (a refresh token keeps the
      // proof that spent it, session::ProofIdentity, and refuses the same
      // request again), so to no
      // effect, but an operator should know the replay guard is failing.
      if (auto remembered = RememberProof(proof, now); !remembered) {
        Log(LogLevel::kWarn, "dpop_proof_not_remembered",
            {{"route", route->path}, {"error", remembered.error().message()}});
      }
      return response;
    }
    if (route->guard == Guard::kSession || route->guard == Guard::kOwnSession) {
      ASSIGN_OR_RETURN(std::string token, internal::AccessTokenOf(request));
      SessionCharge charge;
      RETURN_IF_ERROR(AdmitSessionAttempt(request, token, charge, call.retry_after));
      bool too_early = false;
      Result<void> authenticated = [&]() -> Result<void> {
        ASSIGN_OR_RETURN(
            session::DpopProof proof,
            internal::CheckProof(request, options_.public_url, token, options_.dpop, keys_, now));
        context.jkt = proof.jkt;
        if (auto made = MadeSinceBegun(proof, call.retry_after); !made) {
          too_early = true;
          return made;
        }
        // A replay this node remembers is refused before the session is
        // read, so it cannot keep an idle session alive (Authenticate
        // refreshes last_seen_at). The shared guard is asked after, at no
        // extra round trip for the requests that are not replays.
        RETURN_IF_ERROR(replay_.CheckUnused(proof.jkt, proof.jti, now));
        ASSIGN_OR_RETURN(context.caller, portal_.Authenticate(token, context.jkt));
        return RememberProof(proof, now);
      }();
      if (authenticated || !KeepsCharge(authenticated.error(), too_early, token, context.jkt)) {
        GiveBack(request, charge);
      }
      RETURN_IF_ERROR(authenticated);
      context.caller->source_address = request.remote_address;
      context.caller->user_agent = std::string(request.Header("User-Agent").value_or(""));
      // Security: a session detection flagged may be in someone else's
      // hands; refused here by default rather than by each use case, so a
      // route added later cannot forget it.
      if (context.caller->step_up_demanded && route->guard != Guard::kOwnSession &&
          !route->use_case_refuses_flagged) {
        return Fail(portal_.RefuseFlaggedSession(*context.caller, route->audited_as));
      }
    }
    return route->handler(call);
  };
  Result<http::Response> result = run();
  if (charged && !RefusedForTheSender(result) &&
      (!early_proof_key || HoldsLiveCredential(route->path, request, *early_proof_key))) {
    failed_credentials_->Refund(request.remote_address);
  }
  bool token_live = context.caller.has_value();
  if (!result && token_live && result.error().code() == ErrorCode::kUnauthenticated) {
    // The use case may have ended the session it ran in (a wrong step-up
    // code that locks the account): then the token is invalid after all.
    // Only a refusal of the token says so: a database that fails this
    // second look is ours, and must not make a client drop a live session.
    Result<std::string> token = internal::AccessTokenOf(request);
    if (!token) {
      token_live = false;
    } else if (Result<app::Caller> again = portal_.Authenticate(*token, context.jkt); !again) {
      token_live = again.error().code() != ErrorCode::kUnauthenticated;
    }
  }
  http::Response response =
      result ? std::move(*result)
             : ErrorResponse(result.error(), request, call.retry_after, token_live);
  response.log_route = std::string(route->path);
  if (context.caller.has_value()) response.log_agent_id = std::to_string(context.caller->agent_id);
  return response;
}

}  // namespace vigie::api
