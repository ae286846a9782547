#include "audit/person_index_upkeep.h"

#include "audit/log_tables.h"
#include "audit/person_index.h"
#include "core/log.h"

namespace vigie::audit {

void PersonIndexUpkeep::After(uint64_t written_size, bool final, size_t batch_size) {
  if (written_size < indexed_ + (final ? 1 : kPersonIndexEvery)) return;
  const auto now = std::chrono::steady_clock::now();
  if (!final && now < next_attempt_) return;
  const uint64_t step = batch_size == 0 ? kMaxSegmentEvents : batch_size + kPersonIndexEvery;
  auto indexed = [&]() -> Result<uint64_t> {
    ASSIGN_OR_RETURN(AppendLock lock, AppendLock::Take(db_));
    return ExtendPersonIndex(db_, step);
  }();
  if (!indexed) {
    next_attempt_ = now + kIndexRetryAfter;
    Log(LogLevel::kWarn, "audit_person_index_lagging", {{"error", indexed.error().message()}});
    return;
  }
  indexed_ = *indexed;
}

bool PersonIndexUpkeep::Behind(uint64_t written_size) const {
  return written_size >= indexed_ + kPersonIndexEvery &&
         std::chrono::steady_clock::now() >= next_attempt_;
}

}  // namespace vigie::audit
