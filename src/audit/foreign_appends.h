#pragma once
// ForeignAppends: which sequence numbers of a shared log this process did not
// append itself. Several nodes (and an administrator's command) append to one
// PostgreSQL log; before judging an agent's event, detection on a node must
// learn the agent's events the others wrote since its last one. The writer
// knows, from the tip it reads under the append lock, exactly which
// sequences others took between two of its batches, so detection asks the
// log only when there are some: with one node at work, never.
//
// Sequences before the log was opened, beyond the last batch, or older than
// the ranges kept (max_ranges) count as possibly foreign: the answer errs
// towards reading the log.
//
// Thread-safety: every method may be called from any thread.
// Errors: none.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <mutex>
#include <optional>
#include <vector>

namespace vigie::audit {

class ForeignAppends {
 public:
  explicit ForeignAppends(size_t max_ranges = 65'536) : max_ranges_(max_ranges) {}

  // The log held `size` events when this process opened it.
  void Opened(uint64_t size);

  // This process committed the sequences [first, end) in one transaction
  // that found the log holding `first` events: those between its previous
  // batch and `first` are someone else's.
  void AppendedOwn(uint64_t first, uint64_t end);

  struct Range {
    uint64_t begin;
    uint64_t end;  // exclusive
    bool operator==(const Range&) const = default;
  };

  // The ranges others appended (whole, ascending, as each batch of ours
  // found them) holding some sequence s with after < s < before; empty when
  // every such s is this process's own; nullopt when some are not known here,
  // or when the ranges hold more than `max_length` sequences (the caller
  // then reads the log its own way, and the copy stays bounded).
  std::optional<std::vector<Range>> Between(
      uint64_t after, uint64_t before,
      uint64_t max_length = std::numeric_limits<uint64_t>::max()) const;

 private:
  const size_t max_ranges_;
  mutable std::mutex mutex_;
  uint64_t horizon_ = 0;       // sequences below it are not known
  uint64_t known_end_ = 0;     // nor are those from here on
  std::deque<Range> foreign_;  // ascending, disjoint, within [horizon_, known_end_)
};

}  // namespace vigie::audit
