#pragma once
// API v1's route handlers, one function per route, grouped by file:
// auth_routes.cc (activation, login, refresh, the caller's session),
// passkey_routes.cc (passkey login and registration), // consultation_routes.cc (search, file opening), admin_routes.cc (agents and
// units), incident_routes.cc (alerts, containment). Each reads its strict JSON body, calls one use case and shapes the
// answer; api_v1.cc routes to them after the DPoP and session checks.
// Thread-safety: handlers are stateless; the Portal is thread-safe.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <string_view>

#include "api/internal/request_context.h"
#include "app/portal.h"
#include "audit/audit_event.h"
#include "core/error.h"
#include "http/message.h"

namespace vigie::api::internal {

// Bounds on what a client may send in each field.
inline constexpr size_t kMaxSecret = 1024;  // passwords are capped again by crypto
inline constexpr size_t kMaxCode = 64;
inline constexpr size_t kMaxToken = 256;
inline constexpr size_t kMaxName = 400;
inline constexpr size_t kMaxShort = 64;

// A handler's view of the portal plus the seconds a 429 or 503 should ask to wait.
struct Call {
  app::Portal& portal;
  RequestContext& context;
  int64_t retry_after = 0;
};

using Handler = Result<http::Response> (*)(Call&);

// Shaping answers.
http::Response Json(int status, const boost::json::value& value);
http::Response NoContent();
// {"events": [...]}: each event as the audit export's JSON object.
http::Response EventsJson(const std::vector<audit::AuditEvent>& events);
int64_t Now(const Call& call);
// Routes without a body still refuse one that is not empty or "{}".
Result<void> RequireEmptyBody(const http::Request& request);
// The positive integer in path parameter `name`; InvalidArgument naming `what`.
Result<int64_t> PathId(const RequestContext& context, std::string_view name,
                       std::string_view what);

// auth_routes.cc
app::Origin OriginOf(const Call& call);
// A completed login's answer: the tokens and the use notice.
boost::json::object LoginJson(const app::LoginTokens& login, int64_t now);
Result<http::Response> GetOpenApi(Call& call);
Result<http::Response> GetNotice(Call& call);
Result<http::Response> PostActivate(Call& call);
Result<http::Response> PostLogin(Call& call);
Result<http::Response> PostSecondFactor(Call& call);
Result<http::Response> PostRefresh(Call& call);
Result<http::Response> PostLogout(Call& call);
Result<http::Response> PostAcknowledgeNotice(Call& call);
Result<http::Response> PostStepUp(Call& call);
Result<http::Response> GetSelf(Call& call);

// passkey_routes.cc
// The server's relying party; Unavailable when its public URL gives none.
Result<const webauthn::RelyingParty*> PasskeyRelyingParty(const RequestContext& context);
Result<http::Response> PostPasskeyLoginOptions(Call& call);
Result<http::Response> PostPasskeyLogin(Call& call);
Result<http::Response> PostPasskeyOptions(Call& call);
Result<http::Response> PostPasskey(Call& call);
Result<http::Response> GetPasskeys(Call& call);
Result<http::Response> PostRemovePasskey(Call& call);

// consultation_routes.cc
Result<http::Response> PostSearch(Call& call);
Result<http::Response> PostOpenFile(Call& call);

// audit_routes.cc
Result<http::Response> PostAuditSearch(Call& call);

// admin_routes.cc
Result<http::Response> GetUnits(Call& call);
Result<http::Response> PostUnit(Call& call);
Result<http::Response> GetAgents(Call& call);
Result<http::Response> PostAgentSearch(Call& call);
Result<http::Response> PostAgent(Call& call);
Result<http::Response> GetAgent(Call& call);
Result<http::Response> PostSuspend(Call& call);
Result<http::Response> PostReinstate(Call& call);
Result<http::Response> PostReset(Call& call);

// incident_routes.cc (security officers)
Result<http::Response> PostAlertSearch(Call& call);
Result<http::Response> PostAcknowledgeAlert(Call& call);
Result<http::Response> GetIncidents(Call& call);
Result<http::Response> PostIncident(Call& call);
Result<http::Response> PostIncidentAgents(Call& call);
Result<http::Response> PostReleaseIncident(Call& call);

// investigation_routes.cc (own consultations; breach report and claim check
// for security officers)
Result<http::Response> GetOwnConsultations(Call& call);
Result<http::Response> PostBreachReport(Call& call);
Result<http::Response> PostClaimCheck(Call& call);

// Shared by auth and admin routes.
boost::json::object AgentJson(const identity::Agent& agent);

}  // namespace vigie::api::internal
