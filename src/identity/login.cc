#include "identity/login.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <tuple>
#include <utility>

#include "core/log.h"
#include "crypto/hash.h"
#include "crypto/totp.h"
#include "identity/internal/agent_rows.h"
#include "identity/internal/codes.h"
#include "identity/internal/lockout.h"
#include "identity/internal/login_challenge.h"
#include "identity/internal/passkey_rows.h"
#include "identity/internal/totp_seed.h"
#include "store/advisory_key.h"
#include "store/retry.h"

namespace vigie::identity {
namespace {

std::unexpected<Error> LoginFailed() {
  return Fail(ErrorCode::kUnauthenticated, std::string(kLoginFailed));
}

// A hash of a random password under one parameter set, made once and kept
// for the process's life: verifying against it costs what verifying a real
// hash costs. `verify_ns`: how long the last such verification took.
struct DummyHash {
  std::string phc;
  std::atomic<int64_t> verify_ns{0};
};

Result<DummyHash*> DummyFor(PasswordHasher& hasher, const crypto::Argon2Params& params) {
  static std::mutex mutex;
  static std::map<std::tuple<uint32_t, uint32_t, uint32_t>, std::unique_ptr<DummyHash>> hashes;
  auto key = std::make_tuple(params.t_cost, params.m_cost_kib, params.parallelism);
  {
    std::lock_guard lock(mutex);
    auto found = hashes.find(key);
    if (found != hashes.end()) return found->second.get();
  }
  crypto::SecretBytes random = crypto::SecretBytes::Random(32);
  ASSIGN_OR_RETURN(std::string phc, hasher.Hash(crypto::Base64UrlEncode(random.view()), params));
  auto made = std::make_unique<DummyHash>();
  made->phc = std::move(phc);
  // Timed once now, so that a refusal against an older, cheaper hash can be
  // padded to it without a verification of its own (which a busy pool
  // could refuse).
  PasswordHasher::Room unheld;
  std::chrono::nanoseconds hashing{0};
  if (hasher.VerifyInRoom(unheld, made->phc, "timing", &hashing).has_value()) {
    made->verify_ns.store(hashing.count());
  }
  std::lock_guard lock(mutex);
  return hashes.emplace(key, std::move(made)).first->second.get();
}

Result<void> VerifyDummy(PasswordHasher& hasher, PasswordHasher::Room& room, DummyHash& dummy,
                         std::string_view password) {
  std::chrono::nanoseconds hashing{0};
  ASSIGN_OR_RETURN(bool ignored, hasher.VerifyInRoom(room, dummy.phc, password, &hashing));
  (void)ignored;
  // Only a real hashing's time: a password too long to hash is refused at
  // once, and its few microseconds would leave the next padded refusal
  // unpadded (an account with a cheaper hash then told apart).
  if (password.size() <= crypto::kMaxPasswordBytes) dummy.verify_ns.store(hashing.count());
  return {};
}

bool CanLogIn(const internal::AgentRow& row) {
  return row.agent.status == AgentStatus::kActive && row.password_hash.has_value() &&
         !row.totp_sealed.empty();
}

}  // namespace

Result<internal::RecordedFailure> Authenticator::RecordPasswordFailure(
    std::string_view service_number, std::optional<int64_t> agent_id,
    std::string_view source_address, int64_t now) {
  // Security: concurrent refusals for one service number take turns in its
  // queue rather than conflicting. On PostgreSQL, conflicting failures
  // against a real agent (they count its failures) were run again after a
  // pause, and unknown service numbers' (plain inserts) never were: a burst
  // of attempts told which service numbers exist by its slowest answers.
  // Both now wait in the same queue, keyed by the service number alone.
  const int64_t queue = store::AdvisoryKey("login-refusal", service_number);
  return store::RetryOnConflict([&]() -> Result<internal::RecordedFailure> {
    ASSIGN_OR_RETURN(auto tx, store::Transaction::BeginQueued(*db_, queue));
    if (!agent_id) {
      RETURN_IF_ERROR(internal::RecordUnknownLoginFailure(*db_, source_address, now));
      RETURN_IF_ERROR(tx.Commit());
      return internal::RecordedFailure{};
    }
    ASSIGN_OR_RETURN(internal::RecordedFailure recorded,
                     internal::RecordLoginFailure(*db_, *agent_id, internal::Factor::kPassword,
                                                  source_address, now, options_));
    RETURN_IF_ERROR(tx.Commit());
    if (recorded.locked) locked_agent_ = agent_id;
    return recorded;
  });
}

Result<LoginChallenge> Authenticator::VerifyPassword(std::string_view service_number,
                                                     std::string_view password,
                                                     std::string_view source_address) {
  ForgetAttemptOutcome();
  int64_t now = UnixSeconds(clock_->Now());
  std::string normalised = internal::UpperAscii(service_number);
  std::optional<internal::AgentRow> row;
  if (ValidateCode("service number", normalised)) {
    ASSIGN_OR_RETURN(row, internal::LoadAgentByServiceNumber(*db_, normalised, now));
  }
  named_an_agent_ = row.has_value();

  // Security: exactly one Argon2id verification and one committed failure on
  // every refusal's path, so the time taken does not reveal whether the
  // account exists or can log in. The verification's place on the hasher is
  // held first: a full hasher refuses every attempt alike, before it leaves
  // a trace (a counted failure whose password was never checked).
  const crypto::Argon2Params refusal_params = options_.refusal_argon2.value_or(options_.argon2);
  ASSIGN_OR_RETURN(DummyHash * dummy, DummyFor(*hasher_, refusal_params));
  ASSIGN_OR_RETURN(PasswordHasher::Room room, hasher_->Reserve());
  if (!row || !CanLogIn(*row)) {
    RETURN_IF_ERROR(VerifyDummy(*hasher_, room, *dummy, password));
    std::optional<int64_t> agent_id;
    if (row) agent_id = row->agent.id;
    RETURN_IF_ERROR(RecordPasswordFailure(normalised, agent_id, source_address, now));
    return LoginFailed();
  }
  // Security: the attempt counts as a failure before its hash is checked, in
  // the service number's queue. Concurrent guesses each take a place under
  // the lock-out threshold, the one that reaches it locks the account, and
  // none after it is checked against the real hash: a burst of N guesses is
  // not N tries. A right password takes its failure (and its lock) back.
  ASSIGN_OR_RETURN(internal::RecordedFailure reserved,
                   RecordPasswordFailure(normalised, row->agent.id, source_address, now));
  if (!reserved.counted) {  // locked or suspended since it was read
    RETURN_IF_ERROR(VerifyDummy(*hasher_, room, *dummy, password));
    return LoginFailed();
  }
  std::chrono::nanoseconds hashing{0};
  ASSIGN_OR_RETURN(bool matches,
                   hasher_->VerifyInRoom(room, *row->password_hash, password, &hashing));
  if (!matches) {
    // A password too long to hash was refused at once, as an unknown
    // service number's is: nothing to pad.
    if (password.size() <= crypto::kMaxPasswordBytes &&
        crypto::NeedsRehash(*row->password_hash, refusal_params)) {
      // Security: a hash made under cheaper parameters (older ones, before
      // they were raised; the current ones, when a dormant agent's hash is
      // costlier) verifies faster than the dummy: the refusal lasts as long
      // as an unknown service number's, or its time would tell them apart.
      // Hashing times only, the waits for a worker left out: this wait was
      // the refusal's own, as an unknown service number's is.
      if (const int64_t ns = dummy->verify_ns.load(); ns != 0) {
        std::this_thread::sleep_for(std::chrono::nanoseconds(ns) - hashing);
      } else {
        // Only pads the time (the held place went to the check above).
        PasswordHasher::Room unheld;
        (void)VerifyDummy(*hasher_, unheld, *dummy, password);
      }
    }
    return LoginFailed();  // its failure is recorded already
  }

  // The upgrade to current parameters is opportunistic: a hasher too busy
  // for it (no place was held) leaves it to the next login, rather than fail
  // a right password whose failure is already counted.
  std::optional<std::string> rehashed;
  if (crypto::NeedsRehash(*row->password_hash, options_.argon2)) {
    if (auto hashed = hasher_->Hash(password, options_.argon2); hashed) {
      rehashed = std::move(*hashed);
    } else {
      Log(LogLevel::kWarn, "password_rehash_skipped", {{"error", hashed.error().message()}});
    }
  }

  // The hash the password was checked against. Another login of the agent
  // may upgrade it meanwhile (after the parameters were raised): the
  // password is then checked against the new one before it is taken.
  std::string checked_hash = *row->password_hash;
  std::optional<std::string> upgraded_meanwhile;
  // Hashed once: only the transaction below runs again on a conflict.
  auto take = [&]() -> Result<LoginChallenge> {
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(*db_));
    RETURN_IF_ERROR(
        internal::WithdrawPasswordFailure(*db_, row->agent.id, reserved, source_address, now));
    // The agent may have been suspended, reset or locked while we hashed
    // (then the failure stays: the transaction is not committed).
    ASSIGN_OR_RETURN(auto current, internal::LoadAgentById(*db_, row->agent.id, now));
    if (!current || !CanLogIn(*current) || !current->password_hash) return LoginFailed();
    if (*current->password_hash != checked_hash) {
      upgraded_meanwhile = *current->password_hash;
      return LoginFailed();
    }
    if (rehashed) {
      ASSIGN_OR_RETURN(store::Statement * update,
                       db_->Prepare("UPDATE agent SET password_hash = $2, updated_at = $3 "
                                    "WHERE id = $1"));
      update->BindInt(1, row->agent.id).BindText(2, *rehashed).BindInt(3, now);
      RETURN_IF_ERROR(update->Run());
    }
    LoginChallenge challenge;
    challenge.expires_at = now + options_.challenge_lifetime.count();
    ASSIGN_OR_RETURN(std::vector<Passkey> passkeys, internal::LoadPasskeys(*db_, row->agent.id));
    challenge.has_passkey = !passkeys.empty();
    ASSIGN_OR_RETURN(challenge.token, internal::CreateChallenge(*db_, row->agent.id, source_address,
                                                                now, challenge.expires_at));
    RETURN_IF_ERROR(tx.Commit());
    if (reserved.locked) locked_agent_.reset();  // the lock was taken back
    return challenge;
  };
  Result<LoginChallenge> taken = store::RetryOnConflict(take);
  if (taken || !upgraded_meanwhile) return taken;
  // Once: a hash changed again, or one the password does not match (a new
  // password set meanwhile), refuses it; the failure stays counted.
  checked_hash = *std::exchange(upgraded_meanwhile, std::nullopt);
  Result<bool> still_matches = [&]() -> Result<bool> {
    ASSIGN_OR_RETURN(PasswordHasher::Room again, hasher_->Reserve());
    return hasher_->VerifyInRoom(again, checked_hash, password);
  }();
  if (!still_matches) {
    // The hasher refused the check (full, stopping): ours, not the agent's.
    // The password matched the hash it was first checked against, so its
    // failure (and any lock it made) is taken back.
    Result<void> withdrawn = store::RetryOnConflict([&]() -> Result<void> {
      ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(*db_));
      RETURN_IF_ERROR(
          internal::WithdrawPasswordFailure(*db_, row->agent.id, reserved, source_address, now));
      return tx.Commit();
    });
    if (!withdrawn) {
      Log(LogLevel::kError, "password_failure_not_withdrawn",
          {{"agent_id", std::to_string(row->agent.id)}, {"error", withdrawn.error().message()}});
    } else if (reserved.locked) {
      locked_agent_.reset();
    }
    return Fail(still_matches.error());
  }
  if (!*still_matches) return LoginFailed();
  if (rehashed && !crypto::NeedsRehash(checked_hash, options_.argon2)) rehashed.reset();
  return store::RetryOnConflict(take);
}

