#pragma once
// ES256 signatures as WebAuthn carries them (§6.5.5): the ASN.1 DER
// Ecdsa-Sig-Value SEQUENCE { r INTEGER, s INTEGER } (RFC 3279 §2.2.3), turned
// into the 64-byte r || s form crypto::Es256PublicKey verifies.
//
// Thread-safety: pure function.

#include <cstdint>
#include <span>

#include "core/error.h"
#include "crypto/ecdsa.h"

namespace vigie::webauthn::internal {

// Security: strict DER only, so one signature has one encoding: short-form
// lengths, minimal non-negative integers of at most 32 bytes once the sign
// byte is dropped, nothing after the sequence or inside it after s. (Range
// checks on r and s are left to crypto::Es256PublicKey::Verify.)
// Errors: InvalidArgument.
Result<crypto::Es256Signature> DerToEs256Signature(std::span<const uint8_t> der);

}  // namespace vigie::webauthn::internal
