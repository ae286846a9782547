#include "app/detection_catch_up.h"

#include <algorithm>

#include "app/detection_response.h"
#include "core/log.h"
#include "detect/judged_mark.h"

namespace vigie::app {
namespace {

int64_t UnixMicros(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

}  // namespace

Result<std::unique_ptr<DetectionCatchUp>> DetectionCatchUp::Start(Portal& portal,
                                                                  store::ConnectionPool& pool,
                                                                  const Clock& clock,
                                                                  Options options) {
  ASSIGN_OR_RETURN(auto db, pool.Borrow());
  DetectionResponse* detection = portal.detection();
  if (detection == nullptr) {
    RETURN_IF_ERROR(detect::ForgetJudgedMark(*db, options.node_id));
    return nullptr;
  }
  ASSIGN_OR_RETURN(std::optional<detect::JudgedMark> mark,
                   detect::ReadJudgedMark(*db, options.node_id));
  const uint64_t log_end = portal.parts().audit->stats().size;
  const uint64_t from = mark ? std::min(mark->next_sequence, log_end) : log_end;
  const int64_t until =
      mark ? mark->written_at_unix_micros + std::chrono::duration_cast<std::chrono::microseconds>(
                                                options.interval + options.clock_slack)
                                                .count()
           : 0;
  ASSIGN_OR_RETURN(uint64_t judged, detection->JudgeAgain(from, log_end, options.node_id, until));
  if (from < log_end) {
    Log(LogLevel::kInfo, "detect_caught_up",
        {{"from_sequence", from}, {"to_sequence", log_end}, {"events_judged", judged}});
  }
  std::unique_ptr<DetectionCatchUp> catch_up(
      new DetectionCatchUp(*detection, pool, clock, std::move(options)));
  catch_up->WriteMark(detection->NextToJudge());
  catch_up->keeper_ = std::thread([keeper = catch_up.get()] { keeper->KeepMark(); });
  return catch_up;
}

DetectionCatchUp::DetectionCatchUp(DetectionResponse& detection, store::ConnectionPool& pool,
                                   const Clock& clock, Options options)
    : detection_(detection),
      pool_(pool),
      clock_(clock),
      options_(std::move(options)),
      previous_(detection.NextToJudge()) {}

DetectionCatchUp::~DetectionCatchUp() {
  uint64_t last;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    last = previous_;
  }
  wake_.notify_all();
  if (keeper_.joinable()) keeper_.join();
  WriteMark(std::min(last, detection_.NextToJudge()));
}

void DetectionCatchUp::KeepMark() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, options_.interval, [this] { return stopping_; })) {
    // Written every interval, moved or not: its time bounds what a restart reads.
    const uint64_t older = previous_;
    previous_ = detection_.NextToJudge();
    lock.unlock();
    WriteMark(older);
    lock.lock();
  }
}

void DetectionCatchUp::WriteMark(uint64_t next_sequence) {
  auto written = [&]() -> Result<void> {
    ASSIGN_OR_RETURN(auto db, pool_.Borrow());
    return detect::WriteJudgedMark(
        *db, options_.node_id,
        {.next_sequence = next_sequence, .written_at_unix_micros = UnixMicros(clock_.Now())});
  }();
  if (!written && !write_failing_) {
    Log(LogLevel::kError, "detect_mark_not_written", {{"error", written.error().message()}});
  } else if (written && write_failing_) {
    Log(LogLevel::kInfo, "detect_mark_written_again", {});
  }
  write_failing_ = !written;
}

}  // namespace vigie::app
