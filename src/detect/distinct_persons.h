#pragma once
// The distinct persons an agent met within a sliding time window: each
// person once, with the time they were last met, oldest first, so the count
// moves as persons are met and expire. A person met again only moves to the
// back: repeats cannot push other persons out of a bounded window.
// Thread-safety: none (one per agent, under its shard's lock).

#include <cstddef>
#include <cstdint>
#include <list>
#include <unordered_map>
#include <utility>

namespace vigie::detect {

class DistinctPersons {
 public:
  // Meets `person` at `time`; true if they were not in the window.
  bool Add(int64_t time, int64_t person) {
    auto [it, inserted] = index_.try_emplace(person);
    if (!inserted) met_.erase(it->second);
    met_.emplace_back(time, person);
    it->second = std::prev(met_.end());
    return inserted;
  }
  // Forgets the persons last met before `limit`, then the oldest while more
  // than `max_persons` remain (a bound on memory: keep it above any
  // threshold, so a count over it stays over it).
  void ForgetBefore(int64_t limit, size_t max_persons) {
    while (!met_.empty() && (met_.front().first < limit || met_.size() > max_persons)) {
      index_.erase(met_.front().second);
      met_.pop_front();
    }
  }
  size_t size() const { return met_.size(); }

 private:
  std::list<std::pair<int64_t, int64_t>> met_;  // (last met, person), oldest first
  std::unordered_map<int64_t, std::list<std::pair<int64_t, int64_t>>::iterator> index_;
};

}  // namespace vigie::detect
