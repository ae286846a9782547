#include "api/incident_json.h"

#include <boost/json.hpp>

namespace vigie::api {

namespace json = boost::json;

json::object AlertJson(const detect::Alert& alert) {
  json::object out{{"id", alert.id},
                   {"raised_at", alert.raised_at},
                   {"rule", alert.rule},
                   {"severity", alert.severity},
                   {"action", alert.action},
                   {"agent_id", alert.agent_id},
                   {"service_number", alert.service_number},
                   {"session_id", alert.session_id},
                   {"source_address", alert.source_address},
                   {"detail", alert.detail},
                   {"event_sequence", alert.event_sequence}};
  if (alert.acknowledged_at) {
    out["acknowledged_at"] = *alert.acknowledged_at;
    out["acknowledged_by"] = alert.acknowledged_by;
    out["note"] = alert.note;
  }
  return out;
}

namespace {

json::array StringArray(const std::vector<std::string>& texts) {
  json::array out;
  for (const std::string& text : texts) out.emplace_back(text);
  return out;
}

}  // namespace

json::object IncidentJson(const incident::Incident& incident) {
  json::array agents = StringArray(incident.agents);
  json::object out{{"id", incident.id},
                   {"opened_at", incident.opened_at},
                   {"opened_by", incident.opened_by},
                   {"reason", incident.reason},
                   {"scope", incident.scope},
                   {"lockdown", incident.lockdown},
                   {"agents", std::move(agents)},
                   {"agent_count", incident.agent_count}};
  if (incident.released_at) {
    out["released_at"] = *incident.released_at;
    out["released_by"] = incident.released_by;
    if (incident.release_mode)
      out["release_mode"] = incident::ReleaseModeName(*incident.release_mode);
    out["unreleased_count"] = incident.unreleased_count;
  }
  return out;
}

json::object ContainedJson(const incident::Contained& contained) {
  json::object out = IncidentJson(contained.incident);
  out["sessions_revoked"] = contained.sessions_revoked;
  out["not_suspended"] = StringArray(contained.not_suspended);
  out["released_meanwhile"] = StringArray(contained.released_meanwhile);
  out["events_recorded"] = contained.events_recorded;
  return out;
}

}  // namespace vigie::api