Result<const crypto::DataKey*> Authenticator::SeedKey(uint32_t key_id) const {
  if (key_id == totp_seed_key_->id || earlier_seed_keys_ == nullptr) return totp_seed_key_;
  Result<const crypto::DataKey*> found = earlier_seed_keys_->ById(key_id);
  // Not a missing agent: this node cannot read what is stored.
  if (!found) {
    return Fail(ErrorCode::kDataLoss, "a TOTP seed is sealed under key " + std::to_string(key_id) +
                                          ", which this node's key file lacks");
  }
  const crypto::DataKey* key = *found;
  // Security: only a seed key opens seeds, whatever id the row names.
  if (key->purpose != totp_seed_key_->purpose) {
    return Fail(ErrorCode::kDataLoss, "a TOTP seed names a key of another purpose");
  }
  return key;
}

Result<bool> Authenticator::CheckTotp(int64_t agent_id, std::string_view code,
                                      std::string_view source_address, int64_t now, TotpUse use) {
  ASSIGN_OR_RETURN(auto row, internal::LoadAgentById(*db_, agent_id, now));
  if (!row) return false;
  // Security: a lock-out stops logins, not live sessions. Wrong passwords
  // from anyone who knows a service number must not leave the agent's
  // session unable to step up, nor end it with one typo of the agent's;
  // wrong codes (a session's or a password holder's) enough to lock on
  // their own do. The lock stays.
  const int64_t threshold = std::max(1, options_.lockout_threshold);
  bool locked_by_passwords = false;
  if (use == TotpUse::kStepUp && row->agent.status == AgentStatus::kLocked &&
      row->password_hash.has_value() && !row->totp_sealed.empty()) {
    ASSIGN_OR_RETURN(const int64_t codes,
                     internal::SecondFactorFailuresInLock(*db_, row->agent.id,
                                                          row->agent.locked_until, options_));
    locked_by_passwords = codes < threshold;
  }
  if (!CanLogIn(*row) && !locked_by_passwords) return false;
  ASSIGN_OR_RETURN(const crypto::DataKey* seed_key, SeedKey(row->totp_key_id));
  ASSIGN_OR_RETURN(
      crypto::SecretBytes seed,
      internal::OpenTotpSeed(*seed_key, row->agent.id, row->totp_key_id, row->totp_sealed));
  std::optional<int64_t> step = crypto::TotpVerify(seed.view(), code, now, options_.totp);
  // Security: a code works once — its step must be later than the last one
  // accepted, which also refuses every earlier code still inside the window.
  if (step && *step > row->totp_last_step) {
    // Security: a step-up only spends the code. It proves a live session and
    // a code, nothing about the failures counted (another's wrong codes or
    // passwords): forgetting them would give whoever holds the password a
    // fresh guessing budget at each of the agent's step-ups. A full login
    // (password and code) clears them. Under a lock made by passwords, the
    // lock stays too.
    const bool spend_only = locked_by_passwords || use == TotpUse::kStepUp;
    ASSIGN_OR_RETURN(
        store::Statement * spend,
        db_->Prepare(spend_only ? "UPDATE agent SET totp_last_step = $2, updated_at = $3 "
                                  "WHERE id = $1 AND totp_last_step < $2"
                                : "UPDATE agent SET totp_last_step = $2, status = 'active', "
                                  "locked_until = 0, failure_count_since = $3, updated_at = $3 "
                                  "WHERE id = $1 AND totp_last_step < $2"));
    spend->BindInt(1, row->agent.id).BindInt(2, *step).BindInt(3, now);
    ASSIGN_OR_RETURN(int64_t changed, spend->Run());
    if (changed == 1 && spend_only) return true;
    if (changed == 1) {
      RETURN_IF_ERROR(internal::ForgetLoginFailures(*db_, row->agent.id));
      RETURN_IF_ERROR(internal::PruneUnknownLoginFailures(*db_, now, options_));
      return true;
    }
  }
  ASSIGN_OR_RETURN(internal::RecordedFailure failure,
                   internal::RecordLoginFailure(*db_, row->agent.id, internal::Factor::kTotp,
                                                source_address, now, options_));
  if (failure.locked) locked_agent_ = row->agent.id;
  const int64_t lock_end = failure.locked        ? failure.locked_until
                           : locked_by_passwords ? row->agent.locked_until
                                                 : 0;
  if (use == TotpUse::kStepUp && lock_end > now) {
    ASSIGN_OR_RETURN(const int64_t codes,
                     internal::SecondFactorFailuresInLock(*db_, row->agent.id, lock_end, options_));
    step_up_locked_out_ = codes >= threshold;
  }
  return false;
}

