#pragma once
// Where Argon2id runs. Login and activation call a PasswordHasher; the
// application chooses whether hashing runs on the calling thread
// (InlinePasswordHasher: tools, tests) or on a PasswordHasherPool.
//
// Security: Argon2id costs ~13 ms and ~19 MiB per call by design. On the
// pool, at most `threads` hashes run at once and at most `queue_capacity`
// wait; anything beyond is refused at once with ResourceExhausted. So a flood
// of logins costs at most `threads` cores and threads × m_cost of memory, and
// cannot starve consultations of CPU or memory. The calling thread waits for
// its own result (the HTTP layer runs login handlers off its I/O threads, or
// sizes its pool with this in mind).
//
// Thread-safety: both implementations are thread-safe.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "core/error.h"
#include "crypto/password.h"

namespace vigie::identity {

class PasswordHasherPool;

class PasswordHasher {
 public:
  // A place held on the hasher for one verification to come (Reserve).
  // Given back when destroyed unused. REQUIRES: it does not outlive its
  // hasher.
  class Room {
   public:
    Room() = default;  // from a hasher that never refuses
    Room(Room&& other) noexcept : pool_(std::exchange(other.pool_, nullptr)) {}
    Room& operator=(Room&&) = delete;
    ~Room();

   private:
    friend class PasswordHasherPool;
    explicit Room(PasswordHasherPool* pool) : pool_(pool) {}
    PasswordHasherPool* pool_ = nullptr;
  };

  virtual ~PasswordHasher() = default;
  // crypto::HashPassword, plus ResourceExhausted/Unavailable from a pool.
  virtual Result<std::string> Hash(std::string_view password,
                                   const crypto::Argon2Params& params) = 0;
  // crypto::VerifyPassword, plus ResourceExhausted/Unavailable from a pool.
  virtual Result<bool> Verify(std::string_view phc, std::string_view password) = 0;

  // Security: holds a place for one VerifyInRoom, so that a login can write
  // its attempt down knowing the check will run - a full pool refuses
  // (ResourceExhausted) here, before any trace, known agent or not; never
  // after. A hasher that never refuses holds nothing.
  virtual Result<Room> Reserve() { return Room(); }
  // Verify in the place `room` holds (used up; Unavailable only if the pool
  // is shutting down). `hashing`, if given, gets how long the verification
  // itself took, without any wait for a worker: a refusal padded to a
  // time that followed the queue would tell, by its length, how busy the
  // hasher was when that time was taken (login.cc).
  virtual Result<bool> VerifyInRoom(Room& room, std::string_view phc, std::string_view password,
                                    std::chrono::nanoseconds* hashing = nullptr) {
    (void)room;
    const auto started = std::chrono::steady_clock::now();
    Result<bool> verified = Verify(phc, password);
    if (hashing != nullptr) *hashing = std::chrono::steady_clock::now() - started;
    return verified;
  }
};

// Hashes on the calling thread.
class InlinePasswordHasher final : public PasswordHasher {
 public:
  Result<std::string> Hash(std::string_view password, const crypto::Argon2Params& params) override;
  Result<bool> Verify(std::string_view phc, std::string_view password) override;
};

// N worker threads behind a bounded queue.
class PasswordHasherPool final : public PasswordHasher {
 public:
  // REQUIRES: threads >= 1. queue_capacity may be 0 (only idle workers take
  // work).
  PasswordHasherPool(size_t threads, size_t queue_capacity);
  // Finishes the running hashes; queued ones fail with Unavailable. Returns
  // once those callers have left its lock. REQUIRES: no caller holds a Room
  // or calls in any more (the server ends before its pool).
  ~PasswordHasherPool() override;
  PasswordHasherPool(const PasswordHasherPool&) = delete;
  PasswordHasherPool& operator=(const PasswordHasherPool&) = delete;

  // ResourceExhausted when every worker is busy and the queue is full
  // (places held by Rooms count as queued).
  Result<std::string> Hash(std::string_view password, const crypto::Argon2Params& params) override;
  Result<bool> Verify(std::string_view phc, std::string_view password) override;
  Result<Room> Reserve() override;
  Result<bool> VerifyInRoom(Room& room, std::string_view phc, std::string_view password,
                            std::chrono::nanoseconds* hashing = nullptr) override;

  // Jobs waiting, and jobs running. For metrics and tests.
  size_t queued() const;
  size_t running() const;

 private:
  struct Job;
  friend class PasswordHasher::Room;
  // Runs `work` on a worker and waits for it. ResourceExhausted when full
  // (unless `in_room`: a place was held for it), Unavailable when the pool
  // is shutting down.
  Result<void> RunOnWorker(const std::function<void()>& work, bool in_room = false);
  bool Full() const;  // under mutex_
  void GiveBack();    // a Room's place, unused
  void WorkerLoop();

  const size_t queue_capacity_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job*> queue_;
  // Callers inside RunOnWorker: the destructor waits for those it dropped,
  // who still need mutex_ to leave.
  size_t callers_ = 0;
  std::condition_variable callers_left_;
  size_t idle_ = 0;
  size_t running_ = 0;
  size_t reserved_ = 0;  // places Rooms hold
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace vigie::identity
