#pragma once
// LoginThrottle: per-source-address rate limiting of login and activation
// attempts, in memory, consulted by the caller *before* any password hashing.
//
// A token bucket per address: `burst` attempts at once, then one more every
// `refill_interval`. IPv6 addresses are grouped by /64 (one subscriber
// usually holds a whole /64); IPv4-mapped IPv6 counts as its IPv4 address.
//
// Security: account lock-out stops guessing one account's password; this stops
// one address guessing across many accounts (and costing Argon2id for each).
// Memory is bounded: at most `max_addresses` buckets; when full, the least
// recently seen address is forgotten (it starts again with a full bucket,
// which only an attacker already holding more than `max_addresses` addresses
// can exploit — and such an attacker gets a fresh bucket per address anyway).
// LoginThrottle counts in this process (one node: SQLite);
// SharedLoginThrottle (shared_login_throttle.h) in the database, for nodes
// sharing one (PostgreSQL), so N nodes do not give an address N rates.
//
// Thread-safety: all methods are thread-safe (one mutex; O(1) per call).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"
#include "core/error.h"

namespace vigie::identity {

struct LoginThrottleOptions {
  int burst = 10;
  std::chrono::milliseconds refill_interval = std::chrono::seconds(6);  // 10 per minute
  size_t max_addresses = 100'000;
};

struct Admission {
  bool admitted = true;
  int64_t retry_after_seconds = 0;  // when refused: whole seconds, >= 1

  // OK, or ResourceExhausted "too many attempts from this address; retry
  // after N s" (the HTTP layer sends retry_after_seconds as Retry-After).
  Result<void> ToResult() const;
};

class AddressThrottle {
 public:
  virtual ~AddressThrottle() = default;

  // Takes one attempt from `source_address`'s bucket.
  virtual Admission Admit(std::string_view source_address) = 0;
  // Gives back a token Admit took (for limits that charge failures only:
  // taken before the work, given back when it succeeded). Never beyond the
  // burst.
  virtual void Refund(std::string_view source_address) = 0;
};

class LoginThrottle final : public AddressThrottle {
 public:
  explicit LoginThrottle(const Clock& clock, const LoginThrottleOptions& options = {});

  Admission Admit(std::string_view source_address) override;
  // Nothing for an address without a bucket.
  void Refund(std::string_view source_address) override;

  // Buckets held (for metrics and tests).
  size_t size() const;

  // The bucket key of an address: "a.b.c.d", the /64 prefix of an IPv6
  // address, or the text itself (at most 64 bytes) if it is not an address.
  static std::string KeyOf(std::string_view source_address);

 private:
  struct Bucket {
    std::string key;
    double tokens;
    TimePoint updated;
  };

  double Burst() const;
  double IntervalMs() const;

  const Clock* clock_;
  const LoginThrottleOptions options_;
  mutable std::mutex mutex_;
  std::list<Bucket> recent_;  // most recently seen first
  std::unordered_map<std::string, std::list<Bucket>::iterator> by_key_;
};

}  // namespace vigie::identity
