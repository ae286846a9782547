#include "audit/foreign_event_cache.h"

namespace vigie::audit {

Result<std::optional<std::vector<AuditEvent>>> ForeignEventCache::EventsOf(
    int64_t agent_id, std::span<const ForeignAppends::Range> ranges, uint64_t after,
    uint64_t before) {
  uint64_t length = 0;
  for (const ForeignAppends::Range& range : ranges) length += range.end - range.begin;
  if (length > max_stretch()) return std::nullopt;
  std::vector<AuditEvent> found;
  for (const ForeignAppends::Range& range : ranges) {
    ASSIGN_OR_RETURN(Events events, Range(range));
    for (const AuditEvent& event : *events) {
      if (event.actor.agent_id == agent_id && event.sequence > after && event.sequence < before) {
        found.push_back(event);
      }
    }
  }
  return found;
}

Result<ForeignEventCache::Events> ForeignEventCache::Range(const ForeignAppends::Range& range) {
  std::lock_guard lock(mutex_);
  if (auto kept = ranges_.find(range.begin); kept != ranges_.end()) return kept->second;
  ASSIGN_OR_RETURN(std::vector<AuditEvent> read, read_(range.begin, range.end));
  auto events = std::make_shared<const std::vector<AuditEvent>>(std::move(read));
  ranges_.emplace(range.begin, events);
  events_ += events->size();
  // The oldest go first: catching up asks for what follows an agent's last event.
  while (events_ > max_events_ && ranges_.size() > 1) {
    events_ -= ranges_.begin()->second->size();
    ranges_.erase(ranges_.begin());
  }
  return events;
}

}  // namespace vigie::audit