Result<Agent> Authenticator::VerifySecondFactor(std::string_view challenge_token,
                                                std::string_view code,
                                                std::string_view source_address) {
  return store::RetryOnConflict([&]() -> Result<Agent> {
    ForgetAttemptOutcome();  // an attempt rolled back on a conflict locked no one
    if (challenge_token.empty() || challenge_token.size() > internal::kMaxChallengeTokenLength) {
      return LoginFailed();
    }
    int64_t now = UnixSeconds(clock_->Now());
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(*db_));
    ASSIGN_OR_RETURN(auto challenge, internal::FindChallenge(*db_, challenge_token, now));
    if (!challenge) {
      RETURN_IF_ERROR(tx.Commit());  // keeps the deletion of an expired challenge
      return LoginFailed();
    }
    ASSIGN_OR_RETURN(auto row, internal::LoadAgentById(*db_, challenge->agent_id, now));
    if (!row || !CanLogIn(*row)) {
      RETURN_IF_ERROR(internal::DeleteChallenge(*db_, challenge_token));
      RETURN_IF_ERROR(tx.Commit());
      return LoginFailed();
    }
    Result<bool> checked = CheckTotp(row->agent.id, code, source_address, now, TotpUse::kLogin);
    // Named in the log short of a success, a seed that does not open too.
    if (!checked || !*checked) refused_agent_ = row->agent.id;
    ASSIGN_OR_RETURN(bool accepted, std::move(checked));
    if (!accepted) {
      RETURN_IF_ERROR(
          internal::CountWrongCode(*db_, challenge_token, options_.challenge_max_attempts));
      RETURN_IF_ERROR(tx.Commit());
      return LoginFailed();
    }
    RETURN_IF_ERROR(internal::DeleteChallenge(*db_, challenge_token));
    ASSIGN_OR_RETURN(auto updated, internal::LoadAgentById(*db_, row->agent.id, now));
    if (!updated) return Fail(ErrorCode::kInternal, "agent vanished during login");
    RETURN_IF_ERROR(tx.Commit());
    return std::move(updated->agent);
  });
}

