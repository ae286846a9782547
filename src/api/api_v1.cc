#include "api/api_v1.h"

#include <array>
#include <boost/json/serialize.hpp>
#include <vector>

#include "api/internal/proof_check.h"
#include "api/internal/request_context.h"
#include "api/json_body.h"
#include "api/openapi_document.h"
#include "api/records_json.h"
#include "app/use_notice.h"
#include "http/problem.h"

namespace vigie::api {
namespace {

namespace json = boost::json;
using internal::RequestContext;

// Bounds on what a client may send in each field.
constexpr size_t kMaxSecret = 1024;  // passwords are capped again by crypto
constexpr size_t kMaxCode = 64;
constexpr size_t kMaxToken = 256;
constexpr size_t kMaxName = 400;
constexpr size_t kMaxShort = 64;

// Security: every authentication failure reads the same to the client.
constexpr std::string_view kPublicUnauthenticated = "authentication failed";

// A handler's view of the portal plus the seconds a 429 should ask to wait.
struct Call {
  app::Portal& portal;
  RequestContext& context;
  int64_t retry_after = 0;
};

using Handler = Result<http::Response> (*)(Call&);

http::Response Json(int status, const json::value& value) {
  http::Response response;
  response.status = status;
  response.content_type = "application/json";
  response.body = json::serialize(value);
  return response;
}

http::Response NoContent() {
  http::Response response;
  response.status = 204;
  return response;
}

json::object UseNoticeJson(bool acknowledged) {
  return {{"version", app::kUseNoticeVersion},
          {"fr", app::kUseNoticeFr},
          {"en", app::kUseNoticeEn},
          {"acknowledged", acknowledged}};
}

json::object TokensJson(const session::IssuedTokens& tokens, int64_t now) {
  return {{"token_type", "DPoP"},
          {"access_token", tokens.access_token.reveal()},
          {"expires_in", tokens.access_expires_at - now},
          {"refresh_token", tokens.refresh_token.reveal()},
          {"refresh_expires_in", tokens.refresh_expires_at - now}};
}

json::array Names(std::vector<identity::Role> roles) {
  json::array out;
  for (identity::Role role : roles) out.emplace_back(identity::RoleName(role));
  return out;
}

json::object AgentJson(const identity::Agent& agent) {
  return {{"service_number", agent.service_number},
          {"display_name", agent.display_name},
          {"unit", agent.unit_code},
          {"roles", Names(agent.roles.ToVector())},
          {"status", identity::AgentStatusName(agent.status)},
          {"totp_enrolled", agent.totp_enrolled},
          {"created_at", agent.created_at}};
}

json::object UnitJson(const identity::Unit& unit) {
  return {{"code", unit.code},
          {"name", unit.name},
          {"kind", identity::UnitKindName(unit.kind)},
          {"created_at", unit.created_at}};
}

json::object AgentWithCodeJson(const identity::AgentWithCode& created) {
  json::object out = AgentJson(created.agent);
  // Shown once, to be handed over in person.
  out["activation_code"] = crypto::AsText(created.activation.code.view());
  out["activation_expires_at"] = created.activation.expires_at;
  return out;
}

int64_t Now(Call& call) { return UnixSeconds(call.portal.parts().clock->Now()); }

// --- Public routes ---

Result<http::Response> GetOpenApi(Call&) {
  http::Response response;
  response.content_type = "application/json";
  response.body = std::string(OpenApiDocument());
  return response;
}

Result<http::Response> GetNotice(Call&) { return Json(200, UseNoticeJson(false)); }

Result<http::Response> PostActivate(Call& call) {
  ASSIGN_OR_RETURN(JsonBody body,
                   JsonBody::Parse(call.context.request.body, {"activation_code", "password"}));
  ASSIGN_OR_RETURN(std::string code, body.RequiredString("activation_code", kMaxCode));
  ASSIGN_OR_RETURN(std::string password, body.RequiredString("password", kMaxSecret));
  ASSIGN_OR_RETURN(
      identity::ActivationResult activated,
      call.portal.Activate(code, password, call.context.request.remote_address, &call.retry_after));
  return Json(200, json::object{{"service_number", activated.agent.service_number},
                                {"otpauth_uri", activated.enrolment.otpauth_uri()},
                                {"totp_secret", activated.enrolment.secret_base32()},
                                {"qr_svg", activated.enrolment.qr_svg()}});
}

Result<http::Response> PostLogin(Call& call) {
  ASSIGN_OR_RETURN(JsonBody body,
                   JsonBody::Parse(call.context.request.body, {"service_number", "password"}));
  ASSIGN_OR_RETURN(std::string service_number, body.RequiredString("service_number", kMaxShort));
  ASSIGN_OR_RETURN(std::string password, body.RequiredString("password", kMaxSecret));
  ASSIGN_OR_RETURN(
      identity::LoginChallenge challenge,
      call.portal.LoginWithPassword(service_number, password, call.context.request.remote_address,
                                    &call.retry_after));
  return Json(200, json::object{{"login_challenge", crypto::AsText(challenge.token.view())},
                                {"expires_in", challenge.expires_at - Now(call)}});
}

Result<http::Response> PostSecondFactor(Call& call) {
  ASSIGN_OR_RETURN(JsonBody body,
                   JsonBody::Parse(call.context.request.body, {"login_challenge", "code"}));
  ASSIGN_OR_RETURN(std::string challenge, body.RequiredString("login_challenge", kMaxToken));
  ASSIGN_OR_RETURN(std::string code, body.RequiredString("code", kMaxCode));
  ASSIGN_OR_RETURN(app::LoginTokens login,
                   call.portal.LoginWithSecondFactor(challenge, code, call.context.jkt,
                                                     call.context.request.remote_address));
  json::object out = TokensJson(login.tokens, Now(call));
  out["use_notice"] = UseNoticeJson(login.notice_acknowledged);
  return Json(200, out);
}

Result<http::Response> PostRefresh(Call& call) {
  ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(call.context.request.body, {"refresh_token"}));
  ASSIGN_OR_RETURN(std::string token, body.RequiredString("refresh_token", kMaxToken));
  ASSIGN_OR_RETURN(session::IssuedTokens tokens, call.portal.Refresh(token, call.context.jkt));
  return Json(200, TokensJson(tokens, Now(call)));
}

// --- The caller's session ---

// Authenticated routes without a body still refuse one that is not empty
// or "{}": nothing a client sends goes unread.
Result<void> RequireEmptyBody(const http::Request& request) {
  if (request.body.empty()) return {};
  ASSIGN_OR_RETURN(JsonBody unused, JsonBody::Parse(request.body, {}));
  (void)unused;
  return {};
}

Result<http::Response> PostLogout(Call& call) {
  RETURN_IF_ERROR(RequireEmptyBody(call.context.request));
  RETURN_IF_ERROR(call.portal.Logout(*call.context.caller));
  return NoContent();
}

Result<http::Response> PostAcknowledgeNotice(Call& call) {
  ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(call.context.request.body, {"version"}));
  ASSIGN_OR_RETURN(std::string version, body.RequiredString("version", kMaxShort));
  if (version != app::kUseNoticeVersion) {
    return Fail(ErrorCode::kConflict, "the use notice has changed: read it again");
  }
  RETURN_IF_ERROR(call.portal.AcknowledgeNotice(*call.context.caller));
  return NoContent();
}

