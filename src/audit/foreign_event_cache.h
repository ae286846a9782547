#pragma once
// ForeignEventCache: the events other writers appended to a shared log
// (ForeignAppends' ranges), read once per range for every agent that needs
// them. With two nodes at work another node's batch lies between almost any
// two events of an agent; reading the log once per agent and event was the
// cost of detection on several nodes, once per batch of the other node it
// is not.
//
// Keeps the most recent ranges up to `max_events` events; an older range is
// read again if asked for. A stretch longer than a quarter of that (a node
// idle while another worked) is not read here: the caller reads the agent's
// own events instead.
//
// Thread-safety: EventsOf may be called from any thread; a range is read by
// one caller while the others wait for it.
// Errors: those of the read, returned to every caller waiting on it.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "audit/audit_event.h"
#include "audit/foreign_appends.h"
#include "core/error.h"

namespace vigie::audit {

class ForeignEventCache {
 public:
  // Every event with begin <= sequence < end.
  using ReadRange = std::function<Result<std::vector<AuditEvent>>(uint64_t begin, uint64_t end)>;

  explicit ForeignEventCache(ReadRange read, size_t max_events = 32'768)
      : read_(std::move(read)), max_events_(max_events) {}

  // The longest stretch of ranges EventsOf reads (a quarter of max_events).
  size_t max_stretch() const { return max_events_ / 4; }

  // The events of `agent_id` with after < sequence < before among `ranges`,
  // in sequence order; nullopt when the ranges are too long to hold.
  Result<std::optional<std::vector<AuditEvent>>> EventsOf(
      int64_t agent_id, std::span<const ForeignAppends::Range> ranges, uint64_t after,
      uint64_t before);

 private:
  using Events = std::shared_ptr<const std::vector<AuditEvent>>;
  Result<Events> Range(const ForeignAppends::Range& range);

  const ReadRange read_;
  const size_t max_events_;
  std::mutex mutex_;                   // held while a range is read: each is read once
  std::map<uint64_t, Events> ranges_;  // by first sequence
  size_t events_ = 0;
};

}  // namespace vigie::audit
