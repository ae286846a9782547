#pragma once
// RefusalPricer: what step 1's refusals cost (IdentityOptions::refusal_argon2,
// CostliestPasswordParams), kept current while the server runs. Priced at
// start, then again when a login asks and the price is older than
// `refresh_every`: a hash costlier than the price — written by another node
// during a rolling raise of the parameters, or an agent reinstated with a
// hash from before they were lowered — singles its agent out for that long
// at most, not until a restart.
//
// Thread-safety: Current from any thread (one refreshes, the others take the
// price as it is meanwhile). Errors: Refresh's storage errors; Current keeps
// the last price on one (logged).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "core/clock.h"
#include "core/error.h"
#include "crypto/password.h"
#include "store/store.h"

namespace vigie::identity {

class RefusalPricer {
 public:
  // `current`: the configured parameters; `ceiling`: the costliest any
  // setting allows (a hash beyond it is a planted or corrupted row).
  RefusalPricer(const Clock& clock, const crypto::Argon2Params& current,
                const crypto::Argon2Params& ceiling,
                std::chrono::seconds refresh_every = std::chrono::seconds(60));

  // Prices refusals from the stored hashes now; logs what is worth knowing
  // (a price above `current`, hashes beyond the ceiling) when it changes.
  Result<crypto::Argon2Params> Refresh(store::Connection& db);
  // The price, refreshed on `db` first when it is older than refresh_every
  // (by the first caller to find it so, before its own use).
  crypto::Argon2Params Current(store::Connection& db);
  // The next Current refreshes: this process made an agent's hash
  // verifiable again (a reinstatement, a release).
  void Stale() { priced_at_us_.store(0); }

 private:
  static uint64_t Pack(const crypto::Argon2Params& params);
  Result<crypto::Argon2Params> RefreshHoldingLock(store::Connection& db);

  const Clock& clock_;
  const crypto::Argon2Params current_, ceiling_;
  const std::chrono::seconds refresh_every_;
  std::atomic<uint64_t> price_;           // t_cost << 32 | m_cost_kib
  std::atomic<int64_t> priced_at_us_{0};  // last tried; never: 0
  std::mutex refreshing_;                 // one refresh at a time; guards what follows
  bool priced_once_ = false;
  std::string agents_named_;  // beyond the ceiling, as last logged
};

}  // namespace vigie::identity
