#pragma once
// IdentityOptions: the tunable figures of activation and login, in one place
// so the application can fill them from its configuration.
// Thread-safety: a plain value.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "crypto/password.h"
#include "crypto/totp.h"

namespace vigie::identity {

// The keyring purpose of the data key that seals TOTP seeds.
inline constexpr std::string_view kPurposeTotpSeeds = "totp-seeds";

struct IdentityOptions {
  // Argon2id parameters for new password hashes. Security: t=2, m=19 MiB is
  // OWASP's minimum recommendation for Argon2id (~13 ms here); a stored hash
  // made with other parameters is re-hashed at the next successful login.
  crypto::Argon2Params argon2{.t_cost = 2, .m_cost_kib = 19456};
  // What every password refusal costs: the dummy verification's parameters,
  // and the time a refusal against a cheaper stored hash is padded to. Set
  // at start to CostliestPasswordParams (login.h); unset: `argon2`.
  std::optional<crypto::Argon2Params> refusal_argon2;

  // How long an activation code may be used after it is issued.
  std::chrono::seconds activation_code_lifetime = std::chrono::hours(72);

  // Security: lock-out bounds on-line guessing of passwords and TOTP codes
  // for one account: `lockout_threshold` failures within `lockout_window`
  // lock it for `lockout_duration`.
  int lockout_threshold = 5;
  std::chrono::seconds lockout_window = std::chrono::minutes(15);
  std::chrono::seconds lockout_duration = std::chrono::minutes(15);

  // Between the password step and the TOTP step.
  std::chrono::seconds challenge_lifetime = std::chrono::minutes(5);
  // Wrong TOTP codes one challenge may take before it is spent.
  int challenge_max_attempts = 3;

  // RFC 6238: SHA-1, 6 digits, 30 s, ±1 step.
  crypto::TotpParameters totp{};
};

}  // namespace vigie::identity
