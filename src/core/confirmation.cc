#include "core/confirmation.h"

#include <utility>

namespace vigie {

bool Confirmation::Confirm(std::function<void()> before_release) {
  std::function<void()> wake;
  {
    std::lock_guard lock(mutex_);
    if (outcome_) return false;
    outcome_.emplace();
    before_release_ = std::move(before_release);
    wake = std::move(wake_);
  }
  settled_.notify_all();
  if (wake) wake();
  return true;
}

void Confirmation::Refuse(Error error) {
  std::function<void()> wake;
  {
    std::lock_guard lock(mutex_);
    if (outcome_) return;
    outcome_.emplace(std::unexpected(std::move(error)));
    wake = std::move(wake_);
  }
  settled_.notify_all();
  if (wake) wake();
}

void Confirmation::OnSettled(std::function<void()> wake) {
  {
    std::lock_guard lock(mutex_);
    if (!outcome_) {
      wake_ = std::move(wake);
      return;
    }
  }
  wake();
}

Result<void> Confirmation::Conclude(std::function<void()>& step) {
  std::lock_guard lock(mutex_);
  if (!outcome_) {
    // Security: fail closed. An answer arriving later only means the event
    // was recorded for a response that was never sent, which over-reports.
    outcome_.emplace(Fail(ErrorCode::kUnavailable, "the audit log did not confirm in time"));
  }
  wake_ = nullptr;  // never called now: drop what it holds
  if (*outcome_) step = std::move(before_release_);
  return *outcome_;
}

Result<void> Confirmation::WaitKeepingStep(std::function<void()>& step) {
  {
    std::unique_lock lock(mutex_);
    settled_.wait_until(lock, deadline_, [this] { return outcome_.has_value(); });
  }
  return Conclude(step);
}

Result<void> Confirmation::Wait() {
  std::function<void()> step;
  Result<void> outcome = WaitKeepingStep(step);
  if (outcome && step) step();
  return outcome;
}

}  // namespace vigie
