#pragma once
// PersonIndexUpkeep: the audit log writer keeping the "who consulted this
// person" index (person_index.h) up with the log, between its batches and
// while idle.
//
// The index lags the log by at most kPersonIndexEvery events (queries scan
// that tail); a failure only makes it lag longer. Further behind (a rebuilt
// index), it catches up kMaxSegmentEvents at a time. Under traffic an
// extension takes the append lock from the batches: it covers what the last
// batch added and kPersonIndexEvery more, so it keeps pace with bulk appends
// and catches up without holding appenders for long; idle, it takes
// kMaxSegmentEvents. After a failure (a missing grant, an event that does
// not decode) it waits kIndexRetryAfter, logged, instead of retrying busily.
//
// Thread-safety: the writer thread's alone, like the connection it uses
// (which must outlive it).

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "store/store.h"

namespace vigie::audit {

// Events between two extensions of the index.
inline constexpr uint64_t kPersonIndexEvery = 4096;
inline constexpr std::chrono::seconds kIndexRetryAfter{10};

class PersonIndexUpkeep {
 public:
  explicit PersonIndexUpkeep(store::Connection& db) : db_(db) {}

  // The index covers `indexed` events, as the log was opened.
  void Opened(uint64_t indexed) { indexed_ = indexed; }
  // The writer left the log at `written_size` after a batch of `batch_size`
  // events (0: idle); `final`: it is stopping, and extends the index once
  // more however little it lags (at most kMaxSegmentEvents), without
  // waiting out a back-off.
  void After(uint64_t written_size, bool final, size_t batch_size);
  // Far enough behind for an extension, and not backing off after a failure.
  bool Behind(uint64_t written_size) const;

 private:
  store::Connection& db_;
  uint64_t indexed_ = 0;  // events the index's chunks cover, as last seen
  std::chrono::steady_clock::time_point next_attempt_{};
};

}  // namespace vigie::audit
