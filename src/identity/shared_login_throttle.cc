#include "identity/shared_login_throttle.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "core/log.h"

namespace vigie::identity {
namespace {

// Full buckets are forgotten at most this often: one DELETE by the index.
constexpr int64_t kPurgeEveryMs = 60'000;

// $1 key, $2 now, $3 interval, $4 tolerance (all milliseconds). The next
// conforming time moves one interval on from max(its value, now), unless it
// is already more than the tolerance ahead of now: then nothing changes.
constexpr const char* kAdmit =
    "INSERT INTO login_address_bucket (address_key, next_ms) "
    "VALUES ($1, CAST($2 AS BIGINT) + CAST($3 AS BIGINT)) "
    "ON CONFLICT (address_key) DO UPDATE SET next_ms = "
    "CASE WHEN login_address_bucket.next_ms > CAST($2 AS BIGINT) "
    "THEN login_address_bucket.next_ms ELSE CAST($2 AS BIGINT) END + CAST($3 AS BIGINT) "
    "WHERE login_address_bucket.next_ms - CAST($2 AS BIGINT) <= CAST($4 AS BIGINT)";

int64_t Milliseconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

SharedLoginThrottle::SharedLoginThrottle(store::ConnectionPool& pool, const Clock& clock,
                                         const LoginThrottleOptions& options,
                                         std::string bucket_prefix)
    : pool_(pool),
      clock_(&clock),
      bucket_prefix_(std::move(bucket_prefix)),
      interval_ms_(std::max<int64_t>(1, options.refill_interval.count())),
      tolerance_ms_((std::max(1, options.burst) - 1) * interval_ms_) {}

Admission SharedLoginThrottle::Admit(std::string_view source_address) {
  auto admission = TryAdmit(source_address);
  if (admission) return *admission;
  Log(LogLevel::kError, "login_throttle_unavailable", {{"error", admission.error().message()}});
  return Admission{.admitted = false, .retry_after_seconds = 1};
}

std::string SharedLoginThrottle::KeyOf(std::string_view source_address) const {
  return bucket_prefix_ + LoginThrottle::KeyOf(source_address);
}

void SharedLoginThrottle::Refund(std::string_view source_address) {
  if (auto refunded = TryRefund(source_address); !refunded) {
    Log(LogLevel::kWarn, "throttle_refund_failed", {{"error", refunded.error().message()}});
  }
}

Result<void> SharedLoginThrottle::TryRefund(std::string_view source_address) {
  ASSIGN_OR_RETURN(auto db, pool_.Borrow());
  ASSIGN_OR_RETURN(store::Statement * refund,
                   db->Prepare("UPDATE login_address_bucket SET next_ms = next_ms - $2 "
                               "WHERE address_key = $1"));
  refund->BindText(1, KeyOf(source_address)).BindInt(2, interval_ms_);
  RETURN_IF_ERROR(refund->Run());
  return {};
}

Result<Admission> SharedLoginThrottle::TryAdmit(std::string_view source_address) {
  const std::string key = KeyOf(source_address);
  const int64_t now = Milliseconds(clock_->Now());
  ASSIGN_OR_RETURN(auto db, pool_.Borrow());
  int64_t due = next_purge_ms_.load();
  if (now >= due && next_purge_ms_.compare_exchange_strong(due, now + kPurgeEveryMs)) {
    ASSIGN_OR_RETURN(store::Statement * purge,
                     db->Prepare("DELETE FROM login_address_bucket WHERE next_ms <= $1"));
    purge->BindInt(1, now);
    RETURN_IF_ERROR(purge->Run());
  }
  ASSIGN_OR_RETURN(store::Statement * admit, db->Prepare(kAdmit));
  admit->BindText(1, key).BindInt(2, now).BindInt(3, interval_ms_).BindInt(4, tolerance_ms_);
  ASSIGN_OR_RETURN(int64_t taken, admit->Run());
  if (taken == 1) return Admission{};

  ASSIGN_OR_RETURN(store::Statement * read,
                   db->Prepare("SELECT next_ms FROM login_address_bucket WHERE address_key = $1"));
  read->BindText(1, key);
  ASSIGN_OR_RETURN(bool found, read->Step());
  const int64_t next_ms = found ? read->ColumnInt(0) : now;
  RETURN_IF_ERROR(read->Run());
  // The attempt conforms once next_ms - now falls to the tolerance.
  const int64_t wait_ms = std::max<int64_t>(0, next_ms - now - tolerance_ms_);
  return Admission{.admitted = false,
                   .retry_after_seconds = std::max<int64_t>(1, (wait_ms + 999) / 1000)};
}

}  // namespace vigie::identity
