#include "identity/password_hasher.h"

namespace vigie::identity {

Result<std::string> InlinePasswordHasher::Hash(std::string_view password,
                                               const crypto::Argon2Params& params) {
  return crypto::HashPassword(password, params);
}

Result<bool> InlinePasswordHasher::Verify(std::string_view phc, std::string_view password) {
  return crypto::VerifyPassword(phc, password);
}

// A job lives on the submitting thread's stack; that thread waits until the
// worker marks it done (or the pool drops it), so the pointers stay valid.
struct PasswordHasherPool::Job {
  const std::function<void()>* work;
  bool done = false;
  bool dropped = false;
  std::condition_variable finished;
};

PasswordHasherPool::PasswordHasherPool(size_t threads, size_t queue_capacity)
    : queue_capacity_(queue_capacity) {
  if (threads == 0) threads = 1;
  // Every worker counts as idle from the start, so work submitted before a
  // thread has reached its first wait is not refused.
  idle_ = threads;
  workers_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

PasswordHasherPool::~PasswordHasherPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (Job* job : queue_) {
      job->dropped = true;
      job->finished.notify_one();
    }
    queue_.clear();
  }
  wake_.notify_all();
  for (std::thread& worker : workers_) worker.join();
  std::unique_lock lock(mutex_);
  callers_left_.wait(lock, [this] { return callers_ == 0; });
}

size_t PasswordHasherPool::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

size_t PasswordHasherPool::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

void PasswordHasherPool::WorkerLoop() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_ && queue_.empty()) return;
    Job* job = queue_.front();
    queue_.pop_front();
    --idle_;
    ++running_;
    lock.unlock();
    (*job->work)();
    lock.lock();
    --running_;
    ++idle_;
    job->done = true;
    job->finished.notify_one();
  }
}

PasswordHasher::Room::~Room() {
  if (pool_ != nullptr) pool_->GiveBack();
}

// Security: the bound that keeps a login flood from queueing unbounded work
// (each queued job pins a request and, once running, m_cost of memory).
bool PasswordHasherPool::Full() const {
  return queue_.size() + reserved_ >= queue_capacity_ + idle_;
}

namespace {

Error TooManyLogins() {
  return Error(ErrorCode::kResourceExhausted, "too many logins in progress; try again shortly");
}

}  // namespace

Result<PasswordHasher::Room> PasswordHasherPool::Reserve() {
  std::lock_guard lock(mutex_);
  if (stopping_) return Fail(ErrorCode::kUnavailable, "password hashing pool is shutting down");
  if (Full()) return Fail(TooManyLogins());
  ++reserved_;
  return Room(this);
}

void PasswordHasherPool::GiveBack() {
  std::lock_guard lock(mutex_);
  --reserved_;
}

Result<void> PasswordHasherPool::RunOnWorker(const std::function<void()>& work, bool in_room) {
  Job job{.work = &work};
  std::unique_lock lock(mutex_);
  if (in_room) --reserved_;  // the job takes the place its Room held
  if (stopping_) return Fail(ErrorCode::kUnavailable, "password hashing pool is shutting down");
  if (!in_room && Full()) return Fail(TooManyLogins());
  queue_.push_back(&job);
  wake_.notify_one();
  ++callers_;
  job.finished.wait(lock, [&job] { return job.done || job.dropped; });
  if (--callers_ == 0 && stopping_) callers_left_.notify_all();
  if (job.dropped) return Fail(ErrorCode::kUnavailable, "password hashing pool is shutting down");
  return {};
}

Result<std::string> PasswordHasherPool::Hash(std::string_view password,
                                             const crypto::Argon2Params& params) {
  Result<std::string> result = Fail(ErrorCode::kInternal, "not run");
  std::function<void()> work = [&] { result = crypto::HashPassword(password, params); };
  RETURN_IF_ERROR(RunOnWorker(work));
  return result;
}

Result<bool> PasswordHasherPool::Verify(std::string_view phc, std::string_view password) {
  Result<bool> result = Fail(ErrorCode::kInternal, "not run");
  std::function<void()> work = [&] { result = crypto::VerifyPassword(phc, password); };
  RETURN_IF_ERROR(RunOnWorker(work));
  return result;
}

Result<bool> PasswordHasherPool::VerifyInRoom(Room& room, std::string_view phc,
                                              std::string_view password,
                                              std::chrono::nanoseconds* hashing) {
  // A Room from elsewhere (another pool, or none) holds nothing here.
  const bool in_room = room.pool_ == this;
  if (in_room) room.pool_ = nullptr;
  Result<bool> result = Fail(ErrorCode::kInternal, "not run");
  std::function<void()> work = [&] {
    const auto started = std::chrono::steady_clock::now();  // on the worker: no queue
    result = crypto::VerifyPassword(phc, password);
    if (hashing != nullptr) *hashing = std::chrono::steady_clock::now() - started;
  };
  RETURN_IF_ERROR(RunOnWorker(work, in_room));
  return result;
}

}  // namespace vigie::identity
