#pragma once
// Refuses a DPoP proof seen before (RFC 9449 §11.1): remembers each accepted
// (key thumbprint, jti) pair for as long as a proof with that iat could still
// be accepted, then forgets it. One process; the nodes of a portal share
// theirs through the database (shared_replay_guard.h).
// Thread-safety: all methods are thread-safe.

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

#include "core/error.h"
#include "crypto/hash.h"

namespace vigie::session {

// What both caches remember of a proof: SHA-256(jkt, 0, jti).
crypto::Sha256Digest DpopProofDigest(std::string_view jkt, std::string_view jti);

class DpopReplayCache {
 public:
  // `remember_seconds`: how long a proof stays acceptable (max age + future
  // skew); `capacity`: pairs remembered at most.
  DpopReplayCache(int64_t remember_seconds, size_t capacity)
      : remember_seconds_(remember_seconds), capacity_(capacity) {}

  // Records the pair. Errors: Unauthenticated when it was already used;
  // ResourceExhausted when the cache is full of live pairs (fail closed:
  // forgetting one early would let its proof be replayed).
  Result<void> Use(std::string_view jkt, std::string_view jti, int64_t now);

  size_t size() const;

 private:
  void ForgetExpired(int64_t now);

  const int64_t remember_seconds_;
  const size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_set<std::string> seen_;  // SHA-256 of jkt and jti: fixed size
  std::deque<std::pair<int64_t, std::string>> by_expiry_;
};

}  // namespace vigie::session
