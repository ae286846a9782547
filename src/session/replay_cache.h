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

// The first iat a lone node started at `started_at` may accept: after every
// proof its previous process could have accepted (see CheckMadeSinceBegun).
inline int64_t AcceptFrom(int64_t started_at, int64_t max_future_seconds) {
  return started_at + max_future_seconds + 1;
}

class DpopReplayCache {
 public:
  // `remember_seconds`: how long a proof stays acceptable (max age + future
  // skew); a pair used at `now` is refused through `now + remember_seconds`
  // inclusive, and forgotten kReplayForgetLagSeconds later; `capacity`: pairs remembered at most;
  // `per_key`: of those, at most so many for one key (0: no share), so that one session's flood of
  // proofs cannot fill the cache and refuse everyone else.
  // `accept_from`: the first iat this memory may judge alone (unix seconds),
  // for CheckMadeSinceBegun; the default, for a cache beside a
  // SharedProofReplayGuard, refuses nothing for its age.
  DpopReplayCache(int64_t remember_seconds, size_t capacity, size_t per_key = 0,
                  int64_t accept_from = INT64_MIN)
      : remember_seconds_(remember_seconds),
        capacity_(capacity),
        per_key_(per_key),
        accept_from_(accept_from) {}

  // Refuses (Unavailable) a proof whose iat is before `accept_from`.
  // Security: with no shared guard (SQLite: one node), this cache is the
  // only memory of used proofs, and a restart empties it. The process
  // before may have accepted any proof dated up to its last second plus the
  // future skew it tolerates (a client whose clock is ahead): a node
  // starting at `t` accepts from AcceptFrom(t, ...), or from the second
  // after the latest proof its predecessor recorded (proof_watermark.h).
  // Unavailable, not Unauthenticated: an honest client whose proof falls in
  // that gap only has to sign a new one a few seconds later, and must not
  // take the refusal for the end of its session.
  Result<void> CheckMadeSinceBegun(int64_t iat) const;
  // How long the signer of a proof dated `iat` must wait, by its own clock,
  // before a new proof is accepted (at least 1 s): the Retry-After of
  // CheckMadeSinceBegun's refusal. A client whose clock is behind is told
  // the whole wait at once.
  int64_t SecondsUntilAccepting(int64_t iat) const;

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
  const int64_t accept_from_;
  mutable std::mutex mutex_;
  std::unordered_set<std::string> seen_;  // digests: fixed size
  std::unordered_map<uint64_t, size_t> live_by_key_;
  std::deque<Remembered> by_expiry_;
};

}  // namespace vigie::session
