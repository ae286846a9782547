#pragma once
// The open connections of one Server, so a graceful stop can reach them, and
// so that at the cap a new client can take the place of an idle connection:
// otherwise a few addresses that open connections and keep them quiet hold
// every place.
//
// At the cap, a new API connection starts on probation: it must pass the
// PROXY header, the per-address counts, the TLS handshake and send a whole,
// well-formed request (its body too) - all within its first read timeout -
// before MakeRoom gives it a place, closing the connection that has waited
// longest for a request. So bare connects, or a client already at its
// limit, cannot close anyone's connection.
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

// A connection as shutdown and the cap see it. May be called from any
// thread; Interrupt and GiveUpPlace post to the connection's own strand.
class ConnectionControl {
 public:
  virtual ~ConnectionControl() = default;
  // force=false: close only if waiting for a new request (idle);
  // force=true: close now, even mid-request.
  virtual void Interrupt(bool force) = 0;
  // Since when it has waited on its client - for its PROXY header and TLS
  // handshake, then for a request, its head and body included (steady
  // clock, in nanoseconds); 0 while it serves one, or reads an upload's
  // body; 1, the earliest, while it lingers before its close (it will
  // serve nobody again). Read without its strand: an atomic.
  virtual int64_t IdleSinceNanos() const = 0;
  // Since when its client has been taking the response being written (how
  // long is the client's to decide); 0 when none is. Read without its
  // strand: an atomic.
  virtual int64_t TakingResponseSinceNanos() const = 0;
  // Its place went to a newcomer: close now if waiting on its client, else
  // once the request it serves is answered (one lingering before its close
  // goes on: its place is counted out already).
  virtual void GiveUpPlace() = 0;
};

class ConnectionRegistry {
 public:
  static constexpr size_t kMaxOnProbation = 64;
  // Of those, one client network's (ClientNetwork, checked at Claim).
  static constexpr size_t kMaxOnProbationPerNetwork = 8;
  enum class Admission { kPlace, kProbation, kRefused };
  // Whether a new connection of `role` may start with `max` places: with a
  // place, on probation (API only), or not at all.
  Admission Admit(ListenerRole role, size_t max) const;
  uint64_t Add(ListenerRole role, std::weak_ptr<ConnectionControl> connection,
               bool on_probation = false);
  // Connection `id`, on probation, has sent a whole, well-formed request:
  // gives it a place - one freed meanwhile, or that of the API connection
  // waiting longest for a request, closed for it (GiveUpPlace). False when
  // none is free and every connection is busy.
  bool MakeRoom(uint64_t id, size_t max);
  // Counts connection `id` against its client's network (ClientNetwork) until
  // it is removed; false, and nothing counted, when that network already
  // holds `max` connections, or kMaxOnProbationPerNetwork on probation. A
  // newcomer accepted on probation beyond kMaxOnProbation closes the one
  // waiting longest: the newcomers clients keep opening cannot hold every
  // place on probation, and a client refused here closes nobody.
  bool Claim(uint64_t id, const std::string& network, size_t max);
  // Returns true if this removal left the registry empty.
  bool Remove(uint64_t id);
  bool Empty() const;
  void InterruptAll(bool force) const;

 private:
  struct Entry {
    ListenerRole role;
    std::weak_ptr<ConnectionControl> connection;
    std::optional<std::string> network;  // set by Claim
    bool on_probation = false;
    bool cut = false;       // on probation, closed for a newer newcomer
    bool evicting = false;  // its place went to a connection on probation
  };
  // API places taken: neither on probation nor on their way out. REQUIRES: mutex_.
  size_t HeldApiPlaces() const { return api_count_ - on_probation_ - evicting_; }
  // Takes `entry` off probation (promoted or gone). REQUIRES: mutex_.
  void EndProbation(Entry& entry);
  // Marks the claimed newcomer on probation longest (not `except`) cut and
  // returns it to close, or null. REQUIRES: mutex_.
  std::shared_ptr<ConnectionControl> CutLongestWaiting(uint64_t except);
  mutable std::mutex mutex_;
  uint64_t next_id_ = 1;                         // guarded by mutex_
  std::unordered_map<uint64_t, Entry> entries_;  // guarded by mutex_
  size_t api_count_ = 0;                         // guarded by mutex_
  std::unordered_map<std::string, size_t> per_network_;  // guarded by mutex_
  std::unordered_map<std::string, size_t> on_probation_per_network_;  // guarded by mutex_
  size_t on_probation_ = 0;                              // guarded by mutex_
  size_t waiting_ = 0;  // claimed, on probation, not cut; guarded by mutex_
  size_t evicting_ = 0;                                  // guarded by mutex_
};

}  // namespace vigie::http::internal
