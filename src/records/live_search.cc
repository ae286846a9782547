#include "records/live_search.h"

#include <condition_variable>
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

Result<bool> LiveSearch::Refresh(RecordRepository& repository, const BeforeSwap& before_swap) {
  ASSIGN_OR_RETURN(int64_t latest, repository.Generation());
  if (latest == generation()) return false;
  const auto started = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(RecordSearch built, RecordSearch::Load(repository));
  auto next = std::make_shared<const RecordSearch>(std::move(built));
  if (before_swap) RETURN_IF_ERROR(before_swap());
  {
    std::lock_guard lock(mutex_);
    std::swap(current_, next);
    generation_ = latest;
  }
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  Log(LogLevel::kInfo, "search_index_reloaded",
      {{"generation", latest},
       {"ms", static_cast<long long>(took.count())},
       {"bytes", memory_bytes()}});
  return true;  // `next` (the index before) goes here unless a search still holds it
}

void LiveSearch::Follow(FollowOptions options) {
  if (options.check_interval.count() <= 0 || options.keyring == nullptr) return;
  options.open.statement_timeout_ms = 0;
  follower_ = std::jthread(
      [this, options = std::move(options)](std::stop_token stop) { FollowLoop(stop, options); });
}

void LiveSearch::StopFollowing() { follower_ = std::jthread(); }

void LiveSearch::FollowLoop(std::stop_token stop, const FollowOptions& options) {
  std::unique_ptr<store::Connection> db;
  std::unique_ptr<RecordRepository> repository;
  bool failing = false;
  std::mutex sleep_mutex;
  std::condition_variable_any sleep;
  while (true) {
    {
      std::unique_lock lock(sleep_mutex);
      // Wakes early only to stop.
      if (sleep.wait_for(lock, stop, options.check_interval, [] { return false; }) ||
          stop.stop_requested()) {
        return;
      }
    }
    Result<bool> checked = [&]() -> Result<bool> {
      if (!repository) {
        ASSIGN_OR_RETURN(db, store::Open(options.database_url, options.open));
        ASSIGN_OR_RETURN(RecordRepository opened, RecordRepository::Create(*db, *options.keyring));
        repository = std::make_unique<RecordRepository>(std::move(opened));
      }
      return Refresh(*repository, options.before_swap);
    }();
    if (checked) {
      if (failing) Log(LogLevel::kInfo, "search_index_reload_resumed");
      failing = false;
      continue;
    }
    if (!failing) {
      Log(LogLevel::kWarn, "search_index_reload_failed",
          {{"reason", checked.error().ToString()}, {"generation", generation()}});
    }
    failing = true;
    repository.reset();  // a new connection for the next check
    db.reset();
  }
}

}  // namespace vigie::records
