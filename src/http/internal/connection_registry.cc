#include "http/internal/connection_registry.h"

#include <vector>

namespace vigie::http::internal {

uint64_t ConnectionRegistry::Add(ListenerRole role, std::weak_ptr<ConnectionControl> connection) {
  std::lock_guard lock(mutex_);
  uint64_t id = next_id_++;
  entries_.emplace(id, Entry{role, std::move(connection)});
  if (role == ListenerRole::kApi) ++api_count_;
  return id;
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
