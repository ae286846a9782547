#pragma once
// The JSON form of alerts and incidents (times in Unix seconds). Used by the
// API and by the command line.
// Thread-safety: pure functions.

#include <boost/json/object.hpp>

#include "detect/alert_store.h"
#include "incident/containment.h"

namespace vigie::api {

boost::json::object AlertJson(const detect::Alert& alert);
boost::json::object IncidentJson(const incident::Incident& incident);
// The incident, the sessions revoked and the agents left to suspend.
boost::json::object ContainedJson(const incident::Contained& contained);

}  // namespace vigie::api
