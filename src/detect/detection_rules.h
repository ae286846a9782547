#pragma once
// The detection rules, what each may do when it fires, and their settings
// (from the [detect] section of the configuration). docs/detection.md
// describes every rule.
//
// Thread-safety: plain values and pure functions.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/config.h"
#include "core/error.h"

namespace vigie::detect {

enum class Rule {
  kQueryRate,             // consultations per minute
  kDistinctPersons,       // distinct persons returned per hour, against the agent's baseline
  kEnumeration,           // sweeps of names or birth dates, misses, searches without purpose
  kOffHours,              // activity at an hour the agent never works
  kNewNetwork,            // an address outside every network the agent used
  kNewDevice,             // a DPoP key never seen for the agent
  kDormant,               // an account waking up after a long silence
  kSecondFactorFailures,  // repeated wrong second factors
  kConcurrentAddresses,   // the agent's sessions used from two networks at once
  kCanary,                // a decoy person was found or opened
  kRefreshReuse,          // a refresh token presented again: two parties hold the session
  kInvestigationVolume,   // persons named by an officer's investigations within a day
  kClonedPasskey,         // a passkey signing with a counter behind its own: it was copied
};
inline constexpr size_t kRuleCount = 13;

// "query_rate", "distinct_persons", ... (alerts, config keys, the audit log).
std::string_view RuleName(Rule rule);
std::optional<Rule> RuleFromName(std::string_view name);

// The subject of the audit log's alert_raised event: "alert 12: query_rate,
// suspend". The rule is read back from it when an agent's past is replayed,
// so a restart, or another node, does not fire the same rule again within
// its re-alert interval.
std::string AlertRaisedSubject(int64_t alert_id, std::string_view rule, std::string_view action);
// The rule an alert_raised subject names; nullopt for any other text.
std::optional<Rule> RuleOfAlertRaised(std::string_view subject);

enum class Action { kOff, kAlert, kStepUp, kSuspend };
std::string_view ActionName(Action action);  // "off", "alert", "step_up", "suspend"
// InvalidArgument for any other text.
Result<Action> ParseAction(std::string_view text);

enum class Severity { kWarning, kHigh, kCritical };
std::string_view SeverityName(Severity severity);  // "warning", "high", "critical"
// Fixed per rule: a canary is always critical; the extraction rules high.
Severity SeverityOf(Rule rule);

struct DetectOptions {
  bool enabled = true;
  int64_t baseline_seconds = 28 * 86400;
  int64_t realert_seconds = 3600;
  int query_rate_per_minute = 30;
  int persons_per_hour_floor = 30;
  int persons_per_hour_factor = 3;
  int persons_per_hour_ceiling = 1000;
  int enumeration_run = 5;
  int enumeration_case_list = 25;
  int enumeration_case_references = 10;
  int enumeration_window = 20;
  int enumeration_miss_percent = 70;
  int enumeration_unlinked_percent = 90;
  int64_t off_hours_min_events = 200;
  int off_hours_percent = 1;
  int off_hours_usual_days = 3;
  int64_t dormant_seconds = 60 * 86400;
  int second_factor_failures = 3;
  int64_t second_factor_window_seconds = 15 * 60;
  int64_t concurrent_window_seconds = 15 * 60;
  int64_t investigation_persons_per_day = 20000;
  std::array<Action, kRuleCount> actions{};
  // Several nodes append to one log (PostgreSQL): this node's audit.node_id.
  // Before judging an agent's event the detector then learns, from the log,
  // the agent's events other nodes wrote since the last one it took, so a
  // sweep spread across nodes is judged whole. "" = the only node.
  std::string shared_log_node;

  Action ActionFor(Rule rule) const { return actions[static_cast<size_t>(rule)]; }
  // How long after firing for an agent a rule stays quiet for them: the
  // re-alert interval, at most a minute for a rule that suspends (an agent
  // reinstated and sweeping again is suspended again).
  int64_t RefireSeconds(Rule rule) const;

  // InvalidArgument for an action that does not parse (the config reader
  // already refuses those).
  static Result<DetectOptions> From(const Config::Detect& config);
};

}  // namespace vigie::detect
