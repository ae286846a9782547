#pragma once
// The open connections of one Server, so a graceful stop can reach them.
// Thread-safety: every member is thread-safe (one mutex).

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
  bool Empty() const;
  void InterruptAll(bool force) const;

 private:
  struct Entry {
    ListenerRole role;
    std::weak_ptr<ConnectionControl> connection;
    std::optional<std::string> network;  // set by Claim
  };
  mutable std::mutex mutex_;
  uint64_t next_id_ = 1;                         // guarded by mutex_
  std::unordered_map<uint64_t, Entry> entries_;  // guarded by mutex_
  size_t api_count_ = 0;                         // guarded by mutex_
  std::unordered_map<std::string, size_t> per_network_;  // guarded by mutex_
};

}  // namespace vigie::http::internal
