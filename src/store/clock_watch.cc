#include "store/clock_watch.h"

#include <string>

#include "core/log.h"
#include "core/stoppable_sleep.h"
#include "store/clock_check.h"

namespace vigie::store {

void ClockWatch::Start(std::chrono::milliseconds interval) {
  checker_ = std::jthread([this, interval](std::stop_token stop) {
    while (SleepUnlessStopped(stop, interval)) Check();
  });
}

void ClockWatch::Check() {
  Result<std::chrono::milliseconds> offset = [&]() -> Result<std::chrono::milliseconds> {
    ASSIGN_OR_RETURN(auto db, pool_.Borrow());
    return ClockOffsetFromDatabase(*db, clock_);
  }();
  if (!offset) {
    Log(LogLevel::kWarn, "clock_check_failed", {{"error", offset.error().message()}});
    return;
  }
  offset_ms_.store(offset->count(), std::memory_order_relaxed);
  const bool now_in_step = std::chrono::abs(*offset) <= tolerance_;
  const bool was_in_step = in_step_.exchange(now_in_step, std::memory_order_acq_rel);
  if (was_in_step && !now_in_step) {
    Log(LogLevel::kError, "clock_out_of_step",
        {{"offset_ms", static_cast<long long>(offset->count())},
         {"tolerance_s", static_cast<long long>(tolerance_.count())},
         {"effect", "API refused (503) until the clock is set right (NTP)"}});
  } else if (!was_in_step && now_in_step) {
    Log(LogLevel::kWarn, "clock_back_in_step",
        {{"offset_ms", static_cast<long long>(offset->count())}});
  }
}

}  // namespace vigie::store
