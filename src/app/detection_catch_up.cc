#include "app/detection_catch_up.h"

#include <algorithm>

#include "app/detection_response.h"
#include "core/log.h"
#include "detect/judged_mark.h"
#include "store/retry.h"

namespace vigie::app {
namespace {

// Long enough for a database busy or restarting as the node starts.
constexpr std::chrono::seconds kStartPatience{5};

// Past this many events to read again, the log says how many before it starts.
constexpr uint64_t kLongCatchUp = 1'000'000;

}  // namespace

Result<std::unique_ptr<DetectionCatchUp>> DetectionCatchUp::Start(Portal& portal,
                                                                  store::ConnectionPool& pool,
                                                                  const Clock& clock,
                                                                  Options options) {
  DetectionResponse* detection = portal.detection();
  if (detection == nullptr) {
    RETURN_IF_ERROR(store::RetryWithin(kStartPatience, [&]() -> Result<void> {
      ASSIGN_OR_RETURN(auto db, pool.Borrow());
      return detect::ForgetJudgedMark(*db, options.node_id);
    }));
    return nullptr;
  }
  ASSIGN_OR_RETURN(
      std::optional<detect::JudgedMark> mark,
      store::RetryWithin(kStartPatience, [&]() -> Result<std::optional<detect::JudgedMark>> {
        ASSIGN_OR_RETURN(auto db, pool.Borrow());
        return detect::ReadJudgedMark(*db, options.node_id);
      }));
  const uint64_t log_end = portal.parts().audit->stats().size;
  const uint64_t from = mark ? std::min(mark->next_sequence, log_end) : log_end;
  const int64_t until =
      mark ? mark->written_at_unix_micros + std::chrono::duration_cast<std::chrono::microseconds>(
                                                options.interval + options.clock_slack)
                                                .count()
           : 0;
  if (log_end - from > kLongCatchUp) {
    Log(LogLevel::kWarn, "detect_catching_up",
        {{"from_sequence", from}, {"log_size", log_end}, {"node_id", options.node_id}});
  }
  ASSIGN_OR_RETURN(DetectionResponse::JudgedAgain again,
                   detection->JudgeAgain(from, log_end, options.node_id, until));
  if (from < log_end) {
    Log(LogLevel::kInfo, "detect_caught_up",
        {{"from_sequence", from},
         {"read_to_sequence", again.read_to},
         {"log_size", log_end},
         {"events_judged", again.judged}});
  }
  std::unique_ptr<DetectionCatchUp> catch_up(
      new DetectionCatchUp(*detection, pool, clock, std::move(options)));
  catch_up->WriteMark();
  catch_up->keeper_ = std::thread([keeper = catch_up.get()] { keeper->KeepMark(); });
  return catch_up;
}

DetectionCatchUp::DetectionCatchUp(DetectionResponse& detection, store::ConnectionPool& pool,
                                   const Clock& clock, Options options)
    : detection_(detection), pool_(pool), clock_(clock), options_(std::move(options)) {}

DetectionCatchUp::~DetectionCatchUp() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (keeper_.joinable()) keeper_.join();
  WriteMark();
}

void DetectionCatchUp::KeepMark() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, options_.interval, [this] { return stopping_; })) {
    // Written every interval, moved or not: its time bounds what a restart reads.
    lock.unlock();
    WriteMark();
    lock.lock();
  }
}

void DetectionCatchUp::WriteMark() {
  const uint64_t next = detection_.NextToJudge();
  auto written = [&]() -> Result<void> {
    ASSIGN_OR_RETURN(auto db, pool_.Borrow());
    return detect::WriteJudgedMark(
        *db, options_.node_id,
        {.next_sequence = next, .written_at_unix_micros = UnixMicros(clock_.Now())});
  }();
  if (!written && !write_failing_) {
    Log(LogLevel::kError, "detect_mark_not_written", {{"error", written.error().message()}});
  } else if (written && write_failing_) {
    Log(LogLevel::kInfo, "detect_mark_written_again", {});
  }
  write_failing_ = !written;
}

}  // namespace vigie::app
