#include "store/retry.h"

#include <atomic>
#include <random>

namespace vigie::store {
namespace {
std::atomic<int64_t> conflicts_seen{0};
}  // namespace

int64_t TransactionConflictsSeen() { return conflicts_seen.load(std::memory_order_relaxed); }
void CountTransactionConflict() { conflicts_seen.fetch_add(1, std::memory_order_relaxed); }

bool IsTransactionConflict(const Error& error) {
  // The PostgreSQL backend ends every server error's message with its SQLSTATE.
  const std::string& message = error.message();
  return error.code() == ErrorCode::kUnavailable &&
         (message.find("[SQLSTATE 40001]") != std::string::npos ||
          message.find("[SQLSTATE 40P01]") != std::string::npos);
}

bool MayPass(const Error& error) {
  // kConflict is a constraint or a state that forbids the act: it stays.
  return error.code() == ErrorCode::kUnavailable;
}

void PauseAfterConflict(int attempt) {
  thread_local std::minstd_rand jitter(std::random_device{}());
  const int base_us = 1000 << std::min(attempt - 1, 5);
  std::uniform_int_distribution<int> spread(base_us, 2 * base_us);
  std::this_thread::sleep_for(std::chrono::microseconds(spread(jitter)));
}

}  // namespace vigie::store
