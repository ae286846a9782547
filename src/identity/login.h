#pragma once
// Authenticator: the two steps of a login. No session exists until both
// succeed; creating it is the caller's job (the session component).
//
//   1. VerifyPassword(service number, password, address) -> LoginChallenge
//   2. VerifySecondFactor(challenge token, TOTP code, address) -> Agent
//
// Security:
//   - Every refusal caused by the caller's input — unknown agent, wrong
//     password, agent not active (pending, suspended, locked, disabled),
//     unknown/expired challenge, wrong or replayed code — is the same
//     Unauthenticated error with the same message, so neither the answer nor
//     (see below) its timing tells whether an account exists or its state.
//   - Step 1 runs exactly one Argon2id verification whatever happens: against
//     the stored hash for an active agent, against a dummy hash made with the
//     current parameters otherwise.
//   - Hashes made with other parameters than options.argon2 are re-hashed on
//     successful password verification.
//   - TOTP: ±options.totp.window steps; a code for a step at or before the
//     last step accepted is refused (replay); the accepted step is persisted.
//   - Lock-out: options.lockout_threshold failures (either factor) within
//     options.lockout_window lock the account for options.lockout_duration.
//   - Per-address throttling is the caller's: consult LoginThrottle before
//     calling VerifyPassword (before any hashing happens).
//
// Thread-safety: one Authenticator per connection, used by one thread at a
// time. The DataKey and hasher must outlive it (the hasher may be shared).

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/clock.h"
#include "core/error.h"
#include "crypto/keyring.h"
#include "crypto/secret_bytes.h"
#include "identity/model.h"
#include "identity/options.h"
#include "identity/password_hasher.h"
#include "store/store.h"

namespace vigie::identity {

// The message of every login refusal.
inline constexpr std::string_view kLoginFailed = "authentication failed";

// What step 1 gives the client to present at step 2.
struct LoginChallenge {
  crypto::SecretBytes token;  // base64url text; stored only as a hash
  int64_t expires_at = 0;     // unix seconds
};

class Authenticator {
 public:
  Authenticator(store::Connection& db, const Clock& clock, const crypto::DataKey& totp_seed_key,
                PasswordHasher& hasher, const IdentityOptions& options = {})
      : db_(&db),
        clock_(&clock),
        totp_seed_key_(&totp_seed_key),
        hasher_(&hasher),
        options_(options) {}

  // Step 1. `source_address` is recorded with failures (for investigations).
  // Unauthenticated (kLoginFailed): see above.
  // ResourceExhausted / Unavailable: the hasher pool is full / stopping.
  // DataLoss: the stored hash is corrupt.
  Result<LoginChallenge> VerifyPassword(std::string_view service_number, std::string_view password,
                                        std::string_view source_address);

  // Step 2: spends the challenge on success. A wrong code counts towards
  // lock-out and against the challenge (options.challenge_max_attempts).
  // Unauthenticated (kLoginFailed): see above.
  // DataLoss: the sealed seed fails to open. Internal: it is sealed under a
  // key other than the one given.
  Result<Agent> VerifySecondFactor(std::string_view challenge_token, std::string_view code,
                                   std::string_view source_address);

  // Step-up: a fresh TOTP code from an agent already logged in (the session
  // component decides when one is due). Same TOTP, replay and lock-out rules
  // as step 2. Unauthenticated (kLoginFailed): inactive agent, wrong or
  // replayed code. DataLoss / Internal: as VerifySecondFactor.
  Result<void> VerifyFreshSecondFactor(int64_t agent_id, std::string_view code,
                                       std::string_view source_address);

  // The agent a failure of this Authenticator's calls locked out, if any
  // (for the audit log's distinct lock-out event).
  std::optional<int64_t> locked_agent() const { return locked_agent_; }

 private:
  // Inside the caller's write transaction: checks `code` for an agent that
  // can log in, persists the step on success, records a failure otherwise.
  // Returns whether the code was accepted.
  Result<bool> CheckTotp(int64_t agent_id, std::string_view code, std::string_view source_address,
                         int64_t now);
  Result<void> RecordPasswordFailure(int64_t agent_id, std::string_view source_address,
                                     int64_t now);

  store::Connection* db_;
  const Clock* clock_;
  const crypto::DataKey* totp_seed_key_;
  PasswordHasher* hasher_;
  IdentityOptions options_;
  std::optional<int64_t> locked_agent_;
};

}  // namespace vigie::identity
