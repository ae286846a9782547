#pragma once
// Ed25519 signatures (RFC 8032), used for audit checkpoints and exports.
//
// Thread-safety: a const Ed25519KeyPair may be shared between threads;
// Ed25519Verify is thread-safe.
// Errors: none. Verification of untrusted input returns false, never crashes.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "crypto/secret_bytes.h"

namespace vigie::crypto {

inline constexpr size_t kEd25519SeedSize = 32;
inline constexpr size_t kEd25519PublicKeySize = 32;
inline constexpr size_t kEd25519SignatureSize = 64;
using Ed25519PublicKey = std::array<uint8_t, kEd25519PublicKeySize>;
using Ed25519Signature = std::array<uint8_t, kEd25519SignatureSize>;

class Ed25519KeyPair {
 public:
  // A new key pair from the OS CSPRNG.
  static Ed25519KeyPair Generate();
  // The key pair RFC 8032 derives from a 32-byte secret seed (how keys are
  // stored, e.g. as an "audit-signing" data key).
  static Ed25519KeyPair FromSeed(std::span<const uint8_t, kEd25519SeedSize> seed);

  Ed25519KeyPair(Ed25519KeyPair&&) noexcept = default;
  Ed25519KeyPair& operator=(Ed25519KeyPair&&) noexcept = default;

  const Ed25519PublicKey& public_key() const { return public_key_; }

  // Deterministic (RFC 8032): the same message always gives the same signature.
  // REQUIRES: *this has not been moved from.
  Ed25519Signature Sign(std::span<const uint8_t> message) const;
  Ed25519Signature Sign(std::string_view message) const;

 private:
  Ed25519KeyPair() = default;

  SecretBytes secret_key_;  // libsodium's 64-byte form: seed || public key
  Ed25519PublicKey public_key_{};
};

// True iff `signature` is a valid signature of `message` under `public_key`.
// Wrong-sized keys or signatures give false.
// Security: libsodium rejects non-canonical signatures and small-order public
// keys, so a signature cannot be malleated into a second valid one.
bool Ed25519Verify(std::span<const uint8_t> public_key, std::span<const uint8_t> message,
                   std::span<const uint8_t> signature);

// True iff `public_key` is one some signature could verify under: a
// canonical encoding of a point of the main subgroup, not of small order.
// For keys received once and trusted after (a passkey's, at registration).
bool IsUsableEd25519PublicKey(std::span<const uint8_t> public_key);

}  // namespace vigie::crypto
