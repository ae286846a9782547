#include "audit/audit_event.h"

#include <array>
#include <utility>

namespace vigie::audit {
namespace {

using T = AuditEventType;
constexpr std::array<std::pair<AuditEventType, std::string_view>, 27> kNames = {{
    {T::kActivation, "activation"},
    {T::kLoginPasswordOk, "login_password_ok"},
    {T::kLoginPasswordFailed, "login_password_failed"},
    {T::kLoginSecondFactorOk, "login_second_factor_ok"},
    {T::kLoginSecondFactorFailed, "login_second_factor_failed"},
    {T::kLockout, "lockout"},
    {T::kRefresh, "refresh"},
    {T::kRefreshReuse, "refresh_reuse"},
    {T::kLogout, "logout"},
    {T::kStepUp, "step_up"},
    {T::kPasskeyRegistered, "passkey_registered"},
    {T::kPasskeyRemoved, "passkey_removed"},
    {T::kUseNoticeAcknowledged, "use_notice_acknowledged"},
    {T::kSearch, "search"},
    {T::kFileOpening, "file_opening"},
    {T::kUnitAdded, "unit_added"},
    {T::kAgentAdded, "agent_added"},
    {T::kAgentSuspended, "agent_suspended"},
    {T::kAgentReinstated, "agent_reinstated"},
    {T::kAgentReset, "agent_reset"},
    {T::kOperatorCommand, "operator_command"},
    {T::kIncidentAction, "incident_action"},
    {T::kAuditSearch, "audit_search"},
    {T::kAlertRaised, "alert_raised"},
    {T::kAlertAcknowledged, "alert_acknowledged"},
    {T::kIncidentReleased, "incident_released"},
    {T::kAuditLogResumed, "audit_log_resumed"},
}};

}  // namespace

std::string_view AuditEventTypeName(AuditEventType type) {
  for (const auto& [t, name] : kNames) {
    if (t == type) return name;
  }
  return "unknown";
}

std::vector<std::string_view> AuditEventTypeNames() {
  std::vector<std::string_view> names;
  for (const auto& [t, name] : kNames) names.push_back(name);
  return names;
}

std::optional<AuditEventType> AuditEventTypeFromWire(uint64_t value) {
  for (const auto& [t, name] : kNames) {
    if (static_cast<uint64_t>(t) == value) return t;
  }
  return std::nullopt;
}

std::optional<AuditEventType> AuditEventTypeFromName(std::string_view name) {
  for (const auto& [t, n] : kNames) {
    if (n == name) return t;
  }
  return std::nullopt;
}

}  // namespace vigie::audit
