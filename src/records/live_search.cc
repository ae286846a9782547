#include "records/live_search.h"

#include <algorithm>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/log.h"
#include "core/stoppable_sleep.h"
#include "store/advisory_key.h"

namespace vigie::records {
namespace {

// A build's statements each read a page, or count every entry: minutes, not
// a request's seconds, and still an end if the server stops answering.
constexpr int kBuildStatementTimeoutMs = 600'000;

// On PostgreSQL, the nodes sharing the database take turns to build: a
// session lock on the follower's connection, let go after the swap (or
// with the connection), keyed by the schema the records are in (one
// portal's nodes share it; another installation on the same server does
// not wait for them). SQLite has one node.
constexpr const char* kBuildLock =
    "hashtextextended('vigie search index build ' || current_schema(), 0)";

class BuildTurn {
 public:
  static Result<bool> Take(store::Connection& db) {
    if (db.dialect() != store::Dialect::kPostgres) return true;
    // A node that vanishes mid-build does not hold every other node's turn
    // for long: every session sets store::kSessionKeepalives.
    ASSIGN_OR_RETURN(bool taken, Run(db, "pg_try_advisory_lock"));
    return taken;
  }

  explicit BuildTurn(store::Connection& db) : db_(db) {}
  BuildTurn(const BuildTurn&) = delete;
  BuildTurn& operator=(const BuildTurn&) = delete;
  ~BuildTurn() {
    if (db_.dialect() != store::Dialect::kPostgres) return;
    try {
      // False: the session was replaced under the build (a reconnection),
      // so another node may have built meanwhile. Errors: the connection
      // goes, and the lock with it.
      if (auto held = Run(db_, "pg_advisory_unlock"); held && !*held) {
        Log(LogLevel::kWarn, "search_index_build_turn_lost");
      }
    } catch (const std::exception&) {  // no memory left to say so
    }
  }

 private:
  static Result<bool> Run(store::Connection& db, std::string_view function) {
    ASSIGN_OR_RETURN(store::Statement * call,
                     db.Prepare("SELECT " + std::string(function) + "(" + kBuildLock + ")"));
    ASSIGN_OR_RETURN(bool row, call->Step());
    const bool result = row && call->ColumnInt(0) != 0;
    RETURN_IF_ERROR(call->Run());
    return result;
  }

  store::Connection& db_;
};

}  // namespace

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

bool LiveSearch::WaitForGeneration(int64_t generation, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return swapped_.wait_for(lock, timeout, [&] { return generation_ >= generation; });
}

Result<bool> LiveSearch::Refresh(store::Connection& db, RecordRepository& repository,
                                 const RecordsChanged& on_records_changed,
                                 const std::stop_token& stop) {
  ASSIGN_OR_RETURN(int64_t latest, repository.Generation());
  if (pending_ && pending_generation_ != latest) pending_.reset();  // its memory back first
  if (latest == generation()) return false;
  // Watched from the moment the change is seen: the new records may already
  // be findable on a node that built first, and open by id on this one.
  if (on_records_changed) RETURN_IF_ERROR(on_records_changed(db));
  std::optional<BuildTurn> holding;
  if (!pending_) {
    ASSIGN_OR_RETURN(bool turn, BuildTurn::Take(db));
    if (!turn) {  // another node is building: this one's turn comes
      NoteTurnRefused();
      return false;
    }
    holding.emplace(db);
    turn_refused_since_.reset();
    turn_wait_logged_ = false;
  }
  const auto started = std::chrono::steady_clock::now();
  if (!pending_) {
    ASSIGN_OR_RETURN(RecordSearch built, RecordSearch::Load(repository, {}, stop));
    pending_ = std::make_shared<const RecordSearch>(std::move(built));
    pending_generation_ = latest;
  }
  // Again: a plant that committed during the build is in the index.
  if (on_records_changed) RETURN_IF_ERROR(on_records_changed(db));
  std::shared_ptr<const RecordSearch> before = std::move(pending_);
  {
    std::lock_guard lock(mutex_);
    std::swap(current_, before);
    generation_ = latest;
  }
  swapped_.notify_all();
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  Log(LogLevel::kInfo, "search_index_reloaded",
      {{"generation", latest},
       {"ms", static_cast<long long>(took.count())},
       {"bytes", memory_bytes()}});
  // Freed here rather than by a search still holding it (searches take well
  // under a millisecond): releasing that much memory takes time no request
  // should wait for.
  for (int waited = 0; before.use_count() > 1 && waited < 100 && !stop.stop_requested(); ++waited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

void LiveSearch::NoteTurnRefused() {
  // Another node's build lasts minutes at most: far longer, its session may
  // outlive it (docs/operations.md, "Records").
  constexpr auto kLongWait = std::chrono::minutes(10);
  const auto now = std::chrono::steady_clock::now();
  if (!turn_refused_since_) turn_refused_since_ = now;
  if (now - *turn_refused_since_ >= kLongWait && !turn_wait_logged_) {
    Log(LogLevel::kWarn, "search_index_build_waiting",
        {{"minutes", static_cast<long long>(kLongWait.count())}, {"generation", generation()}});
    turn_wait_logged_ = true;
  }
}

void LiveSearch::Follow(FollowOptions options) {
  if (options.check_interval.count() <= 0 || options.keyring == nullptr) return;
  options.open.statement_timeout_ms = kBuildStatementTimeoutMs;
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
  while (SleepUnlessStopped(stop, wait)) {
    auto check = [&]() -> Result<bool> {
      if (!repository) {
        ASSIGN_OR_RETURN(db, store::Open(options.database_url, options.open));
        ASSIGN_OR_RETURN(RecordRepository opened, RecordRepository::Create(*db, *options.keyring));
        repository = std::make_unique<RecordRepository>(std::move(opened));
      }
      return Refresh(*db, *repository, options.on_records_changed, stop);
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
