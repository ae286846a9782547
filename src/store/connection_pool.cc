#include "store/connection_pool.h"

namespace vigie::store {

ConnectionPool::ConnectionPool(std::string url, OpenOptions options, size_t capacity,
                               std::chrono::milliseconds wait)
    : url_(std::move(url)),
      options_(options),
      capacity_(capacity == 0 ? 1 : capacity),
      wait_(wait) {}

ConnectionPool::Lease::~Lease() {
  if (pool_ != nullptr && connection_ != nullptr) pool_->GiveBack(std::move(connection_));
}

Result<ConnectionPool::Lease> ConnectionPool::Borrow() {
  std::unique_lock lock(mutex_);
  bool available =
      returned_.wait_for(lock, wait_, [&] { return !idle_.empty() || opened_ < capacity_; });
  if (!available) return Fail(ErrorCode::kUnavailable, "no database connection free");
  if (!idle_.empty()) {
    std::unique_ptr<Connection> connection = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(connection));
  }
  ++opened_;  // reserve the slot, then open without holding the lock
  lock.unlock();
  auto connection = Open(url_, options_);
  if (!connection) {
    lock.lock();
    --opened_;
    returned_.notify_one();
    return std::unexpected(connection.error());
  }
  return Lease(this, std::move(*connection));
}

void ConnectionPool::GiveBack(std::unique_ptr<Connection> connection) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(connection));
  }
  returned_.notify_one();
}

size_t ConnectionPool::opened() const {
  std::lock_guard lock(mutex_);
  return opened_;
}

}  // namespace vigie::store
