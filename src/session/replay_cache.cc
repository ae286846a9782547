#include "session/replay_cache.h"

#include <functional>

#include "crypto/crypto.h"
#include "session/dpop.h"

namespace vigie::session {

void DpopReplayCache::ForgetExpired(int64_t now) {
  // Pairs are appended with non-decreasing expiry as long as the clock does
  // not go back; if it does, they simply live a little longer. A pair is
  // still live at its expiry second: a proof first used at the very start
  // of its iat window is still acceptable `remember_seconds` later. It is
  // forgotten only a lag after that (kReplayForgetLagSeconds).
  while (!by_expiry_.empty() && by_expiry_.front().expiry + kReplayForgetLagSeconds < now) {
    const Remembered& oldest = by_expiry_.front();
    seen_.erase(oldest.digest);
    if (auto live = live_by_key_.find(oldest.key);
        live != live_by_key_.end() && --live->second == 0) {
      live_by_key_.erase(live);
    }
    by_expiry_.pop_front();
  }
}

crypto::Sha256Digest DpopProofDigest(std::string_view jkt, std::string_view jti) {
  crypto::Sha256Hasher hasher;
  hasher.Update(jkt);
  hasher.Update(std::string_view("\0", 1));
  hasher.Update(jti);
  return hasher.Final();
}

namespace {

std::string DigestKey(std::string_view jkt, std::string_view jti) {
  const crypto::Sha256Digest digest = DpopProofDigest(jkt, jti);
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

std::unexpected<Error> AlreadyUsed() {
  return std::unexpected(InvalidDpopProof("jti already used"));
}

}  // namespace

Result<void> DpopReplayCache::CheckUnused(std::string_view jkt, std::string_view jti, int64_t now) {
  const std::string key = DigestKey(jkt, jti);
  std::lock_guard lock(mutex_);
  ForgetExpired(now);
  if (seen_.contains(key)) return AlreadyUsed();
  return {};
}

Result<void> DpopReplayCache::Use(std::string_view jkt, std::string_view jti, int64_t now) {
  std::string key = DigestKey(jkt, jti);
  std::lock_guard lock(mutex_);
  ForgetExpired(now);
  if (seen_.contains(key)) return AlreadyUsed();
  if (seen_.size() >= capacity_) {
    return Fail(ErrorCode::kResourceExhausted, "too many DPoP proofs in flight; retry shortly");
  }
  const uint64_t key_hash = std::hash<std::string_view>{}(jkt);
  size_t& live = live_by_key_[key_hash];
  if (per_key_ != 0 && live >= per_key_) {
    return Fail(ErrorCode::kResourceExhausted,
                "too many DPoP proofs in flight for this key; retry shortly");
  }
  ++live;
  seen_.insert(key);
  by_expiry_.push_back({now + remember_seconds_, std::move(key), key_hash});
  return {};
}

Result<void> DpopReplayCache::CheckMadeSinceBegun(int64_t iat) const {
  if (iat >= accept_from_) return {};
  return Fail(ErrorCode::kUnavailable,
              "the server has just started: a proof made before it may have been used; "
              "sign a new one after Retry-After");
}

int64_t DpopReplayCache::SecondsUntilAccepting(int64_t iat) const {
  if (accept_from_ == INT64_MIN || iat >= accept_from_) return 1;
  return accept_from_ - iat;
}

size_t DpopReplayCache::size() const {
  std::lock_guard lock(mutex_);
  return seen_.size();
}

}  // namespace vigie::session
