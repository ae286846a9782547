#include "identity/refusal_pricer.h"

#include <algorithm>
#include <utility>

#include "core/log.h"
#include "identity/login.h"

namespace vigie::identity {

RefusalPricer::RefusalPricer(const Clock& clock, const crypto::Argon2Params& current,
                             const crypto::Argon2Params& ceiling,
                             std::chrono::seconds refresh_every)
    : clock_(clock),
      current_(current),
      ceiling_(ceiling),
      refresh_every_(refresh_every),
      price_(Pack(current)) {}

uint64_t RefusalPricer::Pack(const crypto::Argon2Params& params) {
  return uint64_t{params.t_cost} << 32 | params.m_cost_kib;
}

Result<crypto::Argon2Params> RefusalPricer::Refresh(store::Connection& db) {
  std::lock_guard lock(refreshing_);
  return RefreshHoldingLock(db);
}

Result<crypto::Argon2Params> RefusalPricer::RefreshHoldingLock(store::Connection& db) {
  priced_at_us_.store(std::max<int64_t>(UnixMicros(clock_.Now()), 1));  // tried, even if it fails
  ASSIGN_OR_RETURN(RefusalPrice price, CostliestPasswordParams(db, current_, ceiling_));
  std::string agents;
  for (const std::string& agent : price.beyond_ceiling)
    agents += (agents.empty() ? "" : " ") + agent;
  if (!agents.empty() && agents != agents_named_) {
    // Their refusals take longer than others' (they can be told apart) and
    // each of their logins costs more than any setting allows.
    Log(LogLevel::kError, "password_hashes_beyond_any_setting",
        {{"agents", agents}, {"action", "reset these agents' passwords"}});
  }
  agents_named_ = std::move(agents);
  const uint64_t packed = Pack(price.params);
  if (crypto::CostlierThan(price.params, current_) && (!priced_once_ || packed != price_.load())) {
    // Expected for a while after the parameters are lowered (or while other
    // nodes raise them): every refusal, and so every guess, costs this much
    // until the last such agent logs in again here or is reset.
    Log(LogLevel::kWarn, "password_refusals_cost_a_stored_hash",
        {{"t_cost", static_cast<unsigned long long>(price.params.t_cost)},
         {"m_cost_kib", static_cast<unsigned long long>(price.params.m_cost_kib)}});
  }
  price_.store(packed);
  priced_once_ = true;
  return price.params;
}

crypto::Argon2Params RefusalPricer::Current(store::Connection& db) {
  auto due = [&] {
    const auto age = std::chrono::microseconds(UnixMicros(clock_.Now()) - priced_at_us_.load());
    // A clock stepped back counts as due, as one gone past the interval.
    return age >= refresh_every_ || age.count() < 0;
  };
  if (due()) {
    std::unique_lock lock(refreshing_, std::try_to_lock);
    if (lock.owns_lock() && due()) {  // not refreshed meanwhile by another login
      if (auto refreshed = RefreshHoldingLock(db); !refreshed) {
        Log(LogLevel::kWarn, "password_refusals_not_repriced",
            {{"error", refreshed.error().message()}});
      }
    }
  }
  const uint64_t packed = price_.load();
  return {.t_cost = static_cast<uint32_t>(packed >> 32),
          .m_cost_kib = static_cast<uint32_t>(packed & 0xffffffffu)};
}

}  // namespace vigie::identity
