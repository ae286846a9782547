#pragma once
// SharedLoginThrottle: LoginThrottle's per-address rate, counted in the
// database (login_address_bucket, migration 7) for every node of a portal
// sharing one PostgreSQL: behind a balancer, N nodes give an address one
// rate, not N. The same bucket (`burst` at once, then one per
// `refill_interval`, IPv6 by /64) kept as the generic cell rate algorithm's
// one number — when the next attempt conforms — and taken or refused by one
// autocommitted upsert, so racing nodes cannot both spend the last token.
// Security: when the database cannot answer, the attempt is refused (1 s),
// never let through unthrottled.
// Thread-safety: Admit may be called from any thread (one pooled connection
// per call).

#include <atomic>
#include <cstdint>
#include <string>

#include "core/clock.h"
#include "identity/login_throttle.h"
#include "store/connection_pool.h"

namespace vigie::identity {

class SharedLoginThrottle final : public AddressThrottle {
 public:
  // `bucket_prefix` keeps another limit's buckets apart in the same table
  // (e.g. the API's refused credentials beside logins).
  SharedLoginThrottle(store::ConnectionPool& pool, const Clock& clock,
                      const LoginThrottleOptions& options = {}, std::string bucket_prefix = {});

  Admission Admit(std::string_view source_address) override;
  // Moves the next conforming time one interval back; a time before now is
  // a full bucket. A database that cannot answer keeps the token (logged).
  void Refund(std::string_view source_address) override;

 private:
  Result<Admission> TryAdmit(std::string_view source_address);
  Result<void> TryRefund(std::string_view source_address);
  std::string KeyOf(std::string_view source_address) const;

  store::ConnectionPool& pool_;
  const Clock* clock_;
  const std::string bucket_prefix_;
  const int64_t interval_ms_;
  const int64_t tolerance_ms_;  // (burst - 1) intervals: how far ahead the next time may run
  std::atomic<int64_t> next_purge_ms_{0};
};

}  // namespace vigie::identity
