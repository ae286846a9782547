#pragma once
// The places for request bodies over max_body_bytes (ServerOptions'
// upload_paths), shared by every connection: at most `max_total` at once and
// at most `max_per_address` per client (ClientNetwork: an IPv6 client's /64).
// Such bodies are read before the handler authenticates anyone (the head may
// be checked first: ServerOptions::upload_admission); without the per-client
// cap, one client holding every place with idle chunked uploads kept the
// leaked-sample check from every security officer.
// Thread-safety: UploadSlots is shared and locks; an UploadSlot belongs to
// one request.

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace vigie::http::internal {

class UploadSlots {
 public:
  bool TryTake(const std::string& address, size_t max_total, size_t max_per_address) {
    std::lock_guard lock(mutex_);
    if (total_ >= max_total) return false;
    size_t& mine = by_address_[address];
    if (mine >= max_per_address) {
      if (mine == 0) by_address_.erase(address);
      return false;
    }
    ++mine;
    ++total_;
    return true;
  }
  void Give(const std::string& address) {
    std::lock_guard lock(mutex_);
    auto it = by_address_.find(address);
    if (it == by_address_.end()) return;
    if (--it->second == 0) by_address_.erase(it);
    --total_;
  }

 private:
  std::mutex mutex_;
  size_t total_ = 0;
  std::unordered_map<std::string, size_t> by_address_;
};

// One request's place, given back when it ends.
class UploadSlot {
 public:
  UploadSlot(UploadSlots& slots, std::string address)
      : slots_(slots), address_(std::move(address)) {}
  UploadSlot(const UploadSlot&) = delete;
  UploadSlot& operator=(const UploadSlot&) = delete;
  ~UploadSlot() { Release(); }
  void Release() {
    if (held_) slots_.Give(address_);
    held_ = false;
  }
  bool TryTake(size_t max_total, size_t max_per_address) {
    return held_ = slots_.TryTake(address_, max_total, max_per_address);
  }

 private:
  UploadSlots& slots_;
  std::string address_;
  bool held_ = false;
};

}  // namespace vigie::http::internal
