// Agents and units, for administrators.

#include <boost/json.hpp>
#include <utility>

#include "api/internal/routes.h"
#include "api/json_body.h"

namespace vigie::api::internal {
namespace {

namespace json = boost::json;

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

// One page of agents; "next", when more follow, is where the following page
// starts (the last agent's id, given back as "after").
Result<http::Response> AgentPage(Call& call, const identity::AgentQuery& query) {
  ASSIGN_OR_RETURN(std::vector<identity::Agent> agents,
                   call.portal.ListAgents(*call.context.caller, query));
  json::object answer;
  if (std::cmp_equal(agents.size(), query.limit)) {
    // A full page may be the last: one agent more is looked for, so the
    // client is never sent to an empty page.
    identity::AgentQuery beyond = query;
    beyond.after_id = agents.back().id;
    beyond.limit = 1;
    ASSIGN_OR_RETURN(std::vector<identity::Agent> more,
                     call.portal.ListAgents(*call.context.caller, beyond));
    if (!more.empty()) answer["next"] = agents.back().id;
  }
  json::array out;
  for (const identity::Agent& agent : agents) out.emplace_back(AgentJson(agent));
  answer["agents"] = std::move(out);
  return Json(200, answer);
}

// The path's service number as the directory reads it (upper-cased), so
// the audit event names the agent as every other event does. Not checked
// here: the use case refuses a caller without the role first, recorded,
// whatever they typed (a text no agent has is then a 404).
std::string ServiceNumberOf(const RequestContext& context) {
  return identity::NormalisedServiceNumber(context.path.at("service_number"));
}

}  // namespace

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
  return AgentPage(call, identity::AgentQuery{});
}

Result<http::Response> PostAgentSearch(Call& call) {
  ASSIGN_OR_RETURN(JsonBody body,
                   JsonBody::Parse(call.context.request.body, {"unit", "after", "limit"}));
  identity::AgentQuery query;
  ASSIGN_OR_RETURN(query.unit_code, body.OptionalString("unit", kMaxShort));
  ASSIGN_OR_RETURN(std::optional<int64_t> after, body.OptionalInt("after", 1, INT64_MAX));
  query.after_id = after.value_or(0);
  ASSIGN_OR_RETURN(std::optional<int64_t> limit,
                   body.OptionalInt("limit", 1, identity::kMaxAgentPage));
  query.limit = limit.value_or(query.limit);
  return AgentPage(call, query);
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

Result<http::Response> GetAgent(Call& call) {
  RETURN_IF_ERROR(RequireEmptyBody(call.context.request));
  const std::string service_number = ServiceNumberOf(call.context);
  ASSIGN_OR_RETURN(identity::Agent agent,
                   call.portal.ShowAgent(*call.context.caller, service_number));
  return Json(200, AgentJson(agent));
}

Result<http::Response> PostSuspend(Call& call) {
  RETURN_IF_ERROR(RequireEmptyBody(call.context.request));
  const std::string service_number = ServiceNumberOf(call.context);
  ASSIGN_OR_RETURN(identity::Agent agent,
                   call.portal.SuspendAgent(*call.context.caller, service_number));
  return Json(200, AgentJson(agent));
}

Result<http::Response> PostReinstate(Call& call) {
  RETURN_IF_ERROR(RequireEmptyBody(call.context.request));
  const std::string service_number = ServiceNumberOf(call.context);
  ASSIGN_OR_RETURN(identity::Agent agent,
                   call.portal.ReinstateAgent(*call.context.caller, service_number));
  return Json(200, AgentJson(agent));
}

Result<http::Response> PostReset(Call& call) {
  RETURN_IF_ERROR(RequireEmptyBody(call.context.request));
  const std::string service_number = ServiceNumberOf(call.context);
  ASSIGN_OR_RETURN(identity::AgentWithCode reset,
                   call.portal.ResetAgent(*call.context.caller, service_number));
  return Json(200, AgentWithCodeJson(reset));
}

// How a route authenticates its caller.
}  // namespace vigie::api::internal
