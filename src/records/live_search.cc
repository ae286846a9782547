#include "records/live_search.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <utility>

#include "core/log.h"

namespace vigie::records {

Result<std::unique_ptr<LiveSearch>> LiveSearch::Load(RecordRepository& repository,
                                                     const LoadProgress& progress) {
  ASSIGN_OR_RETURN(int64_t generation, repository.Generation());
  ASSIGN_OR_RETURN(RecordSearch search, RecordSearch::Load(repository, progress));
  return std::unique_ptr<LiveSearch>(new LiveSearch(std::move(search), generation));
}

LiveSearch::LiveSearch(RecordSearch initial, int64_t generation)
    : current_(std::make_shared<const RecordSearch>(std::move(initial))), generation_(generation) {}

LiveSearch::~LiveSearch() = default;

std::shared_ptr<const RecordSearch> LiveSearch::Current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

int64_t LiveSearch::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

Result<bool> LiveSearch::Refresh(store::Connection& db, RecordRepository& repository,
                                 const BeforeSwap& before_swap, const std::stop_token& stop) {
  ASSIGN_OR_RETURN(int64_t latest, repository.Generation());
  if (latest == generation()) return false;
  const auto started = std::chrono::steady_clock::now();
  if (!pending_ || pending_generation_ != latest) {
    pending_.reset();  // an older build: its memory back before the next
    ASSIGN_OR_RETURN(RecordSearch built, RecordSearch::Load(repository, {}, stop));
    pending_ = std::make_shared<const RecordSearch>(std::move(built));
    pending_generation_ = latest;
  }
  if (before_swap) RETURN_IF_ERROR(before_swap(db));
  std::shared_ptr<const RecordSearch> before = std::move(pending_);
  {
    std::lock_guard lock(mutex_);
    std::swap(current_, before);
    generation_ = latest;
  }
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  Log(LogLevel::kInfo, "search_index_reloaded",
      {{"generation", latest},
       {"ms", static_cast<long long>(took.count())},
       {"bytes", memory_bytes()}});
  // Freed here rather than by a search still holding it: releasing that much
  // memory takes time no request should wait for.
  for (int waited = 0; before.use_count() > 1 && waited < 1000; ++waited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

void LiveSearch::Follow(FollowOptions options) {
  if (options.check_interval.count() <= 0 || options.keyring == nullptr) return;
  follower_ = std::jthread(
      [this, options = std::move(options)](std::stop_token stop) { FollowLoop(stop, options); });
}

void LiveSearch::StopFollowing() { follower_ = std::jthread(); }

void LiveSearch::FollowLoop(const std::stop_token& stop, const FollowOptions& options) {
  constexpr std::chrono::milliseconds kLongestWait = std::chrono::minutes(5);
  std::unique_ptr<store::Connection> db;
  std::unique_ptr<RecordRepository> repository;
  std::chrono::milliseconds wait = options.check_interval;
  bool failing = false;
  std::mutex sleep_mutex;
  std::condition_variable_any sleep;
  while (true) {
    {
      std::unique_lock lock(sleep_mutex);
      // Wakes early only to stop.
      sleep.wait_for(lock, stop, wait, [] { return false; });
      if (stop.stop_requested()) return;
    }
    auto check = [&]() -> Result<bool> {
      if (!repository) {
        ASSIGN_OR_RETURN(db, store::Open(options.database_url, options.open));
        ASSIGN_OR_RETURN(RecordRepository opened, RecordRepository::Create(*db, *options.keyring));
        repository = std::make_unique<RecordRepository>(std::move(opened));
      }
      return Refresh(*db, *repository, options.before_swap, stop);
    };
    Result<bool> checked = Fail(ErrorCode::kInternal, "not checked");
    try {
      checked = check();
    } catch (const std::exception& e) {  // e.g. no memory for a second index
      checked = Fail(ErrorCode::kInternal, e.what());
    }
    if (stop.stop_requested()) return;
    if (checked) {
      if (failing) Log(LogLevel::kInfo, "search_index_reload_resumed");
      failing = false;
      wait = options.check_interval;
      continue;
    }
    if (!failing) {
      Log(LogLevel::kWarn, "search_index_reload_failed",
          {{"reason", checked.error().ToString()}, {"generation", generation()}});
    }
    failing = true;
    wait = std::max(std::min(wait * 2, kLongestWait), options.check_interval);
    repository.reset();  // a new connection for the next check
    db.reset();
  }
}

}  // namespace vigie::records
