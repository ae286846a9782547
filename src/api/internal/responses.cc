#include <boost/json/serialize.hpp>

#include "api/internal/routes.h"
#include "api/json_body.h"
#include "audit/event_export.h"

namespace vigie::api::internal {
namespace {

namespace json = boost::json;

json::array Names(std::vector<identity::Role> roles) {
  json::array out;
  for (identity::Role role : roles) out.emplace_back(identity::RoleName(role));
  return out;
}

}  // namespace

http::Response Json(int status, const json::value& value) {
  http::Response response;
  response.status = status;
  response.content_type = "application/json";
  response.body = json::serialize(value);
  return response;
}

// The events as the audit search answers them: each one already a JSON
// object (the export's), joined rather than re-parsed.
http::Response EventsJson(const std::vector<audit::AuditEvent>& events) {
  http::Response response = Json(200, boost::json::object{});
  response.body = "{\"events\":[";
  for (size_t i = 0; i < events.size(); ++i) {
    if (i > 0) response.body += ',';
    response.body += audit::ExportEvent(events[i], audit::ExportFormat::kJsonLines);
  }
  response.body += "]}";
  return response;
}

http::Response NoContent() {
  http::Response response;
  response.status = 204;
  return response;
}

int64_t Now(const Call& call) { return UnixSeconds(call.portal.parts().clock->Now()); }

// Nothing a client sends goes unread: a body where none is expected must be
// empty or "{}".
Result<void> RequireEmptyBody(const http::Request& request) {
  if (request.body.empty()) return {};
  ASSIGN_OR_RETURN(JsonBody unused, JsonBody::Parse(request.body, {}));
  (void)unused;
  return {};
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

Result<int64_t> PathId(const RequestContext& context, std::string_view name,
                       std::string_view what) {
  std::string_view text = context.path.at(std::string(name));
  const std::string refusal = std::string(what) + " must be a positive integer";
  // One spelling per id: "0017" is not person 17 (nor is "+17" or " 17").
  if (text.empty() || text.size() > 18 || text.front() == '0') {
    return Fail(ErrorCode::kInvalidArgument, refusal);
  }
  int64_t id = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return Fail(ErrorCode::kInvalidArgument, refusal);
    id = id * 10 + (c - '0');
  }
  return id;
}

}  // namespace vigie::api::internal
