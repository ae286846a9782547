#pragma once
// LiveSearch: the search index a running server consults, built again when
// the records change under it (an import, planted canaries), so that new
// persons and notices are found, and corrected or lifted ones shown as they
// are, without a restart.
//
// Every transaction that writes records advances the records' generation
// (RecordRepository::AdvanceGeneration) before it commits. Refresh compares
// it with the generation the current index was built from and, when it
// moved, runs `on_records_changed` (the canaries to watch: read at once, and
// again just before the swap), builds a whole new index beside the current
// one, then swaps. Memory while it builds: the serving index, the new one
// and the build's posting list (~2.7 times the index). On PostgreSQL the
// nodes sharing the database build one at a time (an advisory lock): an
// import never has every node short of memory at once. Follow runs Refresh
// on a thread of its own every `check_interval`, on a connection of its own.
// A search keeps the index it started with.
//
// A build reads page by page, not in one snapshot: an import committing
// meanwhile may leave the new index between the two states, and since the
// generation was read before the build, the next check builds again.
//
// Thread-safety: Current(), generation(), memory_bytes() and
// WaitForGeneration() from any thread; Refresh from one thread at a time
// (the follower's, or a test's).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>

#include "core/error.h"
#include "crypto/crypto.h"
#include "records/record_repository.h"
#include "records/search.h"
#include "store/store.h"

namespace vigie::records {

class LiveSearch {
 public:
  // Builds the first index. Its generation is read before the build, so an
  // import committing meanwhile leaves it behind and the next Refresh builds
  // again. Errors: those of RecordSearch::Load.
  static Result<std::unique_ptr<LiveSearch>> Load(RecordRepository& repository,
                                                  const LoadProgress& progress = {});
  LiveSearch(const LiveSearch&) = delete;
  LiveSearch& operator=(const LiveSearch&) = delete;
  ~LiveSearch();  // stops following first

  std::shared_ptr<const RecordSearch> Current() const;
  int64_t generation() const;
  size_t memory_bytes() const { return Current()->memory_bytes(); }
  // Whether the index reached `generation` (or a later one) within `timeout`.
  bool WaitForGeneration(int64_t generation, std::chrono::milliseconds timeout) const;

  // What must hold before the new records are findable (the canaries a
  // detection watches), read on the connection the build reads from. An
  // error keeps the current index; the next check tries again, with the
  // index already built if the generation has not moved since.
  using RecordsChanged = std::function<Result<void>(store::Connection& db)>;

  // One check on `db` (which `repository` reads): true when a new index
  // replaced the current one; false when nothing changed, or another node
  // is building (PostgreSQL). A stop requested ends a build between its
  // pages and phases (Unavailable). Errors: those of the reads and of
  // `on_records_changed`.
  Result<bool> Refresh(store::Connection& db, RecordRepository& repository,
                       const RecordsChanged& on_records_changed = {},
                       const std::stop_token& stop = {});

  struct FollowOptions {
    std::string database_url;  // the records database
    store::OpenOptions open;   // its statement timeout is raised to ten minutes
    const crypto::Keyring* keyring = nullptr;        // must outlive following
    std::chrono::milliseconds check_interval{2000};  // 0: do not follow
    RecordsChanged on_records_changed;               // what it uses must outlive following
  };
  // Checks every check_interval until stopped. A failure is logged (once
  // until a check succeeds again), and the next check waits twice as long
  // (up to five minutes) on a new connection.
  void Follow(FollowOptions options);
  // Stops following, waiting for a build under way to reach its next page
  // or phase.
  void StopFollowing();

 private:
  LiveSearch(RecordSearch initial, int64_t generation);
  void FollowLoop(const std::stop_token& stop, const FollowOptions& options);

  mutable std::mutex mutex_;
  mutable std::condition_variable swapped_;
  std::shared_ptr<const RecordSearch> current_;
  int64_t generation_;
  void NoteTurnRefused();

  // Refresh's alone. Built, not swapped in yet (on_records_changed failed):
  std::shared_ptr<const RecordSearch> pending_;
  int64_t pending_generation_ = -1;
  // Since when another node has held the turn to build (PostgreSQL).
  std::optional<std::chrono::steady_clock::time_point> turn_refused_since_;
  bool turn_wait_logged_ = false;
  std::jthread follower_;  // last: stopped and joined before the rest goes
};

}  // namespace vigie::records
