#pragma once
// A credential public key from its COSE_Key encoding (RFC 9052 §7, RFC 9053
// §2 and §7): EC2 P-256 for ES256 (-7) or OKP Ed25519 for EdDSA (-8), nothing
// else; and the check of a WebAuthn signature (§6.5.5) under it.
//
// Thread-safety: a const CosePublicKey may be used from several threads.

#include <cstdint>
#include <span>
#include <variant>

#include "core/error.h"
#include "crypto/ecdsa.h"
#include "crypto/signing.h"

namespace vigie::webauthn::internal {

class CosePublicKey {
 public:
  // Parses exactly one COSE_Key map filling all of `cose_key`. Unknown labels
  // are ignored; a repeated label or a private key (-4) is refused.
  // Errors: InvalidArgument (malformed, wrong sizes, a point not on P-256),
  // Unauthenticated "unsupported algorithm" (any other kty, alg or crv).
  static Result<CosePublicKey> Parse(std::span<const uint8_t> cose_key);

  int64_t algorithm() const;

  // Checks `signature` over `message`: ASN.1 DER for ES256, 64 raw bytes for EdDSA.
  // Errors: InvalidArgument (signature not strict DER), Unauthenticated (bad signature).
  Result<void> Verify(std::span<const uint8_t> message, std::span<const uint8_t> signature) const;

 private:
  using Key = std::variant<crypto::Es256PublicKey, crypto::Ed25519PublicKey>;
  explicit CosePublicKey(Key key) : key_(std::move(key)) {}
  Key key_;
};

}  // namespace vigie::webauthn::internal
