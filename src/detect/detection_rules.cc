#include "detect/detection_rules.h"

#include <algorithm>
#include <utility>

namespace vigie::detect {
namespace {

constexpr std::array<std::pair<Rule, std::string_view>, kRuleCount> kRuleNames = {{
    {Rule::kQueryRate, "query_rate"},
    {Rule::kDistinctPersons, "distinct_persons"},
    {Rule::kEnumeration, "enumeration"},
    {Rule::kOffHours, "off_hours"},
    {Rule::kNewNetwork, "new_network"},
    {Rule::kNewDevice, "new_device"},
    {Rule::kDormant, "dormant"},
    {Rule::kSecondFactorFailures, "second_factor_failures"},
    {Rule::kConcurrentAddresses, "concurrent_addresses"},
    {Rule::kCanary, "canary"},
    {Rule::kRefreshReuse, "refresh_reuse"},
    {Rule::kInvestigationVolume, "investigation_volume"},
    {Rule::kClonedPasskey, "cloned_passkey"},
}};

}  // namespace

std::string_view RuleName(Rule rule) {
  for (const auto& [r, name] : kRuleNames) {
    if (r == rule) return name;
  }
  return "unknown";
}

std::optional<Rule> RuleFromName(std::string_view name) {
  for (const auto& [r, n] : kRuleNames) {
    if (n == name) return r;
  }
  return std::nullopt;
}

std::string AlertRaisedSubject(int64_t alert_id, std::string_view rule, std::string_view action) {
  return "alert " + std::to_string(alert_id) + ": " + std::string(rule) + ", " +
         std::string(action);
}

std::optional<Rule> RuleOfAlertRaised(std::string_view subject) {
  const size_t colon = subject.find(": ");
  if (!subject.starts_with("alert ") || colon == std::string_view::npos) return std::nullopt;
  std::string_view rest = subject.substr(colon + 2);
  return RuleFromName(rest.substr(0, rest.find(", ")));
}

std::string_view ActionName(Action action) {
  switch (action) {
    case Action::kOff: return "off";
    case Action::kAlert: return "alert";
    case Action::kStepUp: return "step_up";
    case Action::kSuspend: return "suspend";
  }
  return "off";
}

Result<Action> ParseAction(std::string_view text) {
  for (Action a : {Action::kOff, Action::kAlert, Action::kStepUp, Action::kSuspend}) {
    if (ActionName(a) == text) return a;
  }
  return Fail(ErrorCode::kInvalidArgument,
              "a detection action is \"alert\", \"step_up\", \"suspend\" or \"off\"");
}

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kWarning: return "warning";
    case Severity::kHigh: return "high";
    case Severity::kCritical: return "critical";
  }
  return "warning";
}

Severity SeverityOf(Rule rule) {
  switch (rule) {
    case Rule::kCanary: return Severity::kCritical;
    case Rule::kQueryRate:
    case Rule::kDistinctPersons:
    case Rule::kEnumeration:
    case Rule::kRefreshReuse:
    case Rule::kInvestigationVolume:
    case Rule::kClonedPasskey:
      return Severity::kHigh;
    default: return Severity::kWarning;
  }
}

int64_t DetectOptions::RefireSeconds(Rule rule) const {
  // A suspending rule fires again after a minute, whatever the re-alert interval.
  constexpr int64_t kSuspendRefireSeconds = 60;
  return ActionFor(rule) == Action::kSuspend ? std::min(realert_seconds, kSuspendRefireSeconds)
                                             : realert_seconds;
}

Result<DetectOptions> DetectOptions::From(const Config::Detect& c) {
  DetectOptions o;
  o.enabled = c.enabled;
  o.baseline_seconds = int64_t{c.baseline_days} * 86400;
  o.realert_seconds = int64_t{c.realert_minutes} * 60;
  o.query_rate_per_minute = c.query_rate_per_minute;
  o.persons_per_hour_floor = c.persons_per_hour_floor;
  o.persons_per_hour_factor = c.persons_per_hour_factor;
  o.persons_per_hour_ceiling = c.persons_per_hour_ceiling;
  o.enumeration_run = c.enumeration_run;
  o.enumeration_case_list = c.enumeration_case_list;
  o.enumeration_case_references = c.enumeration_case_references;
  o.enumeration_window = c.enumeration_window;
  o.enumeration_miss_percent = c.enumeration_miss_percent;
  o.enumeration_unlinked_percent = c.enumeration_unlinked_percent;
  o.off_hours_min_events = c.off_hours_min_events;
  o.off_hours_percent = c.off_hours_percent;
  o.off_hours_usual_days = c.off_hours_usual_days;
  o.dormant_seconds = int64_t{c.dormant_days} * 86400;
  o.second_factor_failures = c.second_factor_failures;
  o.second_factor_window_seconds = int64_t{c.second_factor_window_minutes} * 60;
  o.concurrent_window_seconds = int64_t{c.concurrent_window_minutes} * 60;
  o.investigation_persons_per_day = c.investigation_persons_per_day;
  const std::pair<Rule, const std::string*> actions[] = {
      {Rule::kQueryRate, &c.query_rate_action},
      {Rule::kDistinctPersons, &c.distinct_persons_action},
      {Rule::kEnumeration, &c.enumeration_action},
      {Rule::kOffHours, &c.off_hours_action},
      {Rule::kNewNetwork, &c.new_network_action},
      {Rule::kNewDevice, &c.new_device_action},
      {Rule::kDormant, &c.dormant_action},
      {Rule::kSecondFactorFailures, &c.second_factor_action},
      {Rule::kConcurrentAddresses, &c.concurrent_addresses_action},
      {Rule::kCanary, &c.canary_action},
      {Rule::kRefreshReuse, &c.refresh_reuse_action},
      {Rule::kInvestigationVolume, &c.investigation_volume_action},
      {Rule::kClonedPasskey, &c.cloned_passkey_action},
  };
  for (const auto& [rule, text] : actions) {
    auto action = ParseAction(*text);
    if (!action) return Fail(action.error().WithContext("detect." + std::string(RuleName(rule))));
    o.actions[static_cast<size_t>(rule)] = *action;
  }
  return o;
}

}  // namespace vigie::detect
