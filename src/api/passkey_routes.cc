// Passkeys: a login's second step with one, and the caller managing their
// own. Binary WebAuthn values travel as base64url without padding, as the
// browser's PublicKeyCredential JSON encoding does.

#include <boost/json.hpp>

#include "api/internal/routes.h"
#include "api/json_body.h"
#include "crypto/hash.h"

namespace vigie::api::internal {
namespace {

namespace json = boost::json;

// How long the browser's ceremony may take (WebAuthn "timeout").
constexpr int64_t kCeremonyTimeoutMs = 120'000;
// Bounds on the browser's answer (src/webauthn has its own, tighter, checks).
constexpr size_t kMaxCredentialId = 1400;   // 1023 bytes, base64url
constexpr size_t kMaxWebAuthnBlob = 24'000;  // an attestation object, base64url

Result<std::vector<uint8_t>> Base64UrlField(const JsonBody& body, std::string_view field,
                                            size_t max_bytes) {
  ASSIGN_OR_RETURN(std::string text, body.RequiredString(field, max_bytes));
  auto bytes = crypto::Base64UrlDecode(text);
  if (!bytes || bytes->empty()) {
    return Fail(ErrorCode::kInvalidArgument, "'" + std::string(field) + "' must be base64url");
  }
  return std::move(*bytes);
}

json::array CredentialList(const std::vector<identity::Passkey>& passkeys) {
  json::array out;
  for (const identity::Passkey& p : passkeys) {
    json::array transports;
    for (const std::string& t : p.transports) transports.emplace_back(t);
    out.emplace_back(json::object{{"id", crypto::Base64UrlEncode(p.credential_id)},
                                  {"transports", std::move(transports)}});
  }
  return out;
}

json::object PasskeyJson(const identity::Passkey& p) {
  json::array transports;
  for (const std::string& t : p.transports) transports.emplace_back(t);
  json::object out{{"id", p.id},
                   {"name", p.name},
                   {"algorithm", p.algorithm == webauthn::kCoseEdDsa ? "EdDSA" : "ES256"},
                   {"backed_up", p.backup_state},
                   {"transports", std::move(transports)},
                   {"created_at", p.created_at}};
  out["last_used_at"] = p.last_used_at ? json::value(*p.last_used_at) : json::value(nullptr);
  return out;
}

// A handle for the agent on authenticators: stable, and neither their name
// nor a database id (WebAuthn §14.6.1 asks for no personal data in it).
std::string UserHandle(std::string_view service_number) {
  crypto::Sha256Hasher hasher;
  hasher.Update(std::string_view("vigie/passkey-user/v1\n"));
  hasher.Update(service_number);
  const crypto::Sha256Digest digest = hasher.Final();
  return crypto::Base64UrlEncode(std::span(digest).first(16));
}

}  // namespace

Result<const webauthn::RelyingParty*> PasskeyRelyingParty(const RequestContext& context) {
  if (context.relying_party == nullptr || context.relying_party->id.empty()) {
    return Fail(ErrorCode::kUnavailable,
                "passkeys are not available: the server's public URL names no host");
  }
  return context.relying_party;
}

Result<http::Response> PostPasskeyLoginOptions(Call& call) {
  ASSIGN_OR_RETURN(const webauthn::RelyingParty* rp, PasskeyRelyingParty(call.context));
  ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(call.context.request.body, {"login_challenge"}));
  ASSIGN_OR_RETURN(std::string challenge, body.RequiredString("login_challenge", kMaxToken));
  ASSIGN_OR_RETURN(identity::PasskeyLoginOptions options, call.portal.PasskeyLoginOptions(challenge));
  return Json(200, json::object{{"challenge", crypto::Base64UrlEncode(options.challenge)},
                                {"rp_id", rp->id},
                                {"timeout_ms", kCeremonyTimeoutMs},
                                {"user_verification", "required"},
                                {"allow_credentials", CredentialList(options.passkeys)}});
}

