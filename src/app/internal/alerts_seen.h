#pragma once
// AlertsSeen: which alerts each session has been shown, so that a listing
// is recorded in the audit log only when it shows one the session has not
// seen (the web UI lists them every ten seconds: recording every poll would
// drown the log, recording none would leave an officer's reading of alerts
// - which name decoys and agents under suspicion - out of it).
//
// Memory is bounded: at most kSessions sessions and kPerSession alerts each;
// past either, what is forgotten is recorded again when shown (the safe
// side), as after a restart or on another node.
//
// Thread-safety: all members thread-safe.

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace vigie::app::internal {

class AlertsSeen {
 public:
  static constexpr size_t kSessions = 4096;
  static constexpr size_t kPerSession = 4096;

  // Of `shown`, the alerts `session_id` has not been shown (in order).
  std::vector<int64_t> Unseen(int64_t session_id, std::span<const int64_t> shown) const;
  // `session_id` has now been shown `alerts` (once their listing is recorded).
  void Remember(int64_t session_id, std::span<const int64_t> alerts);

 private:
  mutable std::mutex mutex_;
  std::unordered_map<int64_t, std::unordered_set<int64_t>> seen_;  // guarded by mutex_
};

}  // namespace vigie::app::internal
