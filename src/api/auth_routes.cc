// Activation, the two login steps, refresh, and the caller's own session.

#include <boost/json.hpp>

#include "api/internal/routes.h"
#include "api/json_body.h"
#include "api/openapi_document.h"
#include "app/use_notice.h"

namespace vigie::api::internal {
namespace {

namespace json = boost::json;

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

}  // namespace

json::object LoginJson(const app::LoginTokens& login, int64_t now) {
  json::object out = TokensJson(login.tokens, now);
  out["use_notice"] = UseNoticeJson(login.notice_acknowledged);
  return out;
}

Result<http::Response> GetOpenApi(Call& call) {
  RETURN_IF_ERROR(RequireEmptyBody(call.context.request));
  http::Response response;
  response.content_type = "application/json";
  response.body = std::string(OpenApiDocument());
  return response;
}

Result<http::Response> GetNotice(Call& call) {
  RETURN_IF_ERROR(RequireEmptyBody(call.context.request));
  return Json(200, UseNoticeJson(false));
}

app::Origin OriginOf(const Call& call) {
  return {.address = call.context.request.remote_address,
          .user_agent = call.context.request.Header("User-Agent").value_or("")};
}

Result<http::Response> PostActivate(Call& call) {
  ASSIGN_OR_RETURN(JsonBody body,
                   JsonBody::Parse(call.context.request.body, {"activation_code", "password"}));
  ASSIGN_OR_RETURN(std::string code, body.RequiredString("activation_code", kMaxCode));
  ASSIGN_OR_RETURN(std::string password, body.RequiredString("password", kMaxSecret));
  ASSIGN_OR_RETURN(
      identity::ActivationResult activated,
      call.portal.Activate(code, password, OriginOf(call), &call.retry_after));
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
      call.portal.LoginWithPassword(service_number, password, OriginOf(call), &call.retry_after));
  json::array factors{"totp"};
  if (challenge.has_passkey) factors.emplace_back("passkey");
  return Json(200, json::object{{"login_challenge", crypto::AsText(challenge.token.view())},
                                {"expires_in", challenge.expires_at - Now(call)},
                                {"second_factors", std::move(factors)}});
}

Result<http::Response> PostSecondFactor(Call& call) {
  ASSIGN_OR_RETURN(JsonBody body,
                   JsonBody::Parse(call.context.request.body, {"login_challenge", "code"}));
  ASSIGN_OR_RETURN(std::string challenge, body.RequiredString("login_challenge", kMaxToken));
  ASSIGN_OR_RETURN(std::string code, body.RequiredString("code", kMaxCode));
  ASSIGN_OR_RETURN(app::LoginTokens login,
                   call.portal.LoginWithSecondFactor(challenge, code, call.context.jkt,
                                                     OriginOf(call)));
  return Json(200, LoginJson(login, Now(call)));
}

Result<http::Response> PostRefresh(Call& call) {
  ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(call.context.request.body, {"refresh_token"}));
  ASSIGN_OR_RETURN(std::string token, body.RequiredString("refresh_token", kMaxToken));
  ASSIGN_OR_RETURN(
      session::IssuedTokens tokens,
      call.portal.Refresh(token, call.context.jkt, OriginOf(call), call.context.proof_identity));
  return Json(200, TokensJson(tokens, Now(call)));
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
  RETURN_IF_ERROR(RequireEmptyBody(call.context.request));
  ASSIGN_OR_RETURN(identity::Agent agent, call.portal.Self(*call.context.caller));
  const app::Caller& caller = *call.context.caller;
  json::object out = AgentJson(agent);
  out["use_notice_acknowledged"] = caller.notice_acknowledged;
  // For the page: when to warn that the session is about to end.
  out["session"] = json::object{{"idle_timeout_seconds", call.portal.idle_timeout_seconds()},
                                {"expires_at", caller.session_expires_at},
                                {"second_factor_at", caller.second_factor_at}};
  return Json(200, out);
}

}  // namespace vigie::api::internal