Result<http::Response> PostPasskeyLogin(Call& call) {
  ASSIGN_OR_RETURN(const webauthn::RelyingParty* rp, PasskeyRelyingParty(call.context));
  ASSIGN_OR_RETURN(JsonBody body,
                   JsonBody::Parse(call.context.request.body,
                                   {"login_challenge", "credential_id", "client_data_json",
                                    "authenticator_data", "signature"}));
  ASSIGN_OR_RETURN(std::string challenge, body.RequiredString("login_challenge", kMaxToken));
  identity::PasskeyAssertion assertion;
  ASSIGN_OR_RETURN(assertion.credential_id, Base64UrlField(body, "credential_id", kMaxCredentialId));
  ASSIGN_OR_RETURN(assertion.client_data_json,
                   Base64UrlField(body, "client_data_json", kMaxWebAuthnBlob));
  ASSIGN_OR_RETURN(assertion.authenticator_data,
                   Base64UrlField(body, "authenticator_data", kMaxWebAuthnBlob));
  ASSIGN_OR_RETURN(assertion.signature, Base64UrlField(body, "signature", kMaxWebAuthnBlob));
  ASSIGN_OR_RETURN(app::LoginTokens login,
                   call.portal.LoginWithPasskey(challenge, assertion, *rp, call.context.jkt,
                                                OriginOf(call)));
  return Json(200, LoginJson(login, Now(call)));
}

Result<http::Response> PostPasskeyOptions(Call& call) {
  ASSIGN_OR_RETURN(const webauthn::RelyingParty* rp, PasskeyRelyingParty(call.context));
  RETURN_IF_ERROR(RequireEmptyBody(call.context.request));
  const app::Caller& caller = *call.context.caller;
  ASSIGN_OR_RETURN(identity::Agent agent, call.portal.Self(caller));
  ASSIGN_OR_RETURN(std::vector<identity::Passkey> existing, call.portal.ListPasskeys(caller));
  ASSIGN_OR_RETURN(std::vector<uint8_t> challenge, call.portal.BeginPasskeyRegistration(caller));
  return Json(200, json::object{
                       {"challenge", crypto::Base64UrlEncode(challenge)},
                       {"rp", {{"id", rp->id},
                               {"name", call.context.rp_name}}},
                       {"user", {{"id", UserHandle(agent.service_number)},
                                 {"name", agent.service_number},
                                 {"display_name", agent.display_name}}},
                       {"algorithms", json::array{webauthn::kCoseEs256, webauthn::kCoseEdDsa}},
                       {"timeout_ms", kCeremonyTimeoutMs},
                       {"user_verification", "required"},
                       {"attestation", "none"},
                       {"exclude_credentials", CredentialList(existing)}});
}

Result<http::Response> PostPasskey(Call& call) {
  ASSIGN_OR_RETURN(const webauthn::RelyingParty* rp, PasskeyRelyingParty(call.context));
  ASSIGN_OR_RETURN(JsonBody body,
                   JsonBody::Parse(call.context.request.body,
                                   {"client_data_json", "attestation_object", "transports", "name"}));
  identity::NewPasskey answer;
  ASSIGN_OR_RETURN(answer.client_data_json,
                   Base64UrlField(body, "client_data_json", kMaxWebAuthnBlob));
  ASSIGN_OR_RETURN(answer.attestation_object,
                   Base64UrlField(body, "attestation_object", kMaxWebAuthnBlob));
  ASSIGN_OR_RETURN(auto transports, body.OptionalStringList("transports", 8, kMaxShort));
  if (transports) answer.transports = std::move(*transports);
  ASSIGN_OR_RETURN(auto name, body.OptionalString("name", kMaxName));
  if (name) answer.name = std::move(*name);
  ASSIGN_OR_RETURN(identity::Passkey passkey,
                   call.portal.RegisterPasskey(*call.context.caller, *rp, answer));
  return Json(201, PasskeyJson(passkey));
}

Result<http::Response> GetPasskeys(Call& call) {
  RETURN_IF_ERROR(RequireEmptyBody(call.context.request));
  ASSIGN_OR_RETURN(std::vector<identity::Passkey> passkeys,
                   call.portal.ListPasskeys(*call.context.caller));
  json::array out;
  for (const identity::Passkey& p : passkeys) out.emplace_back(PasskeyJson(p));
  return Json(200, json::object{{"passkeys", std::move(out)}});
}

Result<http::Response> PostRemovePasskey(Call& call) {
  RETURN_IF_ERROR(RequireEmptyBody(call.context.request));
  ASSIGN_OR_RETURN(int64_t id, PathId(call.context, "passkey_id", "passkey id"));
  RETURN_IF_ERROR(call.portal.RemovePasskey(*call.context.caller, id));
  return NoContent();
}

}  // namespace vigie::api::internal