std::vector<uint8_t> Authenticator::PasskeyChallengeFor(std::string_view challenge_token) {
  crypto::Sha256Hasher hasher;
  hasher.Update(std::string_view("vigie/passkey-login/v1\n"));
  hasher.Update(challenge_token);
  const crypto::Sha256Digest digest = hasher.Final();
  return {digest.begin(), digest.end()};
}

Result<std::optional<int64_t>> Authenticator::LiveChallengeAgent(std::string_view challenge_token) {
  return internal::LiveChallengeAgent(*db_, challenge_token, UnixSeconds(clock_->Now()));
}

Result<std::optional<int64_t>> Authenticator::ChallengeAgent(std::string_view challenge_token,
                                                             int64_t now) {
  if (challenge_token.empty() || challenge_token.size() > internal::kMaxChallengeTokenLength) {
    return std::optional<int64_t>();
  }
  ASSIGN_OR_RETURN(auto challenge, internal::FindChallenge(*db_, challenge_token, now));
  if (!challenge) return std::optional<int64_t>();
  ASSIGN_OR_RETURN(auto row, internal::LoadAgentById(*db_, challenge->agent_id, now));
  if (!row || !CanLogIn(*row)) {
    RETURN_IF_ERROR(internal::DeleteChallenge(*db_, challenge_token));
    return std::optional<int64_t>();
  }
  return std::optional<int64_t>(row->agent.id);
}

