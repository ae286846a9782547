#pragma once
// LiveSearch: the search index a running server consults, built again when
// the records change under it (an import, planted canaries), so that new
// persons and notices are found, and corrected or lifted ones shown as they
// are, without a restart.
//
// Every transaction that writes records advances the records' generation
// (RecordRepository::AdvanceGeneration) before it commits. Refresh compares
// it with the generation the current index was built from and, when it
// moved, builds a whole new index beside the current one (memory: twice the
// index while it builds), runs `before_swap`, then swaps. Follow runs
// Refresh on a thread of its own every `check_interval`, on a connection of
// its own. A search keeps the index it started with.
//
// Thread-safety: Current() and generation() from any thread; Refresh from
// one thread at a time (the follower's, or a test's).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
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
  // again.
  static Result<std::unique_ptr<LiveSearch>> Load(RecordRepository& repository,
                                                  const LoadProgress& progress = {});
  LiveSearch(const LiveSearch&) = delete;
  LiveSearch& operator=(const LiveSearch&) = delete;
  ~LiveSearch();  // stops following first

  std::shared_ptr<const RecordSearch> Current() const;
  int64_t generation() const;
  size_t memory_bytes() const { return Current()->memory_bytes(); }

  // Runs after a new index is built, before it is swapped in: an error keeps
  // the current index (the next check builds again).
  using BeforeSwap = std::function<Result<void>()>;

  // One check: true when a new index replaced the current one.
  Result<bool> Refresh(RecordRepository& repository, const BeforeSwap& before_swap = {});

  struct FollowOptions {
    std::string database_url;  // the records database
    store::OpenOptions open;   // its statement timeout is lifted: a build reads every person
    const crypto::Keyring* keyring = nullptr;
    std::chrono::milliseconds check_interval{2000};
    BeforeSwap before_swap;
  };
  // Checks every check_interval until destroyed. Failures are logged (once
  // until a check succeeds again) and the check retried on a new connection.
  void Follow(FollowOptions options);
  // Stops following and waits for a build under way (before what
  // before_swap uses goes away).
  void StopFollowing();

 private:
  LiveSearch(RecordSearch initial, int64_t generation);
  void FollowLoop(std::stop_token stop, const FollowOptions& options);

  mutable std::mutex mutex_;
  std::shared_ptr<const RecordSearch> current_;
  int64_t generation_;
  std::jthread follower_;  // last: stopped and joined before the rest goes
};

}  // namespace vigie::records
