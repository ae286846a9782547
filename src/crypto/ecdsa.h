#pragma once
// ECDSA over P-256 with SHA-256 — JWS "ES256" (RFC 7518 §3.4) — for DPoP
// proofs (RFC 9449) and, later, WebAuthn assertions. Signatures use the JWS
// form: the 32-byte big-endian r then s (64 bytes), not DER.
//
// Thread-safety: a const Es256PublicKey or Es256PrivateKey may be used from
// several threads at once (each call makes its own OpenSSL context).
// Errors: Verify never fails, it returns false for anything invalid.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "core/error.h"

namespace vigie::crypto {

inline constexpr size_t kP256CoordinateSize = 32;
inline constexpr size_t kEs256SignatureSize = 64;
using P256Coordinate = std::array<uint8_t, kP256CoordinateSize>;
using Es256Signature = std::array<uint8_t, kEs256SignatureSize>;

class Es256PublicKey {
 public:
  // From the affine coordinates (a JWK's "x" and "y").
  // Errors: InvalidArgument when the point is not on the curve.
  static Result<Es256PublicKey> FromCoordinates(std::span<const uint8_t> x,
                                                std::span<const uint8_t> y);
  Es256PublicKey(Es256PublicKey&&) noexcept;
  Es256PublicKey& operator=(Es256PublicKey&&) noexcept;
  ~Es256PublicKey();

  const P256Coordinate& x() const { return x_; }
  const P256Coordinate& y() const { return y_; }

  // True iff `signature` (r || s) signs `message`. Security: r and s must be
  // in [1, n-1] (OpenSSL checks); a high-s signature is accepted, as JWS does.
  bool Verify(std::span<const uint8_t> message, std::span<const uint8_t> signature) const;

 private:
  struct Impl;
  explicit Es256PublicKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  P256Coordinate x_{}, y_{};
};

// A private key, for tests and the benchmark's load generator (clients sign;
// the server only verifies).
class Es256PrivateKey {
 public:
  static Es256PrivateKey Generate();
  // From the private scalar (a JWK's "d"). Errors: InvalidArgument when out of range.
  static Result<Es256PrivateKey> FromScalar(std::span<const uint8_t> d);
  Es256PrivateKey(Es256PrivateKey&&) noexcept;
  Es256PrivateKey& operator=(Es256PrivateKey&&) noexcept;
  ~Es256PrivateKey();

  const Es256PublicKey& public_key() const { return public_key_; }
  Es256Signature Sign(std::span<const uint8_t> message) const;

 private:
  struct Impl;
  Es256PrivateKey(std::unique_ptr<Impl> impl, Es256PublicKey public_key);
  std::unique_ptr<Impl> impl_;
  Es256PublicKey public_key_;
};

}  // namespace vigie::crypto
