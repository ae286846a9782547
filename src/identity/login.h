#pragma once
// Authenticator: the two steps of a login. No session exists until both
// succeed; creating it is the caller's job (the session component).
//
//   1. VerifyPassword(service number, password, address) -> LoginChallenge
//   2. VerifySecondFactor(challenge token, TOTP code, address) -> Agent
//      or, with a passkey: PasskeyOptions(challenge token) -> WebAuthn
//      challenge, then VerifyPasskey(challenge token, assertion) -> Agent
//
// Security:
//   - Every refusal caused by the caller's input — unknown agent, wrong
//     password, agent not active (pending, suspended, locked, disabled),
//     unknown/expired challenge, wrong or replayed code — is the same
//     Unauthenticated error with the same message, so neither the answer nor
//     (see below) its timing tells whether an account exists or its state.
//   - Step 1 runs exactly one Argon2id verification whatever happens: against
//     the stored hash for an active agent, against a dummy hash otherwise.
//     The dummy is made with options.refusal_argon2 (the costliest of the
//     current and the stored hashes' parameters, CostliestPasswordParams),
//     and a refusal against a cheaper stored hash is padded to its time.
//   - Hashes made with other parameters than options.argon2 are re-hashed on
//     successful password verification.
//   - TOTP: ±options.totp.window steps; a code for a step at or before the
//     last step accepted is refused (replay); the accepted step is persisted.
//   - Passkeys: the WebAuthn challenge of a login is a hash of its token —
//     fresh per login, spent with it; a refused assertion counts like a wrong
//     code (lock-out, challenge attempts). The credential must be one of the
//     agent's; src/webauthn checks the rest (UV required, counter, RP, origin).
//   - Lock-out: options.lockout_threshold failures (any factor) within
//     options.lockout_window lock the account for options.lockout_duration.
//   - Per-address throttling is the caller's: consult LoginThrottle before
//     calling VerifyPassword (before any hashing happens).
//
// Thread-safety: one Authenticator per connection, used by one thread at a
// time. The DataKey and hasher must outlive it (the hasher may be shared).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "crypto/keyring.h"
#include "crypto/secret_bytes.h"
#include "identity/internal/lockout.h"  // private: RecordPasswordFailure
#include "identity/model.h"
#include "identity/options.h"
#include "identity/passkeys.h"
#include "identity/password_hasher.h"
#include "store/store.h"
#include "webauthn/webauthn.h"

namespace vigie::identity {

// The message of every login refusal.
inline constexpr std::string_view kLoginFailed = "authentication failed";

// What step 1 gives the client to present at step 2.
struct LoginChallenge {
  crypto::SecretBytes token;  // base64url text; stored only as a hash
  int64_t expires_at = 0;     // unix seconds
  bool has_passkey = false;   // the agent may answer with a passkey
};

// What a browser needs for navigator.credentials.get() at login.
struct PasskeyLoginOptions {
  std::vector<uint8_t> challenge;
  std::vector<Passkey> passkeys;  // the agent's: the allowed credentials
};

// What navigator.credentials.get() answered.
struct PasskeyAssertion {
  std::vector<uint8_t> credential_id;
  std::vector<uint8_t> client_data_json;
  std::vector<uint8_t> authenticator_data;
  std::vector<uint8_t> signature;
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

  // Seeds sealed under an earlier "totp-seeds" key (before `vigie keys
  // rotate`) are opened with that key, found in `keyring` by the id stored
  // with the seed. Without this, only the current key opens seeds.
  Authenticator& AcceptEarlierSeedKeys(const crypto::Keyring& keyring) {
    earlier_seed_keys_ = &keyring;
    return *this;
  }

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

  // Step 2 with a passkey, first half: the WebAuthn challenge bound to this
  // login and the agent's passkeys. Does not spend the challenge.
  // Unauthenticated (kLoginFailed): unknown/expired challenge, an agent that
  // cannot log in or has no passkey.
  Result<PasskeyLoginOptions> PasskeyOptions(std::string_view challenge_token);

  // Step 2 with a passkey: spends the challenge on success; a refused
  // assertion counts towards lock-out and against the challenge.
  // Unauthenticated (kLoginFailed): as VerifySecondFactor, or any WebAuthn
  // check failing (logged by the caller's audit event, not told the client).
  // DataLoss: the agent's stored key no longer reads (not counted against
  // the agent: no lock-out; counted against the challenge, as any refusal).
  Result<Agent> VerifyPasskey(std::string_view challenge_token, const PasskeyAssertion& assertion,
                              const webauthn::RelyingParty& rp, std::string_view source_address);

  // The agent of `challenge_token` if it is a login challenge not yet spent
  // or expired: one read, nothing written or recorded (step 2 checks
  // everything again).
  Result<std::optional<int64_t>> LiveChallengeAgent(std::string_view challenge_token);

