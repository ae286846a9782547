#include "http/internal/connection_registry.h"

#include <vector>

namespace vigie::http::internal {

ConnectionRegistry::Admission ConnectionRegistry::Admit(ListenerRole role, size_t max) const {
  std::lock_guard lock(mutex_);
  if (role != ListenerRole::kApi) {
    return entries_.size() - api_count_ < max ? Admission::kPlace : Admission::kRefused;
  }
  if (HeldApiPlaces() < max) return Admission::kPlace;
  return on_probation_ < kMaxOnProbation ? Admission::kProbation : Admission::kRefused;
}

uint64_t ConnectionRegistry::Add(ListenerRole role, std::weak_ptr<ConnectionControl> connection,
                                 bool on_probation) {
  std::lock_guard lock(mutex_);
  uint64_t id = next_id_++;
  on_probation = on_probation && role == ListenerRole::kApi;
  entries_.emplace(
      id, Entry{.role = role, .connection = std::move(connection), .on_probation = on_probation});
  if (role == ListenerRole::kApi) ++api_count_;
  if (on_probation) ++on_probation_;
  return id;
}

bool ConnectionRegistry::MakeRoom(uint64_t id, size_t max) {
  std::shared_ptr<ConnectionControl> chosen;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(id);
    if (it == entries_.end()) return false;
    if (!it->second.on_probation) return true;
    if (HeldApiPlaces() >= max) {
      Entry* longest = nullptr;
      for (auto& [other_id, entry] : entries_) {
        if (entry.role != ListenerRole::kApi || entry.on_probation || entry.evicting ||
            !entry.idle_since) {
          continue;
        }
        if (longest == nullptr || *entry.idle_since < *longest->idle_since) longest = &entry;
      }
      if (longest == nullptr) return false;
      chosen = longest->connection.lock();
      if (chosen == nullptr) return false;
      longest->evicting = true;
      ++evicting_;
    }
    it->second.on_probation = false;
    --on_probation_;
  }
  // Outside the lock, as InterruptAll.
  if (chosen) chosen->Interrupt(false);
  return true;
}

bool ConnectionRegistry::SetIdle(uint64_t id, bool idle) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return false;
  if (!idle) {
    it->second.idle_since.reset();
  } else if (!it->second.idle_since) {
    it->second.idle_since = std::chrono::steady_clock::now();
  }
  return idle && it->second.evicting;
}

bool ConnectionRegistry::Claim(uint64_t id, const std::string& network, size_t max) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return false;
  if (it->second.network) return true;  // counted already
  size_t& held = per_network_[network];
  if (held >= max) {
    if (held == 0) per_network_.erase(network);
    return false;
  }
  ++held;
  it->second.network = network;
  return true;
}

bool ConnectionRegistry::Remove(uint64_t id) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  if (it != entries_.end()) {
    if (it->second.role == ListenerRole::kApi) --api_count_;
    if (it->second.on_probation) --on_probation_;
    if (it->second.evicting) --evicting_;
    if (it->second.network) {
      auto held = per_network_.find(*it->second.network);
      if (held != per_network_.end() && --held->second == 0) per_network_.erase(held);
    }
    entries_.erase(it);
  }
  return entries_.empty();
}

size_t ConnectionRegistry::Count(ListenerRole role) const {
  std::lock_guard lock(mutex_);
  return role == ListenerRole::kApi ? api_count_ : entries_.size() - api_count_;
}

bool ConnectionRegistry::Empty() const {
  std::lock_guard lock(mutex_);
  return entries_.empty();
}

void ConnectionRegistry::InterruptAll(bool force) const {
  std::vector<std::shared_ptr<ConnectionControl>> live;
  {
    std::lock_guard lock(mutex_);
    live.reserve(entries_.size());
    for (const auto& [id, entry] : entries_) {
      if (auto c = entry.connection.lock()) live.push_back(std::move(c));
    }
  }
  // Outside the lock: Interrupt posts, and a connection ending may Remove().
  for (const auto& c : live) c->Interrupt(force);
}

}  // namespace vigie::http::internal
