#pragma once
// Parsed DPoP public keys, kept between requests. A client signs every
// request with the same key; turning its JWK into a validated curve point
// costs more than the signature check itself, so the server does it once
// per key. Keys are looked up by their exact coordinates: a cached key is
// the very point that was validated, so nothing is trusted that was not
// checked.
// Only keys whose proof and credential checked are kept (Remember, called
// by the API once the request's token or login credential is known good),
// so nobody can push the keys in use out with keys of their own making.
// Bounded: when full (more live sessions' keys than its capacity), the
// cache is emptied and refills with the keys in use.
// Thread-safety: all methods are thread-safe; returned keys are immutable.

#include <cstddef>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>

#include "core/error.h"
#include "crypto/ecdsa.h"

namespace vigie::session {

struct CachedDpopKey {
  crypto::Es256PublicKey key;
  std::string jkt;          // RFC 7638 thumbprint
  std::string coordinates;  // x || y: what the cache finds it by
};

class DpopKeyCache {
 public:
  explicit DpopKeyCache(size_t capacity = 100'000) : capacity_(capacity) {}

  // The key with these coordinates: the one kept (`*kept` set true), or
  // parsed and validated now and not kept. InvalidArgument when they are not
  // a P-256 point.
  Result<std::shared_ptr<const CachedDpopKey>> Get(std::span<const uint8_t> x,
                                                   std::span<const uint8_t> y,
                                                   bool* kept = nullptr);
  // Keeps `key` for later requests: call it once a signature under it checked.
  void Remember(std::shared_ptr<const CachedDpopKey> key);
  // Parses and validates, without a cache.
  static Result<std::shared_ptr<const CachedDpopKey>> Parse(std::span<const uint8_t> x,
                                                            std::span<const uint8_t> y);

  size_t size() const;

 private:
  const size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const CachedDpopKey>> keys_;
};

}  // namespace vigie::session
