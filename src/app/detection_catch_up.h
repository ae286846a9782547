#pragma once
// DetectionCatchUp: a serving node's detection across its restarts. An
// event is durable before it is judged, so a node stopped in between (a
// crash, a kill, a power cut) would leave it never judged: a decoy opened or
// a sweep begun just then would raise no alert. The node therefore keeps a
// mark of how far it has judged (detect/judged_mark.h: below it, every event
// its server recorded was judged), written every `interval` and when it
// stops, and on starting judges its events from the mark on again, passing
// over the alerts already raised (DetectionResponse::JudgeAgain).
//
// The events read again end at the first one of the node, or the 65 536th
// in a row of any node, stamped later than the mark's time plus `interval`
// plus `clock_slack`: a node stops at most an interval after its last mark,
// so any later one was written after it stopped (its stamp precedes its
// commit; the slack covers nodes' clocks, which `vigie serve` holds within
// 30 s, and a mark written late). Any event stamped in time, of any node,
// starts the count of 65 536 again: another node's clock jumped ahead ends
// the read before this node's own events only if no event in time came
// between that node's 65 536.
//
// Thread-safety: one owner; the mark is written on a thread of its own.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "app/portal.h"
#include "core/clock.h"
#include "core/error.h"
#include "store/connection_pool.h"

namespace vigie::app {

class DetectionCatchUp {
 public:
  struct Options {
    std::string node_id;  // whose events ([audit] node_id)
    std::chrono::milliseconds interval{2000};
    std::chrono::seconds clock_slack{120};
  };

  // Before the node serves: judges its events from its mark on (none the
  // first time: the mark starts at the log's end), then keeps the mark.
  // With detection off, forgets the node's mark (what it writes meanwhile
  // is never judged) and returns null. Errors: the mark or the log cannot
  // be read (each read tried again for a moment first), an event cannot be
  // decoded.
  static Result<std::unique_ptr<DetectionCatchUp>> Start(Portal& portal,
                                                         store::ConnectionPool& pool,
                                                         const Clock& clock, Options options);
  // Stops the thread and writes the mark once more.
  ~DetectionCatchUp();
  DetectionCatchUp(const DetectionCatchUp&) = delete;
  DetectionCatchUp& operator=(const DetectionCatchUp&) = delete;

 private:
  DetectionCatchUp(DetectionResponse& detection, store::ConnectionPool& pool, const Clock& clock,
                   Options options);
  void KeepMark();
  void WriteMark();

  DetectionResponse& detection_;
  store::ConnectionPool& pool_;
  const Clock& clock_;
  const Options options_;
  bool write_failing_ = false;  // the keeper thread's, then the destructor's
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread keeper_;
};

}  // namespace vigie::app
