#include "identity/passkeys.h"

#include <algorithm>

#include "crypto/random.h"
#include "identity/internal/passkey_rows.h"
#include "identity/internal/text.h"
#include "identity/model.h"
#include "store/retry.h"

namespace vigie::identity {
namespace {

constexpr size_t kChallengeBytes = 32;

// The passkey's label, as the agent named it: a display name, capped shorter.
Result<std::string> ValidatePasskeyName(std::string_view name) {
  if (internal::TrimSpaces(name).empty()) return std::string("passkey");
  ASSIGN_OR_RETURN(std::string trimmed, ValidateName("passkey name", name));
  if (internal::CodePointCount(trimmed) > kMaxPasskeyNameChars) {
    return Fail(ErrorCode::kInvalidArgument, "passkey name: at most 64 characters");
  }
  return trimmed;
}

}  // namespace

Result<std::vector<Passkey>> PasskeyRegistry::List(int64_t agent_id) {
  return internal::LoadPasskeys(*db_, agent_id);
}

Result<std::vector<uint8_t>> PasskeyRegistry::BeginRegistration(int64_t agent_id) {
  const int64_t now = UnixSeconds(clock_->Now());
  // A conflict on PostgreSQL (another request for the same agent) is run again.
  return store::RetryOnConflict([&]() -> Result<std::vector<uint8_t>> {
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(*db_));
    ASSIGN_OR_RETURN(std::vector<Passkey> existing, internal::LoadPasskeys(*db_, agent_id));
    if (existing.size() >= kMaxPasskeysPerAgent) {
      return Fail(ErrorCode::kConflict, "at most 10 passkeys per agent: remove one first");
    }
    std::vector<uint8_t> challenge = crypto::RandomBytes(kChallengeBytes);
    ASSIGN_OR_RETURN(
        store::Statement * upsert,
        db_->Prepare("INSERT INTO passkey_challenge (agent_id, challenge, expires_at) "
                     "VALUES ($1, $2, $3) ON CONFLICT (agent_id) DO UPDATE SET "
                     "challenge = excluded.challenge, expires_at = excluded.expires_at"));
    upsert->BindInt(1, agent_id).BindBlob(2, challenge).BindInt(3, now + kPasskeyChallengeSeconds);
    RETURN_IF_ERROR(upsert->Run());
    RETURN_IF_ERROR(tx.Commit());
    return challenge;
  });
}

Result<Passkey> PasskeyRegistry::FinishRegistration(int64_t agent_id,
                                                    const webauthn::RelyingParty& rp,
                                                    const NewPasskey& answer,
                                                    const BeforeCommit& before_commit) {
  const int64_t now = UnixSeconds(clock_->Now());
  ASSIGN_OR_RETURN(std::string name, ValidatePasskeyName(answer.name));
  // A conflict on PostgreSQL (another request for the same agent) is run again.
  return store::RetryOnConflict([&]() -> Result<Passkey> {
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(*db_));
    ASSIGN_OR_RETURN(std::optional<std::vector<uint8_t>> challenge,
                     internal::TakeRegistrationChallenge(*db_, agent_id, now));
    if (!challenge) {
      RETURN_IF_ERROR(tx.Commit());  // keeps the deletion of an expired one
      return Fail(ErrorCode::kConflict,
                  "no passkey registration in progress (or it expired): start again");
    }
    auto verified = webauthn::VerifyRegistration(rp, *challenge, answer.client_data_json,
                                                 answer.attestation_object);
    if (!verified) {
      // Security: the challenge is spent even by a bad answer (no retries on it).
      RETURN_IF_ERROR(tx.Commit());
      return Fail(ErrorCode::kInvalidArgument,
                  "the passkey was not accepted: " + verified.error().message());
    }
    ASSIGN_OR_RETURN(bool taken, internal::CredentialExists(*db_, verified->credential_id));
    if (taken) {
      RETURN_IF_ERROR(tx.Commit());
      return Fail(ErrorCode::kConflict, "this passkey is registered already");
    }
    Passkey passkey{.agent_id = agent_id,
                    .credential_id = std::move(verified->credential_id),
                    .name = name,  // a copy: a retried attempt needs it again
                    .algorithm = verified->algorithm,
                    .backup_eligible = verified->backup_eligible,
                    .backup_state = verified->backup_state,
                    .transports = internal::KnownTransports(answer.transports),
                    .created_at = now};
    ASSIGN_OR_RETURN(passkey.id, internal::InsertPasskey(*db_, passkey, verified->public_key_cose,
                                                         verified->sign_count));
    if (before_commit) RETURN_IF_ERROR(before_commit(passkey));
    RETURN_IF_ERROR(tx.Commit());
    return passkey;
  });
}

Result<Passkey> PasskeyRegistry::Remove(int64_t agent_id, int64_t passkey_id,
                                        const BeforeCommit& before_commit) {
  // A conflict on PostgreSQL (another request for the same agent) is run again.
  return store::RetryOnConflict([&]() -> Result<Passkey> {
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(*db_));
    ASSIGN_OR_RETURN(std::vector<Passkey> passkeys, internal::LoadPasskeys(*db_, agent_id));
    auto found = std::find_if(passkeys.begin(), passkeys.end(),
                              [&](const Passkey& p) { return p.id == passkey_id; });
    if (found == passkeys.end()) return Fail(ErrorCode::kNotFound, "no such passkey");
    ASSIGN_OR_RETURN(store::Statement * drop,
                     db_->Prepare("DELETE FROM passkey WHERE id = $1 AND agent_id = $2"));
    drop->BindInt(1, passkey_id).BindInt(2, agent_id);
    RETURN_IF_ERROR(drop->Run());
    if (before_commit) RETURN_IF_ERROR(before_commit(*found));
    RETURN_IF_ERROR(tx.Commit());
    return std::move(*found);
  });
}

}  // namespace vigie::identity
