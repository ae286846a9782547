#include "identity/login_throttle.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cmath>

namespace vigie::identity {

Result<void> Admission::ToResult() const {
  if (admitted) return {};
  return Fail(ErrorCode::kResourceExhausted, "too many attempts from this address; retry after " +
                                                 std::to_string(retry_after_seconds) + " s");
}

LoginThrottle::LoginThrottle(const Clock& clock, const LoginThrottleOptions& options)
    : clock_(&clock), options_(options) {}

size_t LoginThrottle::size() const {
  std::lock_guard lock(mutex_);
  return by_key_.size();
}

std::string LoginThrottle::KeyOf(std::string_view source_address) {
  std::string text(source_address.substr(0, 64));
  unsigned char v6[16];
  if (inet_pton(AF_INET6, text.c_str(), v6) == 1) {
    static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(kMapped, kMapped + 12, v6)) {
      return std::to_string(v6[12]) + "." + std::to_string(v6[13]) + "." + std::to_string(v6[14]) +
             "." + std::to_string(v6[15]);
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string key;
    for (int i = 0; i < 8; ++i) {
      key.push_back(kHex[v6[i] >> 4]);
      key.push_back(kHex[v6[i] & 15]);
      if (i % 2 == 1) key.push_back(':');
    }
    return key + ":/64";
  }
  return text;
}

namespace {

// The bucket's tokens at `now`: refilled since it was last updated, at most `burst`.
double TokensAt(double tokens, TimePoint updated, TimePoint now, double burst, double interval_ms) {
  if (now <= updated) return tokens;
  const double elapsed_ms = std::chrono::duration<double, std::milli>(now - updated).count();
  return std::min(burst, tokens + elapsed_ms / interval_ms);
}

Admission Refused(double tokens, double interval_ms) {
  // Rounded to whole milliseconds first, so 1.9999999 s of float error reads 2 s.
  int64_t wait_ms = std::llround((1.0 - tokens) * interval_ms);
  int64_t seconds = (wait_ms + 999) / 1000;
  return Admission{.admitted = false, .retry_after_seconds = std::max<int64_t>(1, seconds)};
}

}  // namespace

double LoginThrottle::Burst() const { return std::max(1, options_.burst); }

double LoginThrottle::IntervalMs() const {
  return std::max<double>(1.0, static_cast<double>(options_.refill_interval.count()));
}

Admission LoginThrottle::Admit(std::string_view source_address) {
  std::string key = KeyOf(source_address);
  TimePoint now = clock_->Now();
  const double burst = Burst(), interval_ms = IntervalMs();

  std::lock_guard lock(mutex_);
  auto found = by_key_.find(key);
  if (found == by_key_.end()) {
    if (by_key_.size() >= std::max<size_t>(1, options_.max_addresses)) {
      by_key_.erase(recent_.back().key);
      recent_.pop_back();
    }
    recent_.push_front(Bucket{key, burst, now});
    found = by_key_.emplace(key, recent_.begin()).first;
  } else {
    recent_.splice(recent_.begin(), recent_, found->second);
  }
  Bucket& bucket = *found->second;
  bucket.tokens = TokensAt(bucket.tokens, bucket.updated, now, burst, interval_ms);
  bucket.updated = std::max(bucket.updated, now);
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return Admission{};
  }
  return Refused(bucket.tokens, interval_ms);
}

void LoginThrottle::Refund(std::string_view source_address) {
  std::string key = KeyOf(source_address);
  std::lock_guard lock(mutex_);
  auto found = by_key_.find(key);
  if (found == by_key_.end()) return;
  Bucket& bucket = *found->second;
  bucket.tokens = std::min(Burst(), bucket.tokens + 1.0);
}

}  // namespace vigie::identity
