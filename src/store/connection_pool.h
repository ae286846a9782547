#pragma once
// A bounded pool of database connections for a server: each request borrows
// one for its duration and gives it back, so N worker threads share at most
// `capacity` connections and never two threads use one at once.
//
// Connections are opened lazily with the pool's URL and options, up to
// `capacity`. A borrower waits (bounded by `wait`) when all are lent.
// Ownership: the pool owns every connection; a Lease lends one and returns
// it on destruction, ending whatever its borrower left open (a transaction,
// a result read halfway). The pool must outlive its leases.
// Thread-safety: Borrow may be called from any thread.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/store.h"

namespace vigie::store {

class ConnectionPool {
 public:
  ConnectionPool(std::string url, OpenOptions options, size_t capacity,
                 std::chrono::milliseconds wait = std::chrono::seconds(5));
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  class Lease {
   public:
    Lease(Lease&& other) noexcept : pool_(other.pool_), connection_(std::move(other.connection_)) {
      other.pool_ = nullptr;
    }
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Connection& operator*() const { return *connection_; }
    Connection* operator->() const { return connection_.get(); }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::unique_ptr<Connection> connection)
        : pool_(pool), connection_(std::move(connection)) {}
    ConnectionPool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  // A connection for the caller's exclusive use. Errors: Unavailable when
  // none frees up within `wait` or a new one cannot be opened.
  Result<Lease> Borrow();

  size_t opened() const;

 private:
  void GiveBack(std::unique_ptr<Connection> connection);

  const std::string url_;
  const OpenOptions options_;
  const size_t capacity_;
  const std::chrono::milliseconds wait_;
  mutable std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Connection>> idle_;
  size_t opened_ = 0;
};

}  // namespace vigie::store
