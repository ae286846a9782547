#pragma once
// Authenticator data (WebAuthn L3 §6.1): rpIdHash, flags, signCount, then
// attested credential data (§6.5.2) when AT is set and an extensions map when
// ED is set; and the checks both ceremonies make on it.
//
// Thread-safety: pure functions. The parsed views point into the input bytes.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/error.h"

namespace vigie::webauthn::internal {

inline constexpr uint8_t kFlagUserPresent = 0x01;     // UP
inline constexpr uint8_t kFlagUserVerified = 0x04;    // UV
inline constexpr uint8_t kFlagBackupEligible = 0x08;  // BE
inline constexpr uint8_t kFlagBackupState = 0x10;     // BS
inline constexpr uint8_t kFlagAttestedData = 0x40;    // AT
inline constexpr uint8_t kFlagExtensions = 0x80;      // ED

inline constexpr size_t kRpIdHashSize = 32;
inline constexpr size_t kAaguidSize = 16;
inline constexpr size_t kMaxCredentialIdSize = 1023;  // §6.5.2 credentialIdLength

struct AttestedCredential {
  std::span<const uint8_t> aaguid;           // 16 bytes
  std::span<const uint8_t> credential_id;    // 1 to 1023 bytes
  std::span<const uint8_t> public_key_cose;  // one CBOR map, not yet interpreted
};

struct AuthenticatorData {
  std::span<const uint8_t> rp_id_hash;  // 32 bytes
  uint8_t flags = 0;
  uint32_t sign_count = 0;
  std::optional<AttestedCredential> attested;  // present iff AT is set

  bool Has(uint8_t flag) const { return (flags & flag) != 0; }
};

// Splits `data` into its fields. Every length is checked against the bytes
// left; the credential public key and the extensions must each be one
// well-formed CBOR map, and nothing may follow the last field.
// Errors: InvalidArgument.
Result<AuthenticatorData> ParseAuthenticatorData(std::span<const uint8_t> data);

// The checks registration and authentication share (§7.1 steps 14-18, §7.2
// steps 15-18): rpIdHash is SHA-256(rp_id), UP and UV are set, BS only with BE.
// Errors: Unauthenticated.
Result<void> CheckRelyingPartyAndUser(const AuthenticatorData& data, std::string_view rp_id);

}  // namespace vigie::webauthn::internal
