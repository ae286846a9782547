#pragma once
// CheckpointRelay: hands checkpoints to a consumer that may block — syslog(3)
// waits while the local daemon's socket is full — on a thread of its own, so
// that the audit log's writer (AuditLogOptions::checkpoint_sink) never waits
// on it: a stuck copy must not hold back consultations' events.
//
// At most `capacity` checkpoints wait; beyond, the oldest is dropped and
// counted, and the consumer's thread logs the drops once it moves again (the
// newest covers the ones before it; the database and the witness file keep
// every checkpoint).
//
// Thread-safety: Offer and dropped from any thread. The destructor delivers
// what waits, but waits at most `drain_for` for a stuck consumer; after that
// the consumer's thread is left to finish alone: it owns what it uses, so
// the consumer must capture nothing that dies with the relay's owner (it
// may even run while the process exits).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>

#include "audit/checkpoint.h"

namespace vigie::audit {

class CheckpointRelay {
 public:
  using Consumer = std::function<void(const Checkpoint&)>;

  explicit CheckpointRelay(Consumer consumer, size_t capacity = 64,
                           std::chrono::milliseconds drain_for = std::chrono::seconds(1));
  ~CheckpointRelay();
  CheckpointRelay(const CheckpointRelay&) = delete;
  CheckpointRelay& operator=(const CheckpointRelay&) = delete;

  // Queues `checkpoint` for the consumer; never blocks (nor logs).
  void Offer(const Checkpoint& checkpoint);
  // Checkpoints dropped (the oldest waiting) because `capacity` were waiting.
  uint64_t dropped() const;

  // A checkpoint sink (AuditLogOptions::checkpoint_sink) that offers to a
  // relay of `consumer`, the relay living as long as the sink.
  static std::function<void(const Checkpoint&)> Sink(Consumer consumer);

 private:
  struct State;
  static void Deliver(const std::shared_ptr<State>& state);  // the consumer's thread

  std::shared_ptr<State> state_;
  std::thread consumer_thread_;
  const std::chrono::milliseconds drain_for_;
};

}  // namespace vigie::audit
