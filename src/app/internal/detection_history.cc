#include "app/internal/detection_history.h"

#include <algorithm>
#include <optional>
#include <vector>

namespace vigie::app::internal {

using audit::AuditEvent;

detect::Detector::History HistoryFrom(audit::AuditLog* log) {
  return [log](int64_t agent_id, int64_t since, uint64_t after_sequence,
               uint64_t before_sequence) -> Result<std::vector<AuditEvent>> {
    constexpr size_t kKept = 20'000;
    audit::EventFilter filter{.agent_id = agent_id,
                              .since_unix_micros = since,
                              .after_sequence = after_sequence,
                              .before_sequence = before_sequence,
                              .limit = kKept,
                              .newest_first = true};
    ASSIGN_OR_RETURN(std::vector<AuditEvent> history, log->Find(filter));
    std::ranges::sort(history, {}, &AuditEvent::sequence);
    return history;
  };
}

detect::Detector::LastSeen LastSeenFrom(audit::AuditLog* log) {
  return [log](int64_t agent_id, uint64_t before_sequence) -> Result<std::optional<int64_t>> {
    constexpr size_t kPageEvents = 256;
    constexpr int kPages = 64;
    std::optional<int64_t> activated;
    audit::EventFilter filter{.agent_id = agent_id,
                              .before_sequence = before_sequence,
                              .limit = kPageEvents,
                              .newest_first = true};
    for (int page = 0; page < kPages; ++page) {
      ASSIGN_OR_RETURN(std::vector<AuditEvent> latest, log->Find(filter));
      for (const AuditEvent& event : latest) {
        if (detect::Detector::IsSignOfLife(event)) return event.time_unix_micros;
        if (!activated && detect::Detector::IsActivation(event)) activated = event.time_unix_micros;
      }
      if (latest.size() < kPageEvents) break;
      // On by time, as the pages are ordered: an event numbered after one
      // of this page (committed later) but timed before them all (another
      // node's clock, a request that took longer) would be skipped by a
      // bound on sequences. The oldest time is read again, so a page all
      // of one time cannot move on.
      const auto [oldest, newest] = std::ranges::minmax(latest, {}, &AuditEvent::time_unix_micros);
      if (oldest.time_unix_micros == newest.time_unix_micros) break;
      filter.until_unix_micros = oldest.time_unix_micros;
    }
    return activated;
  };
}

}  // namespace vigie::app::internal