Result<http::Response> PostStepUp(Call& call) {
  ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(call.context.request.body, {"code"}));
  ASSIGN_OR_RETURN(std::string code, body.RequiredString("code", kMaxCode));
  RETURN_IF_ERROR(
      call.portal.StepUp(*call.context.caller, code, call.context.request.remote_address));
  return NoContent();
}

Result<http::Response> GetSelf(Call& call) {
  ASSIGN_OR_RETURN(identity::Agent agent, call.portal.Self(*call.context.caller));
  json::object out = AgentJson(agent);
  out["use_notice_acknowledged"] = call.context.caller->notice_acknowledged;
  return Json(200, out);
}

// --- Consulting ---

Result<app::ConsultationInput> ConsultationOf(const JsonBody& body) {
  app::ConsultationInput input;
  ASSIGN_OR_RETURN(input.purpose, body.RequiredString("purpose", kMaxShort));
  ASSIGN_OR_RETURN(input.case_reference, body.OptionalString("case_reference", kMaxShort * 2));
  return input;
}

Result<http::Response> PostSearch(Call& call) {
  ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(call.context.request.body,
                                                  {"purpose", "case_reference", "surname",
                                                   "given_name", "birth_date"}));
  ASSIGN_OR_RETURN(app::ConsultationInput input, ConsultationOf(body));
  records::SearchQuery query;
  ASSIGN_OR_RETURN(query.surname, body.RequiredString("surname", kMaxName));
  ASSIGN_OR_RETURN(std::optional<std::string> given, body.OptionalString("given_name", kMaxName));
  query.given_name = given.value_or("");
  ASSIGN_OR_RETURN(std::optional<std::string> birth, body.OptionalString("birth_date", kMaxShort));
  if (birth.has_value()) {
    auto date = records::ParsePartialDate(*birth);
    if (!date) return Fail(date.error().WithContext("'birth_date'"));
    query.birth_date = *date;
  }
  ASSIGN_OR_RETURN(app::SearchAnswer answer,
                   call.portal.Search(*call.context.caller, input, query, &call.retry_after));
  return Json(200, SearchResultJson(answer.result, answer.visibility));
}

