#pragma once
// Confirmation: an answer another thread gives later - that a consultation's
// audit event is durable - which a response waits for before it leaves
// (DESIGN invariant 1). A blocking caller Waits; the HTTP server's
// connections are woken by a callback instead, so no thread is held while
// the audit log commits.
//
// A confirmation carries its deadline: an answer not given by then counts as
// a refusal (Unavailable), whatever comes later. A confirmation may carry a
// step to run once confirmed and before the response leaves (detection
// judging the event); the waiter runs it, on a thread that may block.
//
// Thread-safety: every method may be called from any thread. Only the first
// Confirm or Refuse counts; OnSettled is called at most once per object.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>

#include "core/error.h"

namespace vigie {

class Confirmation {
 public:
  using Deadline = std::chrono::steady_clock::time_point;

  explicit Confirmation(Deadline deadline) : deadline_(deadline) {}
  Confirmation(const Confirmation&) = delete;
  Confirmation& operator=(const Confirmation&) = delete;

  // The answer. `before_release` runs on the waiter's thread once it sees
  // the confirmation, before anything is released. Returns false when the
  // answer came too late to count (the deadline passed, or another answer
  // came first): `before_release` is then dropped, and a caller whose step
  // must run all the same (detection of an event that is in the log) runs
  // it another way.
  bool Confirm(std::function<void()> before_release = {});
  void Refuse(Error error);

  Deadline deadline() const { return deadline_; }

  // Calls `wake` once an answer is given: at once, on this thread, if it
  // already was; otherwise on the thread that gives it. `wake` must be quick
  // and must not throw. It is not called when no answer ever comes: waiters
  // also wait for the deadline.
  void OnSettled(std::function<void()> wake);

  // The outcome as it stands now, final from then on: the answer if one was
  // given, else Unavailable (the deadline passed, or the waiter gave up).
  // On success, moves the before-release step (possibly empty) to `step`.
  Result<void> Conclude(std::function<void()>& step);

  // Blocks until answered or the deadline, runs the before-release step of a
  // confirmation, and returns the outcome (Unavailable when the deadline came
  // first).
  Result<void> Wait();
  // As Wait, but the before-release step of a confirmation is moved to
  // `step` instead of run: for a waiter that must first leave where it is
  // (a transaction whose locks the step would wait on).
  Result<void> WaitKeepingStep(std::function<void()>& step);

 private:
  const Deadline deadline_;
  std::mutex mutex_;
  std::condition_variable settled_;
  std::optional<Result<void>> outcome_;
  std::function<void()> before_release_;
  std::function<void()> wake_;
};

}  // namespace vigie