  // The WebAuthn challenge of the login whose token is `challenge_token`.
  static std::vector<uint8_t> PasskeyChallengeFor(std::string_view challenge_token);

  // Step-up: a fresh TOTP code from an agent already logged in (the session
  // component decides when one is due). Same TOTP, replay and lock-out rules
  // as step 2. Unauthenticated (kLoginFailed): inactive agent, wrong or
  // replayed code. DataLoss / Internal: as VerifySecondFactor.
  Result<void> VerifyFreshSecondFactor(int64_t agent_id, std::string_view code,
                                       std::string_view source_address);

  // The agent a failure of this Authenticator's calls locked out, if any
  // (for the audit log's distinct lock-out event).
  std::optional<int64_t> locked_agent() const { return locked_agent_; }
  // Whether a refused step-up's wrong codes now lock the account on their
  // own (passwords not counted): the session may be stolen, and ends.
  bool step_up_locked_out() const { return step_up_locked_out_; }
  // The agent a refused second factor was for (a live login challenge's,
  // with a wrong code or passkey, or a seed or stored passkey that does not
  // open), if any: the audit log names it, so the refusal is recorded
  // against its agent and the detection rules count the wrong factors (the
  // kUnauthenticated ones) against it.
  std::optional<int64_t> refused_agent() const { return refused_agent_; }
  // Whether the service number the last VerifyPassword was given names an
  // agent (one that can log in or not): what was typed is then no password.
  bool named_an_agent() const { return named_an_agent_; }
  // What the last VerifyPasskey made of the assertion, for its audit event:
  // "passkey=<id>", or "passkey=<id> refused: <why>" (a counter that went
  // back is a cloned authenticator), or "passkey refused: <why>" when it is
  // none of the agent's; empty when no passkey was looked at.
  const std::string& passkey_outcome() const { return passkey_outcome_; }

 private:
  void ForgetAttemptOutcome() {
    locked_agent_.reset();
    step_up_locked_out_ = false;
    refused_agent_.reset();
    named_an_agent_ = false;
    passkey_outcome_.clear();
  }
  // Inside the caller's write transaction: checks `code` for an agent that
  // can log in (for a step-up, also one locked by too few wrong codes to
  // lock on their own),
  // persists the step on success, records a failure otherwise. Returns
  // whether the code was accepted.
  enum class TotpUse { kLogin, kStepUp };
  Result<bool> CheckTotp(int64_t agent_id, std::string_view code, std::string_view source_address,
                         int64_t now, TotpUse use);
  // A password attempt against an agent, recorded as failed before its hash
  // is checked, or a refusal naming no agent that can be found (`agent_id`
  // nullopt): either way one committed write, queued behind the other
  // attempts for the same `service_number` (normalised).
  Result<internal::RecordedFailure> RecordPasswordFailure(std::string_view service_number,
                                                          std::optional<int64_t> agent_id,
                                                          std::string_view source_address,
                                                          int64_t now);
  // The live challenge and its agent, who can log in; nullopt otherwise (a
  // challenge whose agent cannot log in is deleted).
  Result<std::optional<int64_t>> ChallengeAgent(std::string_view challenge_token, int64_t now);

  // The key the agent's seed was sealed under: the current one, or (after a
  // rotation) an earlier one of the keyring by its id.
  Result<const crypto::DataKey*> SeedKey(uint32_t key_id) const;

  store::Connection* db_;
  const Clock* clock_;
  const crypto::DataKey* totp_seed_key_;
  const crypto::Keyring* earlier_seed_keys_ = nullptr;
  PasswordHasher* hasher_;
  IdentityOptions options_;
  std::optional<int64_t> locked_agent_;
  bool step_up_locked_out_ = false;
  std::optional<int64_t> refused_agent_;
  bool named_an_agent_ = false;
  std::string passkey_outcome_;
};

// What the refusals of step 1 must cost (IdentityOptions::refusal_argon2).
struct RefusalPrice {
  crypto::Argon2Params params;  // one lane: a dummy is made by libsodium
  // Agents whose hash is costlier than `ceiling` (at most 10): not counted.
  std::vector<std::string> beyond_ceiling;
};

// The costliest of `current` and the parameters of the hashes that step 1
// may verify (active or locked agents). Security: after the parameters are
// lowered, the agents who have not logged in since hold costlier hashes;
// refusals timed at the current parameters would single them out. A hash
// costlier than `ceiling` (what the configuration allows) is no setting of
// ours but a planted or corrupted row: one such must not make every refusal
// (and so every guess at an unknown service number) exhaust the hashers; its
// agent is named instead. Reads only the hashes not made with `current` (the
// dormant ones); unparsable hashes are skipped (VerifyPassword reports them).
Result<RefusalPrice> CostliestPasswordParams(store::Connection& db,
                                             const crypto::Argon2Params& current,
                                             const crypto::Argon2Params& ceiling);

}  // namespace vigie::identity