Result<int64_t> PersonIdOf(const RequestContext& context) {
  std::string_view text = context.path.at("person_id");
  int64_t id = 0;
  if (text.empty() || text.size() > 18) {
    return Fail(ErrorCode::kInvalidArgument, "person id must be a positive integer");
  }
  for (char c : text) {
    if (c < '0' || c > '9') {
      return Fail(ErrorCode::kInvalidArgument, "person id must be a positive integer");
    }
    id = id * 10 + (c - '0');
  }
  return id;
}

Result<http::Response> PostOpenFile(Call& call) {
  ASSIGN_OR_RETURN(int64_t person_id, PersonIdOf(call.context));
  ASSIGN_OR_RETURN(JsonBody body,
                   JsonBody::Parse(call.context.request.body, {"purpose", "case_reference"}));
  ASSIGN_OR_RETURN(app::ConsultationInput input, ConsultationOf(body));
  ASSIGN_OR_RETURN(
      app::FileAnswer answer,
      call.portal.OpenPersonFile(*call.context.caller, input, person_id, &call.retry_after));
  return Json(200, PersonFileJson(answer.file, answer.visibility));
}

// --- Administration ---

Result<http::Response> GetUnits(Call& call) {
  RETURN_IF_ERROR(RequireEmptyBody(call.context.request));
  ASSIGN_OR_RETURN(std::vector<identity::Unit> units, call.portal.ListUnits(*call.context.caller));
  json::array out;
  for (const identity::Unit& unit : units) out.emplace_back(UnitJson(unit));
  return Json(200, json::object{{"units", std::move(out)}});
}

Result<http::Response> PostUnit(Call& call) {
  ASSIGN_OR_RETURN(JsonBody body,
                   JsonBody::Parse(call.context.request.body, {"code", "name", "kind"}));
  identity::NewUnit unit;
  ASSIGN_OR_RETURN(unit.code, body.RequiredString("code", kMaxShort));
  ASSIGN_OR_RETURN(unit.name, body.RequiredString("name", kMaxName));
  ASSIGN_OR_RETURN(unit.kind, body.RequiredString("kind", kMaxShort));
  ASSIGN_OR_RETURN(identity::Unit created, call.portal.AddUnit(*call.context.caller, unit));
  return Json(201, UnitJson(created));
}

Result<http::Response> GetAgents(Call& call) {
  RETURN_IF_ERROR(RequireEmptyBody(call.context.request));
  identity::AgentQuery query;
  ASSIGN_OR_RETURN(std::vector<identity::Agent> agents,
                   call.portal.ListAgents(*call.context.caller, query));
  json::array out;
  for (const identity::Agent& agent : agents) out.emplace_back(AgentJson(agent));
  return Json(200, json::object{{"agents", std::move(out)}});
}

Result<http::Response> PostAgent(Call& call) {
  ASSIGN_OR_RETURN(JsonBody body,
                   JsonBody::Parse(call.context.request.body,
                                   {"service_number", "display_name", "unit", "roles"}));
  identity::NewAgent agent;
  ASSIGN_OR_RETURN(agent.service_number, body.RequiredString("service_number", kMaxShort));
  ASSIGN_OR_RETURN(agent.display_name, body.RequiredString("display_name", kMaxName));
  ASSIGN_OR_RETURN(agent.unit_code, body.RequiredString("unit", kMaxShort));
  ASSIGN_OR_RETURN(auto roles, body.OptionalStringList("roles", 8, kMaxShort));
  if (!roles.has_value()) return Fail(ErrorCode::kInvalidArgument, "'roles' is required");
  agent.roles = std::move(*roles);
  ASSIGN_OR_RETURN(identity::AgentWithCode created,
                   call.portal.AddAgent(*call.context.caller, agent));
  return Json(201, AgentWithCodeJson(created));
}

