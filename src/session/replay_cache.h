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
#include <unordered_map>
#include <unordered_set>

#include "core/error.h"
#include "crypto/hash.h"

namespace vigie::session {

// What both caches remember of a proof: SHA-256(jkt, 0, jti).
crypto::Sha256Digest DpopProofDigest(std::string_view jkt, std::string_view jti);

// How long after its expiry a pair is still kept (seconds). Security: a
// cache forgets by its caller's clock; a request slower between reading the
// clock and remembering its proof, or a node whose clock is a little ahead,
// must not have a live pair forgotten under it. So pairs are forgotten this
// much later than they stop being acceptable (a pair still kept refuses).
inline constexpr int64_t kReplayForgetLagSeconds = 5;

class DpopReplayCache {
 public:
  // `remember_seconds`: how long a proof stays acceptable (max age + future
  // skew); a pair used at `now` is refused through `now + remember_seconds`
  // inclusive, and forgotten kReplayForgetLagSeconds later; `capacity`: pairs remembered at most;
  // `per_key`: of those, at most so many for one key (0: no share), so that one session's flood of
  // proofs cannot fill the cache and refuse everyone else.
  // `begun_at`: when this memory began (unix seconds), for CheckMadeSince-
  // Begun; the default, for a cache beside a SharedProofReplayGuard, refuses
  // nothing for its age.
  DpopReplayCache(int64_t remember_seconds, size_t capacity, size_t per_key = 0,
                  int64_t begun_at = INT64_MIN)
      : remember_seconds_(remember_seconds),
        capacity_(capacity),
        per_key_(per_key),
        begun_at_(begun_at) {}

  // Refuses (Unauthenticated) a proof whose iat is before `begun_at`.
  // Security: with no shared guard (SQLite: one node), this cache is the
  // only memory of used proofs, and a restart empties it; a proof made
  // before may have been accepted by the process before, and would pass
  // again within its age. (Its first second is accepted: a restart takes
  // longer, and a client whose clock is the same would be refused.)
  Result<void> CheckMadeSinceBegun(int64_t iat) const;

  // Records the pair. Errors: Unauthenticated when it was already used;
  // ResourceExhausted when the cache is full of live pairs, or this key has
  // its share of them (fail closed: forgetting one early would let its
  // proof be replayed).
  Result<void> Use(std::string_view jkt, std::string_view jti, int64_t now);
  // Refuses (Unauthenticated) a pair already used, without recording it: for
  // a proof whose credential is checked after, then Use.
  Result<void> CheckUnused(std::string_view jkt, std::string_view jti, int64_t now);

  size_t size() const;

 private:
  void ForgetExpired(int64_t now);

  struct Remembered {
    int64_t expiry;
    std::string digest;  // SHA-256 of jkt and jti
    uint64_t key;        // a hash of jkt, for its share
  };

  const int64_t remember_seconds_;
  const size_t capacity_;
  const size_t per_key_;
  const int64_t begun_at_;
  mutable std::mutex mutex_;
  std::unordered_set<std::string> seen_;  // digests: fixed size
  std::unordered_map<uint64_t, size_t> live_by_key_;
  std::deque<Remembered> by_expiry_;
};

}  // namespace vigie::session
