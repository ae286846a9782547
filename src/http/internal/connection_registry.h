#pragma once
// The open connections of one Server, so a graceful stop can reach them, and
// so that at the cap an idle one can make room for a new client: otherwise
// a few addresses that keep connections open and quiet hold every place.
// Thread-safety: every member is thread-safe (one mutex).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace vigie::http::internal {

enum class ListenerRole { kApi, kMetrics };

// A connection as shutdown sees it. Interrupt() may be called from any
// thread; it posts to the connection's own strand.
class ConnectionControl {
 public:
  virtual ~ConnectionControl() = default;
  // force=false: close only if waiting for a new request (idle);
  // force=true: close now, even mid-request.
  virtual void Interrupt(bool force) = 0;
};

class ConnectionRegistry {
 public:
  uint64_t Add(ListenerRole role, std::weak_ptr<ConnectionControl> connection);
  // Counts connection `id` against its client's network (ClientNetwork) until
  // it is removed; false, and nothing counted, when that network already
  // holds `max` connections.
  bool Claim(uint64_t id, const std::string& network, size_t max);
  // Returns true if this removal left the registry empty.
  bool Remove(uint64_t id);
  size_t Count(ListenerRole role) const;
  // Connection `id` waits for a request (true) or is serving one (false).
  // Returns true when it was chosen to make room (InterruptLongestIdle) but
  // was serving a request then: it should close now rather than wait.
  bool SetIdle(uint64_t id, bool idle);
  // At the cap, makes room for a new API client: closes the API connection
  // that has waited longest for a request (Interrupt(false): if it is still
  // idle when the close reaches it). False when none waits, or when kMaxEvicting
  // closes are already on their way: then the new client is turned away.
  bool InterruptLongestIdle();
  static constexpr size_t kMaxEvicting = 64;
  bool Empty() const;
  void InterruptAll(bool force) const;

 private:
  struct Entry {
    ListenerRole role;
    std::weak_ptr<ConnectionControl> connection;
    std::optional<std::string> network;  // set by Claim
    std::optional<std::chrono::steady_clock::time_point> idle_since;
    bool evicting = false;  // chosen by InterruptLongestIdle
  };
  mutable std::mutex mutex_;
  uint64_t next_id_ = 1;                         // guarded by mutex_
  std::unordered_map<uint64_t, Entry> entries_;  // guarded by mutex_
  size_t api_count_ = 0;                         // guarded by mutex_
  std::unordered_map<std::string, size_t> per_network_;  // guarded by mutex_
  size_t evicting_ = 0;                                  // guarded by mutex_
};

}  // namespace vigie::http::internal
