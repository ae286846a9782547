// Reading the audit log: security officers (everything) and supervisors
// (their own unit), the rule being the portal's.

#include <boost/json.hpp>

#include "api/internal/routes.h"
#include "api/internal/source_address.h"
#include "api/json_body.h"
#include "audit/audit.h"

namespace vigie::api::internal {
Result<http::Response> PostAuditSearch(Call& call) {
  ASSIGN_OR_RETURN(JsonBody body,
                   JsonBody::Parse(call.context.request.body,
                                   {"agent_id", "unit_id", "session_id", "source_address", "type",
                                    "person_id", "since", "until", "after", "limit"}));
  constexpr int64_t kMaxId = INT64_MAX;
  audit::EventFilter filter;
  ASSIGN_OR_RETURN(filter.agent_id, body.OptionalInt("agent_id", 0, kMaxId));
  ASSIGN_OR_RETURN(filter.unit_id, body.OptionalInt("unit_id", 0, kMaxId));
  ASSIGN_OR_RETURN(filter.session_id, body.OptionalInt("session_id", 0, kMaxId));
  ASSIGN_OR_RETURN(std::optional<std::string> address,
                   body.OptionalString("source_address", kMaxShort));
  if (address) {
    ASSIGN_OR_RETURN(filter.source_address, CanonicalSourceAddress("source_address", *address));
  }
  ASSIGN_OR_RETURN(std::optional<std::string> type, body.OptionalString("type", kMaxShort));
  if (type) {
    filter.type = audit::AuditEventTypeFromName(*type);
    if (!filter.type) return Fail(ErrorCode::kInvalidArgument, "'type' is not an event type");
  }
  ASSIGN_OR_RETURN(filter.person_id, body.OptionalInt("person_id", 1, kMaxId));
  ASSIGN_OR_RETURN(std::optional<std::string> since, body.OptionalString("since", kMaxShort));
  if (since) {
    ASSIGN_OR_RETURN(filter.since_unix_micros, audit::ParseUtcMicros(*since, false));
  }
  ASSIGN_OR_RETURN(std::optional<std::string> until, body.OptionalString("until", kMaxShort));
  if (until) {
    ASSIGN_OR_RETURN(filter.until_unix_micros, audit::ParseUtcMicros(*until, true));
  }
  if (filter.since_unix_micros > filter.until_unix_micros) {
    return Fail(ErrorCode::kInvalidArgument, "'until' must not be before 'since'");
  }
  ASSIGN_OR_RETURN(std::optional<int64_t> after, body.OptionalInt("after", 0, kMaxId));
  filter.after_sequence = static_cast<uint64_t>(after.value_or(0));
  ASSIGN_OR_RETURN(std::optional<int64_t> limit, body.OptionalInt("limit", 1, 1000));
  filter.limit = static_cast<size_t>(limit.value_or(100));
  ASSIGN_OR_RETURN(std::vector<audit::AuditEvent> events,
                   call.portal.SearchAudit(*call.context.caller, std::move(filter)));
  return EventsJson(events);
}

}  // namespace vigie::api::internal
