#include "webauthn/webauthn.h"

#include <vector>

#include "crypto/hash.h"
#include "webauthn/internal/attestation_object.h"
#include "webauthn/internal/authenticator_data.h"
#include "webauthn/internal/client_data.h"
#include "webauthn/internal/cose_key.h"

namespace vigie::webauthn {
namespace {

using internal::kFlagBackupEligible;
using internal::kFlagBackupState;

// Security: the sizes browsers really send are far below these; anything
// larger is refused before it is parsed.
constexpr size_t kMaxClientDataJsonSize = 4 * 1024;
constexpr size_t kMaxAttestationObjectSize = 16 * 1024;
constexpr size_t kMaxAuthenticatorDataSize = 16 * 1024;
constexpr size_t kMaxSignatureSize = 1024;  // DER ES256 is at most 72 bytes, EdDSA 64
// WebAuthn L3 §13.4.3: challenges of at least 16 random bytes.
constexpr size_t kMinChallengeSize = 16;

Result<void> CheckSizes(ByteView challenge, ByteView client_data_json) {
  if (challenge.size() < kMinChallengeSize) {
    return Fail(ErrorCode::kInvalidArgument, "challenge shorter than 16 bytes");
  }
  if (client_data_json.size() > kMaxClientDataJsonSize) {
    return Fail(ErrorCode::kInvalidArgument, "clientDataJSON larger than 4 KiB");
  }
  return {};
}

std::unexpected<Error> TooLarge(std::string_view what) {
  return Fail(ErrorCode::kInvalidArgument, std::string(what) + " too large");
}

}  // namespace

Result<RegisteredCredential> VerifyRegistration(const RelyingParty& rp, ByteView challenge,
                                                ByteView client_data_json,
                                                ByteView attestation_object) {
  RETURN_IF_ERROR(CheckSizes(challenge, client_data_json));
  if (attestation_object.size() > kMaxAttestationObjectSize) return TooLarge("attestation object");
  RETURN_IF_ERROR(
      internal::CheckClientData(client_data_json, internal::kTypeCreate, challenge, rp));

  ASSIGN_OR_RETURN(internal::AttestationObject attestation,
                   internal::ParseAttestationObject(attestation_object));
  // Security: "none" only: Vigie trusts the agent's enrolment session, not
  // the authenticator's make, and does not check attestation chains.
  if (attestation.fmt != "none") {
    return Fail(ErrorCode::kUnauthenticated,
                "attestation format \"" + attestation.fmt + "\" is not accepted (only none)");
  }
  if (attestation.attestation_statement_size != 0) {
    return Fail(ErrorCode::kUnauthenticated, "attestation format none with a non-empty attStmt");
  }

  ASSIGN_OR_RETURN(internal::AuthenticatorData data,
                   internal::ParseAuthenticatorData(attestation.authenticator_data));
  RETURN_IF_ERROR(internal::CheckRelyingPartyAndUser(data, rp.id));
  if (!data.attested) {
    return Fail(ErrorCode::kUnauthenticated, "registration without attested credential data");
  }
  const internal::AttestedCredential& attested = *data.attested;
  ASSIGN_OR_RETURN(internal::CosePublicKey key,
                   internal::CosePublicKey::Parse(attested.public_key_cose));

  RegisteredCredential credential;
  credential.credential_id.assign(attested.credential_id.begin(), attested.credential_id.end());
  credential.public_key_cose.assign(attested.public_key_cose.begin(),
                                    attested.public_key_cose.end());
  credential.algorithm = key.algorithm();
  credential.sign_count = data.sign_count;
  credential.backup_eligible = data.Has(kFlagBackupEligible);
  credential.backup_state = data.Has(kFlagBackupState);
  credential.aaguid.assign(attested.aaguid.begin(), attested.aaguid.end());
  return credential;
}

Result<VerifiedAssertion> VerifyAssertion(const RelyingParty& rp, ByteView challenge,
                                          const StoredCredential& credential,
                                          ByteView client_data_json, ByteView authenticator_data,
                                          ByteView signature) {
  RETURN_IF_ERROR(CheckSizes(challenge, client_data_json));
  if (authenticator_data.size() > kMaxAuthenticatorDataSize) {
    return TooLarge("authenticator data");
  }
  if (signature.size() > kMaxSignatureSize) return TooLarge("signature");
  auto key = internal::CosePublicKey::Parse(credential.public_key_cose);
  // The stored key was checked at registration: one that no longer reads is
  // the server's data gone bad, not the answer's fault.
  if (!key) {
    return Fail(ErrorCode::kDataLoss, "stored credential: " + std::string(key.error().message()));
  }
  RETURN_IF_ERROR(internal::CheckClientData(client_data_json, internal::kTypeGet, challenge, rp));

  ASSIGN_OR_RETURN(internal::AuthenticatorData data,
                   internal::ParseAuthenticatorData(authenticator_data));
  if (data.attested) {
    return Fail(ErrorCode::kInvalidArgument, "assertion with attested credential data");
  }
  RETURN_IF_ERROR(internal::CheckRelyingPartyAndUser(data, rp.id));
  // Security: BE is fixed when the credential is created (§6.1.3); a change
  // means another credential or a tampered one.
  if (data.Has(kFlagBackupEligible) != credential.backup_eligible) {
    return Fail(ErrorCode::kUnauthenticated, "backup eligibility (BE) changed since registration");
  }

  // §7.2 steps 20-21: the signature covers authenticatorData || SHA-256(clientDataJSON).
  crypto::Sha256Digest client_data_hash = crypto::Sha256(client_data_json);
  std::vector<uint8_t> signed_bytes(authenticator_data.begin(), authenticator_data.end());
  signed_bytes.insert(signed_bytes.end(), client_data_hash.begin(), client_data_hash.end());
  RETURN_IF_ERROR(key->Verify(signed_bytes, signature));

  // §7.2 step 22. A counter that stays at zero is an authenticator that keeps
  // none (synced passkeys do so): nothing to compare then.
  if ((credential.sign_count != 0 || data.sign_count != 0) &&
      data.sign_count <= credential.sign_count) {
    return Fail(ErrorCode::kUnauthenticated, std::string(kCounterWentBack));
  }
  return VerifiedAssertion{data.sign_count, data.Has(kFlagBackupState)};
}

}  // namespace vigie::webauthn
