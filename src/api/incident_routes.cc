// Alerts and containment, for security officers (the rule being the portal's).

#include <boost/json.hpp>

#include "api/incident_json.h"
#include "api/internal/routes.h"
#include "api/json_body.h"

namespace vigie::api::internal {
namespace {

namespace json = boost::json;

inline constexpr size_t kMaxReason = 500;
inline constexpr size_t kMaxNote = 1000;
inline constexpr size_t kMaxScopeAgents = 1000;
// Agents of an incident a page holds (Containment::HeldAgents reads one more).
inline constexpr int64_t kMaxHeldPage = 500;
inline constexpr int64_t kDefaultHeldPage = 100;

}  // namespace

Result<http::Response> PostAlertSearch(Call& call) {
  ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(call.context.request.body,
                                                  {"status", "agent_id", "before", "limit"}));
  detect::AlertQuery query;
  ASSIGN_OR_RETURN(std::optional<std::string> status, body.OptionalString("status", kMaxShort));
  if (status && *status != "open" && *status != "all") {
    return Fail(ErrorCode::kInvalidArgument, "'status' must be \"open\" or \"all\"");
  }
  query.open_only = status.value_or("open") == "open";
  ASSIGN_OR_RETURN(query.agent_id, body.OptionalInt("agent_id", 1, INT64_MAX));
  ASSIGN_OR_RETURN(std::optional<int64_t> before, body.OptionalInt("before", 1, INT64_MAX));
  query.before_id = before.value_or(0);
  ASSIGN_OR_RETURN(std::optional<int64_t> limit, body.OptionalInt("limit", 1, 1000));
  query.limit = static_cast<int>(limit.value_or(100));
  ASSIGN_OR_RETURN(std::vector<detect::Alert> alerts,
                   call.portal.ListAlerts(*call.context.caller, query));
  json::array out;
  for (const detect::Alert& alert : alerts) out.emplace_back(AlertJson(alert));
  return Json(200, json::object{{"alerts", std::move(out)}});
}

Result<http::Response> PostAcknowledgeAlert(Call& call) {
  ASSIGN_OR_RETURN(int64_t id, PathId(call.context, "alert_id", "alert id"));
  ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(call.context.request.body, {"note"}));
  ASSIGN_OR_RETURN(std::optional<std::string> note, body.OptionalString("note", kMaxNote));
  ASSIGN_OR_RETURN(detect::Alert alert,
                   call.portal.AcknowledgeAlert(*call.context.caller, id, note.value_or("")));
  return Json(200, AlertJson(alert));
}

Result<http::Response> GetIncidents(Call& call) {
  RETURN_IF_ERROR(RequireEmptyBody(call.context.request));
  ASSIGN_OR_RETURN(std::vector<incident::Incident> incidents,
                   call.portal.ListIncidents(*call.context.caller, /*open_only=*/false));
  json::array out;
  for (const incident::Incident& incident : incidents) out.emplace_back(IncidentJson(incident));
  return Json(200, json::object{{"incidents", std::move(out)}});
}

// One page of the agents an incident holds, in the order they were added;
// "next", when more follow, is the "after" of the following page.
Result<http::Response> PostIncidentAgents(Call& call) {
  ASSIGN_OR_RETURN(int64_t id, PathId(call.context, "incident_id", "incident id"));
  ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(call.context.request.body, {"after", "limit"}));
  ASSIGN_OR_RETURN(std::optional<int64_t> after, body.OptionalInt("after", 1, INT64_MAX));
  ASSIGN_OR_RETURN(std::optional<int64_t> limit, body.OptionalInt("limit", 1, kMaxHeldPage));
  const size_t page = static_cast<size_t>(limit.value_or(kDefaultHeldPage));
  // One more than the page: the client is never sent on to an empty one.
  ASSIGN_OR_RETURN(
      std::vector<incident::HeldAgent> held,
      call.portal.IncidentAgents(*call.context.caller, id, after.value_or(0), page + 1));
  json::object answer;
  if (held.size() > page) {
    held.resize(page);
    answer["next"] = held.back().agent_id;
  }
  json::array agents;
  for (const incident::HeldAgent& agent : held) {
    agents.emplace_back(
        json::object{{"service_number", agent.service_number}, {"lifted", agent.lifted}});
  }
  answer["agents"] = std::move(agents);
  return Json(200, answer);
}

Result<http::Response> PostIncident(Call& call) {
  ASSIGN_OR_RETURN(JsonBody body,
                   JsonBody::Parse(call.context.request.body,
                                   {"agents", "unit", "everyone", "lockdown", "reason"}));
  incident::ContainRequest request;
  ASSIGN_OR_RETURN(auto agents, body.OptionalStringList("agents", kMaxScopeAgents, kMaxShort));
  request.scope.service_numbers = agents.value_or(std::vector<std::string>{});
  ASSIGN_OR_RETURN(auto unit, body.OptionalString("unit", kMaxShort));
  request.scope.unit_code = unit.value_or("");
  ASSIGN_OR_RETURN(auto everyone, body.OptionalBool("everyone"));
  request.scope.everyone = everyone.value_or(false);
  ASSIGN_OR_RETURN(auto lockdown, body.OptionalBool("lockdown"));
  request.lockdown = lockdown.value_or(false);
  ASSIGN_OR_RETURN(request.reason, body.RequiredString("reason", kMaxReason));
  ASSIGN_OR_RETURN(incident::Contained contained,
                   call.portal.Contain(*call.context.caller, std::move(request)));
  return Json(201, ContainedJson(contained));
}

Result<http::Response> PostReleaseIncident(Call& call) {
  ASSIGN_OR_RETURN(int64_t id, PathId(call.context, "incident_id", "incident id"));
  ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(call.context.request.body, {"mode", "reason"}));
  ASSIGN_OR_RETURN(std::optional<std::string> mode, body.OptionalString("mode", kMaxShort));
  ASSIGN_OR_RETURN(std::optional<std::string> reason,
                   body.OptionalString("reason", incident::kMaxReasonBytes));
  const std::optional<incident::ReleaseMode> release_mode =
      incident::ParseReleaseMode(mode.value_or("reset"));
  if (!release_mode) {
    return Fail(ErrorCode::kInvalidArgument, "'mode' must be \"reset\" or \"reinstate\"");
  }
  ASSIGN_OR_RETURN(
      incident::Released released,
      call.portal.ReleaseIncident(*call.context.caller, id, *release_mode, reason.value_or("")));
  json::object out = IncidentJson(released.incident);
  json::array reset;
  // Waiting for an administrator's activation code (POST /agents/{sn}/reset).
  for (const identity::Agent& agent : released.reset) reset.emplace_back(AgentJson(agent));
  json::array reinstated;
  for (const identity::Agent& agent : released.reinstated) reinstated.emplace_back(AgentJson(agent));
  json::array kept_suspended;
  for (const identity::Agent& agent : released.kept_suspended) {
    kept_suspended.emplace_back(AgentJson(agent));
  }
  json::array still;
  for (const std::string& agent : released.still_contained) still.emplace_back(agent);
  json::array not_released;
  for (const std::string& agent : released.not_released) not_released.emplace_back(agent);
  out["reset"] = std::move(reset);
  out["reinstated"] = std::move(reinstated);
  out["kept_suspended"] = std::move(kept_suspended);
  out["still_contained"] = std::move(still);
  out["not_released"] = std::move(not_released);
  out["events_recorded"] = released.events_recorded;
  return Json(200, out);
}

}  // namespace vigie::api::internal
