#pragma once
// A background thread's pause between rounds that a stop request cuts
// short (std::jthread's stop_token), so stopping never waits out a sleep.
// Thread-safety: call from the thread that owns `stop`'s jthread.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>

namespace vigie {

// Sleeps `duration`, or less if a stop is requested; whether the thread
// should go on (no stop requested).
inline bool SleepUnlessStopped(const std::stop_token& stop, std::chrono::milliseconds duration) {
  std::mutex mutex;
  std::condition_variable_any wake;
  std::unique_lock lock(mutex);
  wake.wait_for(lock, stop, duration, [] { return false; });  // wakes early only to stop
  return !stop.stop_requested();
}

}  // namespace vigie
