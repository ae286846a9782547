#include "store/connection_pool.h"

#include "core/log.h"

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
  // The next borrower must not find itself inside someone else's transaction
  // (its writes would commit or vanish with the other's) nor keep an old
  // snapshot; one that cannot be made fit is closed, its slot freed.
  auto left_open = connection->EndWhatIsLeftOpen();
  if (!left_open || *left_open) {
    Log(LogLevel::kWarn, "database_connection_left_open",
        {{"closed", left_open ? "no" : "yes"},
         {"error", left_open ? std::string() : left_open.error().message()}});
  }
  if (!left_open) connection.reset();
  {
    std::lock_guard lock(mutex_);
    if (connection != nullptr) {
      idle_.push_back(std::move(connection));
    } else {
      --opened_;
    }
  }
  returned_.notify_one();
}

size_t ConnectionPool::opened() const {
  std::lock_guard lock(mutex_);
  return opened_;
}

}  // namespace vigie::store
