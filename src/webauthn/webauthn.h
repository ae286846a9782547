#pragma once
// WebAuthn (Level 2/3) relying-party checks for passkeys used as a second
// factor: registration (attestation "none" only) and authentication
// (assertions), with COSE ES256 (-7) and EdDSA/Ed25519 (-8) keys.
//
// Security:
//   - clientDataJSON: type, challenge (byte-exact), origin (one of the
//     relying party's) and no cross-origin use are checked.
//   - authenticatorData: the rpIdHash must be SHA-256 of the RP id; user
//     presence AND user verification are required; BS without BE is refused;
//     BE may not change from what registration recorded.
//   - Sign counter: when the stored or the new counter is non-zero, the new
//     one must be strictly greater (a cloned authenticator is refused).
//   - Registration accepts attestation format "none" only (no attestation
//     statement), an AAGUID and a credential id of at most 1023 bytes.
//   - Everything is bounds-checked: malformed CBOR, truncated data, unknown
//     algorithms or key types give InvalidArgument or Unauthenticated,
//     never a crash (see fuzz/webauthn_fuzz.cc). Inputs larger than browsers
//     send are refused unparsed: clientDataJSON over 4 KiB, attestation object
//     or authenticator data over 16 KiB, signature over 1 KiB.
//   - ES256 signatures must be strict ASN.1 DER; EdDSA signatures 64 raw bytes.
//
// Thread-safety: pure functions.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/error.h"

namespace vigie::webauthn {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

// COSE algorithm identifiers we accept (RFC 9053 §2.1, RFC 8152).
inline constexpr int64_t kCoseEs256 = -7;
inline constexpr int64_t kCoseEdDsa = -8;

struct RelyingParty {
  std::string id;                    // e.g. "localhost" or "vigie.interieur.gouv.fr"
  std::vector<std::string> origins;  // e.g. {"https://vigie.interieur.gouv.fr"}
};

// What registration gives the caller to store.
struct RegisteredCredential {
  Bytes credential_id;
  Bytes public_key_cose;  // the COSE_Key exactly as the authenticator sent it
  int64_t algorithm = 0;  // kCoseEs256 or kCoseEdDsa
  uint32_t sign_count = 0;
  bool backup_eligible = false;
  bool backup_state = false;
  Bytes aaguid;  // 16 bytes
};

// What the caller stored, to check an assertion against.
struct StoredCredential {
  ByteView public_key_cose;
  uint32_t sign_count = 0;
  bool backup_eligible = false;
};

// The result of a good assertion: what to store back.
struct VerifiedAssertion {
  uint32_t sign_count = 0;
  bool backup_state = false;
};

// Verifies a navigator.credentials.create() answer for `challenge` (the
// random bytes the server issued, at least 16; WebAuthn L3 §7.1).
// Errors: InvalidArgument (malformed or oversized input, a challenge shorter
// than 16 bytes), Unauthenticated (a check failed:
// wrong type/challenge/origin/RP, no UP or UV, attestation format not
// "none", unsupported algorithm). The message names the failed check.
Result<RegisteredCredential> VerifyRegistration(const RelyingParty& rp, ByteView challenge,
                                                ByteView client_data_json,
                                                ByteView attestation_object);

// The refusal's message when the sign counter did not increase: the
// credential's key signs in two authenticators (audit::kPasskeyCounterWentBack
// names it in the log, for detection).
inline constexpr std::string_view kCounterWentBack =
    "sign counter did not increase: possible cloned authenticator";

// Verifies a navigator.credentials.get() answer for `challenge` against the
// stored credential (WebAuthn L3 §7.2). Errors: as VerifyRegistration, plus
// Unauthenticated for a bad signature, a BE flag that differs from the stored
// one, or a counter that did not increase; DataLoss when the stored key
// cannot be read or its algorithm is not supported (it was stored bad).
Result<VerifiedAssertion> VerifyAssertion(const RelyingParty& rp, ByteView challenge,
                                          const StoredCredential& credential,
                                          ByteView client_data_json,
                                          ByteView authenticator_data, ByteView signature);

}  // namespace vigie::webauthn
