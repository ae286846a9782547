#pragma once
// How many consultations (searches and file openings) one agent may have
// under way at once on this node: from the request's start until detection
// has judged its event and the answer is released (or withheld). Detection
// acts on events once they are durable; answers already under way when it
// suspends the agent still leave. Without a bound, a stolen session sending
// hundreds of searches at once would have them all answered before the
// first judgement (DESIGN: detection stops a sweep, not only records it).
// Beyond the bound the consultation is refused (ResourceExhausted: HTTP 429,
// Retry-After 1) before it costs quota; a person at a screen never has more
// than one or two under way.
//
// Thread-safety: all methods are thread-safe. A Slot may outlive its
// ConsultationsAtOnce (the count is shared).

#include <cstdint>
#include <memory>

#include "core/error.h"

namespace vigie::policy {

class ConsultationsAtOnce {
  struct Counts;

 public:
  // One consultation under way: counted until destroyed.
  class Slot {
   public:
    Slot(Slot&& other) noexcept;
    Slot& operator=(Slot&&) = delete;
    ~Slot();

   private:
    friend class ConsultationsAtOnce;
    Slot(std::shared_ptr<Counts> counts, int64_t agent_id)
        : counts_(std::move(counts)), agent_id_(agent_id) {}
    std::shared_ptr<Counts> counts_;  // null once moved from
    int64_t agent_id_;
  };

  // `limit` >= 1.
  explicit ConsultationsAtOnce(int limit);

  // ResourceExhausted when the agent has `limit` consultations under way.
  Result<Slot> Take(int64_t agent_id);

 private:
  const int limit_;
  std::shared_ptr<Counts> counts_;
};

}  // namespace vigie::policy
