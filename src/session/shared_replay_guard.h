#pragma once
// SharedProofReplayGuard: DpopReplayCache's refusal of a DPoP proof seen
// before, across every node of a portal. Each accepted (key thumbprint,
// jti) pair becomes a row of dpop_proof_seen (its digest and when it may be
// forgotten), so a proof replayed on another node than the one that first
// accepted it is refused there too. Used beside each node's in-memory
// cache, which answers most replays without a round trip.
// Thread-safety: Use may be called from any thread (one pooled connection
// per call).

#include <atomic>
#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "store/connection_pool.h"

namespace vigie::session {

class SharedProofReplayGuard {
 public:
  // `remember_seconds`: how long a proof stays acceptable (max age + future
  // skew); a pair used at `now` is refused through `now + remember_seconds`
  // inclusive, as by DpopReplayCache.
  SharedProofReplayGuard(store::ConnectionPool& pool, int64_t remember_seconds)
      : pool_(pool), remember_seconds_(remember_seconds) {}

  // Records the pair. Errors: Unauthenticated when any node accepted it
  // already; Unavailable when the database cannot tell (fail closed).
  Result<void> Use(std::string_view jkt, std::string_view jti, int64_t now);
  // Refuses (Unauthenticated) a pair any node used already, without
  // recording it; Unavailable when the database cannot tell.
  Result<void> CheckUnused(std::string_view jkt, std::string_view jti, int64_t now);

 private:
  store::ConnectionPool& pool_;
  const int64_t remember_seconds_;
  std::atomic<int64_t> next_purge_{0};
};

}  // namespace vigie::session
