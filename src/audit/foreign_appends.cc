#include "audit/foreign_appends.h"

#include <algorithm>

namespace vigie::audit {

void ForeignAppends::Opened(uint64_t size) {
  std::lock_guard lock(mutex_);
  horizon_ = size;
  known_end_ = size;
  foreign_.clear();
}

void ForeignAppends::AppendedOwn(uint64_t first, uint64_t end) {
  std::lock_guard lock(mutex_);
  if (first < known_end_) return;  // the tip never moves back; nothing to learn
  if (first > known_end_) {
    foreign_.push_back(Range{known_end_, first});
    if (foreign_.size() > max_ranges_) {
      horizon_ = foreign_.front().end;
      foreign_.pop_front();
    }
  }
  known_end_ = std::max(first, end);
}

std::optional<std::vector<ForeignAppends::Range>> ForeignAppends::Between(
    uint64_t after, uint64_t before, uint64_t max_length) const {
  std::vector<Range> ranges;
  if (before <= after + 1) return ranges;  // no sequence in between
  const uint64_t first = after + 1;
  std::lock_guard lock(mutex_);
  if (first < horizon_ || before > known_end_) return std::nullopt;
  // From the first foreign range ending after `first`, those starting before `before`.
  auto range = std::upper_bound(foreign_.begin(), foreign_.end(), first,
                                [](uint64_t value, const Range& r) { return value < r.end; });
  uint64_t length = 0;
  for (; range != foreign_.end() && range->begin < before; ++range) {
    length += range->end - range->begin;
    if (length > max_length) return std::nullopt;
    ranges.push_back(*range);
  }
  return ranges;
}

}  // namespace vigie::audit