std::string_view ServiceNumberOf(const RequestContext& context) {
  return context.path.at("service_number");
}

Result<http::Response> GetAgent(Call& call) {
  RETURN_IF_ERROR(RequireEmptyBody(call.context.request));
  ASSIGN_OR_RETURN(identity::Agent agent,
                   call.portal.ShowAgent(*call.context.caller, ServiceNumberOf(call.context)));
  return Json(200, AgentJson(agent));
}

Result<http::Response> PostSuspend(Call& call) {
  RETURN_IF_ERROR(RequireEmptyBody(call.context.request));
  ASSIGN_OR_RETURN(identity::Agent agent,
                   call.portal.SuspendAgent(*call.context.caller, ServiceNumberOf(call.context)));
  return Json(200, AgentJson(agent));
}

Result<http::Response> PostReinstate(Call& call) {
  RETURN_IF_ERROR(RequireEmptyBody(call.context.request));
  ASSIGN_OR_RETURN(identity::Agent agent,
                   call.portal.ReinstateAgent(*call.context.caller, ServiceNumberOf(call.context)));
  return Json(200, AgentJson(agent));
}

Result<http::Response> PostReset(Call& call) {
  RETURN_IF_ERROR(RequireEmptyBody(call.context.request));
  ASSIGN_OR_RETURN(identity::AgentWithCode reset,
                   call.portal.ResetAgent(*call.context.caller, ServiceNumberOf(call.context)));
  return Json(200, AgentWithCodeJson(reset));
}

// How a route authenticates its caller.
enum class Guard {
  kPublic,   // nothing
  kProof,    // a DPoP proof (it names the key a new session binds to)
  kSession,  // access token + proof from the session's key
};

struct Route {
  std::string_view method;
  std::string_view path;
  Guard guard;
  Handler handler;
};

constexpr std::array kRoutes = {
    Route{"GET", "/api/v1/openapi.json", Guard::kPublic, GetOpenApi},
    Route{"GET", "/api/v1/use-notice", Guard::kPublic, GetNotice},
    Route{"POST", "/api/v1/auth/activate", Guard::kPublic, PostActivate},
    Route{"POST", "/api/v1/auth/login", Guard::kPublic, PostLogin},
    Route{"POST", "/api/v1/auth/second-factor", Guard::kProof, PostSecondFactor},
    Route{"POST", "/api/v1/auth/refresh", Guard::kProof, PostRefresh},
    Route{"POST", "/api/v1/auth/logout", Guard::kSession, PostLogout},
    Route{"POST", "/api/v1/auth/use-notice", Guard::kSession, PostAcknowledgeNotice},
    Route{"POST", "/api/v1/auth/step-up", Guard::kSession, PostStepUp},
    Route{"GET", "/api/v1/self", Guard::kSession, GetSelf},
    Route{"POST", "/api/v1/search", Guard::kSession, PostSearch},
    Route{"POST", "/api/v1/persons/{person_id}/file", Guard::kSession, PostOpenFile},
    Route{"GET", "/api/v1/units", Guard::kSession, GetUnits},
    Route{"POST", "/api/v1/units", Guard::kSession, PostUnit},
    Route{"GET", "/api/v1/agents", Guard::kSession, GetAgents},
    Route{"POST", "/api/v1/agents", Guard::kSession, PostAgent},
    Route{"GET", "/api/v1/agents/{service_number}", Guard::kSession, GetAgent},
    Route{"POST", "/api/v1/agents/{service_number}/suspend", Guard::kSession, PostSuspend},
    Route{"POST", "/api/v1/agents/{service_number}/reinstate", Guard::kSession, PostReinstate},
    Route{"POST", "/api/v1/agents/{service_number}/reset", Guard::kSession, PostReset},
};

const std::array<RouteInfo, kRoutes.size()> kRouteInfos = [] {
  std::array<RouteInfo, kRoutes.size()> infos{};
  for (size_t i = 0; i < kRoutes.size(); ++i) {
    infos[i] = {kRoutes[i].method, kRoutes[i].path, kRoutes[i].guard == Guard::kSession};
  }
  return infos;
}();

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

