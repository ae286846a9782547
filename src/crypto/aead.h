#pragma once
// Authenticated encryption for data at rest: XChaCha20-Poly1305 (IETF
// construction, draft-irtf-cfrg-xchacha). A sealed message is
//   nonce (24 bytes) || ciphertext || tag (16 bytes)
// and is 40 bytes longer than its plaintext.
//
// The associated data (AD) is authenticated but not stored: bind each
// ciphertext to where it belongs (table, column, row id, key id) so a ciphertext
// moved elsewhere fails to open.
//
// Thread-safety: thread-safe.
// Errors: Open returns DataLoss when the input is too short or fails
// authentication (wrong key, wrong AD, or any modified byte).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/error.h"

namespace vigie::crypto {

inline constexpr size_t kAeadKeySize = 32;
inline constexpr size_t kAeadNonceSize = 24;
inline constexpr size_t kAeadTagSize = 16;
inline constexpr size_t kAeadOverhead = kAeadNonceSize + kAeadTagSize;

// Encrypts under a fresh random nonce.
// Security: 192-bit random nonces make a collision negligible even for
// billions of messages under one key, so no nonce counter has to be kept (or
// kept consistent across nodes).
std::vector<uint8_t> Seal(std::span<const uint8_t, kAeadKeySize> key,
                          std::span<const uint8_t> plaintext,
                          std::span<const uint8_t> associated_data);

// Decrypts and authenticates a Seal() output. Nothing is returned unless the
// tag verifies.
Result<std::vector<uint8_t>> Open(std::span<const uint8_t, kAeadKeySize> key,
                                  std::span<const uint8_t> sealed,
                                  std::span<const uint8_t> associated_data);

}  // namespace vigie::crypto