Result<PasskeyLoginOptions> Authenticator::PasskeyOptions(std::string_view challenge_token) {
  const int64_t now = UnixSeconds(clock_->Now());
  PasskeyLoginOptions options;
  RETURN_IF_ERROR(store::RetryOnConflict([&]() -> Result<void> {
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(*db_));
    ASSIGN_OR_RETURN(std::optional<int64_t> agent_id, ChallengeAgent(challenge_token, now));
    options.passkeys.clear();
    if (agent_id) {
      ASSIGN_OR_RETURN(options.passkeys, internal::LoadPasskeys(*db_, *agent_id));
    }
    return tx.Commit();
  }));
  if (options.passkeys.empty()) return LoginFailed();
  options.challenge = PasskeyChallengeFor(challenge_token);
  return options;
}

Result<Agent> Authenticator::VerifyPasskey(std::string_view challenge_token,
                                           const PasskeyAssertion& assertion,
                                           const webauthn::RelyingParty& rp,
                                           std::string_view source_address) {
  return store::RetryOnConflict([&]() -> Result<Agent> {
    ForgetAttemptOutcome();  // an attempt rolled back on a conflict locked no one
    const int64_t now = UnixSeconds(clock_->Now());
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(*db_));
    ASSIGN_OR_RETURN(std::optional<int64_t> agent_id, ChallengeAgent(challenge_token, now));
    if (!agent_id) {
      RETURN_IF_ERROR(tx.Commit());  // keeps the deletions
      return LoginFailed();
    }
    ASSIGN_OR_RETURN(auto stored, internal::FindPasskey(*db_, *agent_id, assertion.credential_id));
    Result<webauthn::VerifiedAssertion> verified =
        Fail(ErrorCode::kUnauthenticated, "not one of the agent's passkeys");
    if (stored) {
      const webauthn::StoredCredential credential{.public_key_cose = stored->public_key_cose,
                                                  .sign_count = stored->sign_count,
                                                  .backup_eligible = stored->passkey.backup_eligible};
      verified = webauthn::VerifyAssertion(rp, PasskeyChallengeFor(challenge_token), credential,
                                           assertion.client_data_json,
                                           assertion.authenticator_data, assertion.signature);
    }
    if (!verified) {
      // The client hears only kLoginFailed; the operators learn why (a counter
      // that went back is a cloned authenticator). A stored key gone bad
      // (DataLoss) is the server's fault, not the agent's failure: no
      // lock-out, no detection's login failure, and the error as it is. Both
      // count against the login's challenge, which bounds the tries (and the
      // log lines they write) per password step.
      const bool stored_bad = verified.error().code() == ErrorCode::kDataLoss;
      Log(stored_bad ? LogLevel::kError : LogLevel::kWarn,
          stored_bad ? "passkey_unusable" : "passkey_refused",
          {{"agent_id", std::to_string(*agent_id)}, {"reason", verified.error().message()}});
      passkey_outcome_ = (stored ? "passkey=" + std::to_string(stored->passkey.id) : "passkey") +
                         (stored_bad ? " unusable: " : " refused: ") + verified.error().message();
      RETURN_IF_ERROR(
          internal::CountWrongCode(*db_, challenge_token, options_.challenge_max_attempts));
      refused_agent_ = *agent_id;  // named in the log either way
      if (!stored_bad) {
        ASSIGN_OR_RETURN(internal::RecordedFailure failure,
                         internal::RecordLoginFailure(*db_, *agent_id, internal::Factor::kPasskey,
                                                      source_address, now, options_));
        if (failure.locked) locked_agent_ = *agent_id;
      }
      RETURN_IF_ERROR(tx.Commit());
      if (stored_bad) return Fail(verified.error());
      return LoginFailed();
    }
    RETURN_IF_ERROR(internal::RecordPasskeyUse(*db_, stored->passkey.id, verified->sign_count,
                                               verified->backup_state, now));
    passkey_outcome_ = "passkey=" + std::to_string(stored->passkey.id);
    // As a good TOTP code does: the failures so far are forgotten.
    ASSIGN_OR_RETURN(store::Statement * clear,
                     db_->Prepare("UPDATE agent SET status = 'active', locked_until = 0, "
                                  "failure_count_since = $2, updated_at = $2 WHERE id = $1"));
    clear->BindInt(1, *agent_id).BindInt(2, now);
    RETURN_IF_ERROR(clear->Run());
    RETURN_IF_ERROR(internal::ForgetLoginFailures(*db_, *agent_id));
    RETURN_IF_ERROR(internal::PruneUnknownLoginFailures(*db_, now, options_));
    RETURN_IF_ERROR(internal::DeleteChallenge(*db_, challenge_token));
    ASSIGN_OR_RETURN(auto updated, internal::LoadAgentById(*db_, *agent_id, now));
    if (!updated) return Fail(ErrorCode::kInternal, "agent vanished during login");
    RETURN_IF_ERROR(tx.Commit());
    return std::move(updated->agent);
  });
}

