#pragma once
// The distinct persons an agent met within a sliding time window: every
// meeting (time, person) in order, and how often each person is among them,
// so the count of distinct persons moves as meetings are added and expire.
// Thread-safety: none (one per agent, under its shard's lock).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <utility>

namespace vigie::detect {

class DistinctPersons {
 public:
  // Adds a meeting; true if the person was not in the window.
  bool Add(int64_t time, int64_t person) {
    meetings_.emplace_back(time, person);
    return ++counts_[person] == 1;
  }
  // Forgets the meetings before `limit`, then the oldest while more than
  // `max_meetings` remain (a bound on memory, far beyond any threshold).
  void ForgetBefore(int64_t limit, size_t max_meetings) {
    while (!meetings_.empty() &&
           (meetings_.front().first < limit || meetings_.size() > max_meetings)) {
      auto it = counts_.find(meetings_.front().second);
      if (--it->second == 0) counts_.erase(it);
      meetings_.pop_front();
    }
  }
  size_t size() const { return counts_.size(); }

 private:
  std::deque<std::pair<int64_t, int64_t>> meetings_;
  std::unordered_map<int64_t, uint32_t> counts_;
};

}  // namespace vigie::detect
