#include "session/dpop_key_cache.h"

#include "crypto/bytes.h"
#include "crypto/hash.h"
#include "session/dpop.h"

namespace vigie::session {

Result<std::shared_ptr<const CachedDpopKey>> DpopKeyCache::Parse(std::span<const uint8_t> x,
                                                                 std::span<const uint8_t> y) {
  ASSIGN_OR_RETURN(crypto::Es256PublicKey key, crypto::Es256PublicKey::FromCoordinates(x, y));
  std::string coordinates(crypto::AsText(x));
  coordinates += crypto::AsText(y);
  return std::make_shared<const CachedDpopKey>(CachedDpopKey{
      std::move(key), JwkThumbprint(crypto::Base64UrlEncode(x), crypto::Base64UrlEncode(y)),
      std::move(coordinates)});
}

Result<std::shared_ptr<const CachedDpopKey>> DpopKeyCache::Get(std::span<const uint8_t> x,
                                                               std::span<const uint8_t> y,
                                                               bool* kept) {
  if (kept != nullptr) *kept = false;
  // Security: the cache is keyed by x || y; the same 64 bytes split 31/33
  // must meet the coordinates' check, not the cached key.
  if (x.size() != crypto::kP256CoordinateSize || y.size() != crypto::kP256CoordinateSize)
    return Parse(x, y);
  std::string coordinates(crypto::AsText(x));
  coordinates += crypto::AsText(y);
  {
    std::lock_guard lock(mutex_);
    auto found = keys_.find(coordinates);
    if (kept != nullptr) *kept = found != keys_.end();
    if (found != keys_.end()) return found->second;
  }
  // Parse outside the lock: validation is the expensive part.
  return Parse(x, y);
}

void DpopKeyCache::Remember(std::shared_ptr<const CachedDpopKey> key) {
  std::lock_guard lock(mutex_);
  if (keys_.contains(key->coordinates)) return;
  if (keys_.size() >= capacity_) keys_.clear();
  const std::string& coordinates = key->coordinates;
  keys_.emplace(coordinates, std::move(key));
}

size_t DpopKeyCache::size() const {
  std::lock_guard lock(mutex_);
  return keys_.size();
}

}  // namespace vigie::session
