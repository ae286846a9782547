#include "http/internal/connection_registry.h"

#include <vector>

namespace vigie::http::internal {
namespace {

using CountByNetwork = std::unordered_map<std::string, size_t>;

size_t Held(const CountByNetwork& counts, const std::string& network) {
  auto it = counts.find(network);
  return it == counts.end() ? 0 : it->second;
}

// One fewer for `network`; a network holding none is forgotten.
void GiveBack(CountByNetwork& counts, const std::string& network) {
  auto it = counts.find(network);
  if (it != counts.end() && --it->second == 0) counts.erase(it);
}

}  // namespace

ConnectionRegistry::Admission ConnectionRegistry::Admit(ListenerRole role, size_t max) const {
  std::lock_guard lock(mutex_);
  if (role != ListenerRole::kApi) {
    return entries_.size() - api_count_ < max ? Admission::kPlace : Admission::kRefused;
  }
  if (HeldApiPlaces() < max) return Admission::kPlace;
  // Room for the waiting ones, and as many again between their accept and
  // their Claim (or cut and closing).
  return on_probation_ < 2 * kMaxOnProbation ? Admission::kProbation : Admission::kRefused;
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

void ConnectionRegistry::EndProbation(Entry& entry) {
  if (!entry.on_probation) return;
  entry.on_probation = false;
  --on_probation_;
  if (entry.network && !entry.cut) --waiting_;
  entry.cut = false;
  if (entry.network) GiveBack(on_probation_per_network_, *entry.network);
}

bool ConnectionRegistry::MakeRoom(uint64_t id, size_t max) {
  std::shared_ptr<ConnectionControl> chosen;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(id);
    if (it == entries_.end() || it->second.cut) return false;
    if (!it->second.on_probation) return true;
    if (HeldApiPlaces() >= max) {
      // Those waiting for a request go first; then those whose client is
      // taking a response (it may be an agent's download under way, or a
      // client keeping its window shut), the one taking longest.
      Entry* longest = nullptr;
      int64_t longest_since = 0;
      bool longest_taking = false;
      for (auto& [other_id, entry] : entries_) {
        if (entry.role != ListenerRole::kApi || entry.on_probation || entry.evicting) continue;
        auto connection = entry.connection.lock();
        if (!connection) continue;
        int64_t since = connection->IdleSinceNanos();
        const bool taking = since == 0;
        if (taking) since = connection->TakingResponseSinceNanos();
        if (since == 0) continue;  // serving a request
        if (longest == nullptr || (longest_taking && !taking) ||
            (longest_taking == taking && since < longest_since)) {
          longest = &entry;
          longest_since = since;
          longest_taking = taking;
          chosen = std::move(connection);
        }
      }
      if (longest == nullptr) return false;
      longest->evicting = true;
      ++evicting_;
    }
    EndProbation(it->second);
  }
  // Outside the lock, as InterruptAll.
  if (chosen) chosen->GiveUpPlace();
  return true;
}

bool ConnectionRegistry::Claim(uint64_t id, const std::string& network, size_t max) {
  std::shared_ptr<ConnectionControl> cut;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(id);
    if (it == entries_.end()) return false;
    if (it->second.network) return true;  // counted already
    const bool on_probation = it->second.on_probation;
    if (Held(per_network_, network) >= max ||
        (on_probation && Held(on_probation_per_network_, network) >= kMaxOnProbationPerNetwork)) {
      return false;
    }
    ++per_network_[network];
    if (on_probation) ++on_probation_per_network_[network];
    it->second.network = network;
    if (it->second.on_probation && ++waiting_ > kMaxOnProbation) {
      // Only now, its network accepted: a client refused here closes nobody.
      cut = CutLongestWaiting(id);
    }
  }
  // Outside the lock, as InterruptAll.
  if (cut) cut->Interrupt(true);
  return true;
}

std::shared_ptr<ConnectionControl> ConnectionRegistry::CutLongestWaiting(uint64_t except) {
  // Ids grow with time: the smallest is the one waiting longest.
  Entry* oldest = nullptr;
  uint64_t oldest_id = 0;
  for (auto& [id, entry] : entries_) {
    if (id == except || !entry.on_probation || !entry.network || entry.cut) continue;
    if (oldest == nullptr || id < oldest_id) {
      oldest = &entry;
      oldest_id = id;
    }
  }
  if (oldest == nullptr) return nullptr;
  oldest->cut = true;
  --waiting_;
  return oldest->connection.lock();
}

bool ConnectionRegistry::Remove(uint64_t id) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  if (it != entries_.end()) {
    if (it->second.role == ListenerRole::kApi) --api_count_;
    EndProbation(it->second);
    if (it->second.evicting) --evicting_;
    if (it->second.network) GiveBack(per_network_, *it->second.network);
    entries_.erase(it);
  }
  return entries_.empty();
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