// Matches `path` against a route pattern, filling the placeholders.
bool Matches(std::string_view pattern, std::string_view path,
             std::map<std::string, std::string, std::less<>>& params) {
  std::vector<std::string_view> want = Segments(pattern), got = Segments(path);
  if (want.size() != got.size()) return false;
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i].starts_with('{')) {
      if (got[i].empty()) return false;
      params[std::string(want[i].substr(1, want[i].size() - 2))] = std::string(got[i]);
    } else if (want[i] != got[i]) {
      return false;
    }
  }
  return true;
}

http::Response ErrorResponse(const Error& error, const http::Request& request,
                             int64_t retry_after) {
  http::Response response;
  switch (error.code()) {
    case ErrorCode::kUnauthenticated:
      response = http::ProblemFor(error, request.request_id, kPublicUnauthenticated);
      // RFC 9449 §7.1: tell the client which scheme and algorithm to use.
      response.headers.emplace_back("WWW-Authenticate", "DPoP algs=\"ES256\"");
      break;
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kPermissionDenied:
    case ErrorCode::kNotFound:
    case ErrorCode::kConflict:
    case ErrorCode::kResourceExhausted:
      // These messages are written for the client: they name the field or
      // rule, never a secret or an internal detail.
      response = http::ProblemFor(error, request.request_id, error.message());
      break;
    default:
      response = http::ProblemFor(error, request.request_id);
      break;
  }
  if (error.code() == ErrorCode::kResourceExhausted) {
    response.headers.emplace_back("Retry-After", std::to_string(retry_after > 0 ? retry_after : 1));
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
      replay_(options_.dpop.max_age_seconds + options_.dpop.max_future_seconds,
              options_.replay_capacity) {}

std::span<const RouteInfo> ApiV1::Routes() { return kRouteInfos; }

http::Response ApiV1::Handle(const http::Request& request) {
  std::string_view path = request.Path();
  const Route* route = nullptr;
  std::string_view known_pattern;  // the path exists, maybe for other methods
  std::string allowed;
  std::map<std::string, std::string, std::less<>> params;
  for (const Route& candidate : kRoutes) {
    std::map<std::string, std::string, std::less<>> candidate_params;
    if (!Matches(candidate.path, path, candidate_params)) continue;
    known_pattern = candidate.path;
    allowed += (allowed.empty() ? "" : ", ") + std::string(candidate.method);
    if (candidate.method == request.method) {
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

  RequestContext context{.request = request, .path = std::move(params), .jkt = {}, .caller = {}};
  Call call{.portal = portal_, .context = context};
  auto run = [&]() -> Result<http::Response> {
    int64_t now = UnixSeconds(portal_.parts().clock->Now());
    // Security: a proof's jti is remembered only once the credential it
    // comes with is known good, so nobody can fill the replay cache (which
    // fails closed when full) with proofs from keys of their own making.
    if (route->guard == Guard::kProof) {
      // The credential (a login challenge, a refresh token) is single-use
      // and checked by the use case itself: a replayed request fails there.
      ASSIGN_OR_RETURN(session::DpopProof proof,
                       internal::CheckProof(request, options_.public_url, std::nullopt,
                                            options_.dpop, keys_, now));
      context.jkt = proof.jkt;
      ASSIGN_OR_RETURN(http::Response response, route->handler(call));
      RETURN_IF_ERROR(replay_.Use(proof.jkt, proof.jti, now));
      return response;
    }
    if (route->guard == Guard::kSession) {
      ASSIGN_OR_RETURN(std::string token, internal::AccessTokenOf(request));
      ASSIGN_OR_RETURN(
          session::DpopProof proof,
          internal::CheckProof(request, options_.public_url, token, options_.dpop, keys_, now));
      context.jkt = proof.jkt;
      ASSIGN_OR_RETURN(context.caller, portal_.Authenticate(token, context.jkt));
      RETURN_IF_ERROR(replay_.Use(proof.jkt, proof.jti, now));
    }
    return route->handler(call);
  };
  Result<http::Response> result = run();
  http::Response response =
      result ? std::move(*result) : ErrorResponse(result.error(), request, call.retry_after);
  response.log_route = std::string(route->path);
  if (context.caller.has_value()) response.log_agent_id = std::to_string(context.caller->agent_id);
  return response;
}

}  // namespace vigie::api