Result<void> Authenticator::VerifyFreshSecondFactor(int64_t agent_id, std::string_view code,
                                                    std::string_view source_address) {
  return store::RetryOnConflict([&]() -> Result<void> {
    ForgetAttemptOutcome();  // an attempt rolled back on a conflict locked no one
    int64_t now = UnixSeconds(clock_->Now());
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(*db_));
    ASSIGN_OR_RETURN(bool accepted,
                     CheckTotp(agent_id, code, source_address, now, TotpUse::kStepUp));
    RETURN_IF_ERROR(tx.Commit());
    if (!accepted) return LoginFailed();
    return {};
  });
}

Result<RefusalPrice> CostliestPasswordParams(store::Connection& db,
                                             const crypto::Argon2Params& current,
                                             const crypto::Argon2Params& ceiling) {
  RefusalPrice price{.params = current};
  // The current parameters' prefix, as libsodium writes it: most hashes
  // carry it and are not read. It holds no LIKE wildcard.
  const std::string current_prefix = "$argon2id$v=19$m=" + std::to_string(current.m_cost_kib) +
                                     ",t=" + std::to_string(current.t_cost) +
                                     ",p=" + std::to_string(current.parallelism) + "$%";
  ASSIGN_OR_RETURN(store::Statement * other,
                   db.Prepare("SELECT service_number, password_hash FROM agent "
                              "WHERE status IN ('active', 'locked') AND password_hash IS NOT NULL "
                              "AND password_hash NOT LIKE $1 ORDER BY id"));
  other->BindText(1, current_prefix);
  while (true) {
    ASSIGN_OR_RETURN(bool row, other->Step());
    if (!row) break;
    std::optional<crypto::Argon2Params> params = crypto::Argon2ParamsOf(other->ColumnText(1));
    if (!params) continue;
    if (params->t_cost > ceiling.t_cost || params->m_cost_kib > ceiling.m_cost_kib) {
      if (price.beyond_ceiling.size() < 10) {
        price.beyond_ceiling.emplace_back(other->ColumnText(0));
      }
    } else if (crypto::CostlierThan(*params, price.params)) {
      price.params = {.t_cost = params->t_cost, .m_cost_kib = params->m_cost_kib};
    }
  }
  return price;
}

}  // namespace vigie::identity
