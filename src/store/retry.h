#pragma once
// Running a write transaction again when PostgreSQL aborted it to keep
// SERIALIZABLE's promise. Writers there run side by side, and when two
// overlap in a way that no serial order explains — or merely share an index
// page, since PostgreSQL's predicate locks are coarse — one of them fails
// with a serialization failure (SQLSTATE 40001) or a deadlock (40P01),
// reported as Unavailable. Nothing of it was written, so doing it again is
// safe and usually succeeds. (SQLite's writers queue up front and never see
// one.) Without this, concurrent logins on PostgreSQL were sometimes
// answered 503.
// Thread-safety: all thread-safe (the conflict count is one atomic).

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <thread>

#include "core/error.h"

namespace vigie::store {

// True for a serialization failure or a deadlock, whatever context was added.
bool IsTransactionConflict(const Error& error);

// Enough that a burst of logins on a loaded machine gets through (ten were
// not, with a few dozen writers on two cores); at most about two seconds of
// pauses before the conflict is reported.
inline constexpr int kConflictAttempts = 30;

// A short pause before attempt `attempt` + 1 (random, growing: 1–2 ms, 2–4 ms, …
// then 32–64 ms each time), so the transactions that collided do not collide
// again in step.
void PauseAfterConflict(int attempt);

// Transaction conflicts met by RetryOnConflict in this process so far
// (retried or finally reported): for operators' metrics, and for tests that
// show a path does not conflict.
int64_t TransactionConflictsSeen();
void CountTransactionConflict();

// Runs `transaction` — a whole transaction, Begin to Commit, with no effect
// outside the database but audit events (recorded twice, a retried act only
// over-reports) — and runs it again, up to kConflictAttempts times in all,
// while it fails with a transaction conflict.
template <class F>
auto RetryOnConflict(F&& transaction) -> decltype(transaction()) {
  for (int attempt = 1;; ++attempt) {
    auto result = transaction();
    if (result || !IsTransactionConflict(result.error())) return result;
    CountTransactionConflict();
    if (attempt == kConflictAttempts) return result;
    PauseAfterConflict(attempt);
  }
}

// True for a failure that may pass by itself (Unavailable): a database busy,
// restarting or briefly out of reach, or a transaction conflict.
bool MayPass(const Error& error);

// Runs `attempt` — a read, or a write that may be done twice — and runs it
// again, after pauses growing from 50 ms to at most 1 s, while it fails with
// what may pass and the next pause still ends within `budget`.
template <class F>
auto RetryWithin(std::chrono::milliseconds budget, F&& attempt) -> decltype(attempt()) {
  const auto due = std::chrono::steady_clock::now() + budget;
  auto result = attempt();
  for (auto pause = std::chrono::milliseconds(50);
       !result && MayPass(result.error()) && std::chrono::steady_clock::now() + pause < due;
       pause = std::min(2 * pause, std::chrono::milliseconds(1000))) {
    std::this_thread::sleep_for(pause);
    result = attempt();
  }
  return result;
}

}  // namespace vigie::store
