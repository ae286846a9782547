// The words of a breach report's read in the audit log (breach_report.h).

#include <limits>
#include <string>
#include <type_traits>

#include "audit/audit_event_codec.h"
#include "audit/event_export.h"
#include "incident/breach_report.h"

namespace vigie::incident {

std::string BreachReadSubject(std::span<const std::string> service_numbers,
                              const BreachScope& scope) {
  // Within the log's short text, with room for what a caller appends (": persons
  // named 3/7"): the window first, then each list while it fits, the rest
  // counted - never a value cut, nor the window lost behind a long list.
  constexpr size_t kBudget = audit::kMaxAuditShortText - 40;
  constexpr size_t kMoreRoom = 16;  // " +4096 more;"
  std::string subject = "breach report:";
  if (scope.since_unix_micros > 0) {
    subject += " since " + audit::Iso8601Micros(scope.since_unix_micros) + ";";
  }
  if (scope.until_unix_micros < std::numeric_limits<int64_t>::max()) {
    subject += " until " + audit::Iso8601Micros(scope.until_unix_micros) + ";";
  }
  // Each list keeps room for the lists after it to say at least how many.
  constexpr std::string_view kLabels[] = {"agents", "agent ids", "sessions", "keys", "addresses"};
  const bool listed[] = {!service_numbers.empty(), !scope.agent_ids.empty(),
                         !scope.session_ids.empty(), !scope.dpop_jkts.empty(),
                         !scope.source_addresses.empty()};
  auto add = [&](size_t list, const auto& values) {
    if (values.empty()) return;
    size_t later = 0;
    for (size_t next = list + 1; next < std::size(kLabels); ++next) {
      if (listed[next]) later += 1 + kLabels[next].size() + kMoreRoom;
    }
    subject += " " + std::string(kLabels[list]);
    size_t shown = 0;
    for (const auto& value : values) {
      std::string text;
      if constexpr (std::is_arithmetic_v<std::decay_t<decltype(value)>>) {
        text = std::to_string(value);
      } else {
        text = std::string(value);
      }
      if (subject.size() + 1 + text.size() + kMoreRoom + later > kBudget) break;
      subject += " " + text;
      ++shown;
    }
    if (shown < values.size()) subject += " +" + std::to_string(values.size() - shown) + " more";
    subject += ";";
  };
  add(0, service_numbers);
  add(1, scope.agent_ids);
  add(2, scope.session_ids);
  add(3, scope.dpop_jkts);
  add(4, scope.source_addresses);
  return subject;
}

}  // namespace vigie::incident
