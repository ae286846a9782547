#include "policy/consultations_at_once.h"

#include <mutex>
#include <string>
#include <unordered_map>

namespace vigie::policy {

struct ConsultationsAtOnce::Counts {
  std::mutex mutex;
  std::unordered_map<int64_t, int> under_way;  // no entry: none
};

ConsultationsAtOnce::Slot::Slot(Slot&& other) noexcept
    : counts_(std::move(other.counts_)), agent_id_(other.agent_id_) {}

ConsultationsAtOnce::Slot::~Slot() {
  if (!counts_) return;
  std::lock_guard lock(counts_->mutex);
  auto entry = counts_->under_way.find(agent_id_);
  if (entry != counts_->under_way.end() && --entry->second == 0) counts_->under_way.erase(entry);
}

ConsultationsAtOnce::ConsultationsAtOnce(int limit)
    : limit_(limit), counts_(std::make_shared<Counts>()) {}

Result<ConsultationsAtOnce::Slot> ConsultationsAtOnce::Take(int64_t agent_id) {
  std::lock_guard lock(counts_->mutex);
  int& under_way = counts_->under_way[agent_id];
  if (under_way >= limit_) {
    return Fail(ErrorCode::kResourceExhausted,
                std::to_string(under_way) +
                    " consultations of yours are under way: wait for their answers");
  }
  ++under_way;
  return Slot(counts_, agent_id);
}

}  // namespace vigie::policy
