#include "bench/api_load/agent_pool.h"

namespace vigie::bench {

AgentPool::AgentPool(std::vector<AgentCredential>& agents, bool cycle)
    : agents_(agents), cycle_(cycle), busy_(agents.size(), false) {}

std::variant<AgentPool::Lease, AgentPool::Wait, AgentPool::Finished> AgentPool::Take(
    int64_t unix_now) {
  std::lock_guard lock(mutex_);
  if (!cycle_ && handed_out_ == agents_.size()) return Finished{};
  for (size_t tried = 0; tried < agents_.size(); ++tried) {
    size_t index = next_;
    next_ = (next_ + 1) % agents_.size();
    if (busy_[index]) continue;
    std::optional<std::string> code = TakeTotpCode(agents_[index], unix_now);
    if (!code) continue;
    busy_[index] = true;
    ++handed_out_;
    return Lease{.index = index,
                 .service_number = agents_[index].service_number,
                 .password = agents_[index].password,
                 .totp_code = std::move(*code)};
  }
  return Wait{};
}

void AgentPool::Release(size_t index) {
  std::lock_guard lock(mutex_);
  // In one pass an agent stays taken: it is never handed out twice.
  if (cycle_) busy_[index] = false;
}

}  // namespace vigie::bench
