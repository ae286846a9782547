#include "app/internal/alerts_seen.h"

namespace vigie::app::internal {

std::vector<int64_t> AlertsSeen::Unseen(int64_t session_id, std::span<const int64_t> shown) const {
  std::lock_guard lock(mutex_);
  const auto session = seen_.find(session_id);
  std::vector<int64_t> unseen;
  for (int64_t alert : shown) {
    if (session == seen_.end() || !session->second.contains(alert)) unseen.push_back(alert);
  }
  return unseen;
}

void AlertsSeen::Remember(int64_t session_id, std::span<const int64_t> alerts) {
  std::lock_guard lock(mutex_);
  // Full: everyone's memory starts again, rather than some sessions' never.
  if (!seen_.contains(session_id) && seen_.size() >= kSessions) seen_.clear();
  std::unordered_set<int64_t>& seen = seen_[session_id];
  for (int64_t alert : alerts) {
    if (seen.size() >= kPerSession) seen.clear();
    seen.insert(alert);
  }
}

}  // namespace vigie::app::internal
