#pragma once
// TOTP seeds at rest: sealed with XChaCha20-Poly1305 under the "totp-seeds"
// data key.
// Security: the associated data binds the ciphertext to its agent and key id,
// so a sealed seed copied onto another agent's row (or relabelled with another
// key id) fails to open instead of letting one agent's codes work for another.
// Thread-safety: pure functions.

#include <cstdint>
#include <span>
#include <vector>

#include "core/error.h"
#include "crypto/keyring.h"
#include "crypto/secret_bytes.h"

namespace vigie::identity::internal {

inline constexpr size_t kTotpSeedBytes = 20;  // RFC 4226 recommends 160 bits

std::vector<uint8_t> SealTotpSeed(const crypto::DataKey& key, int64_t agent_id,
                                  const crypto::SecretBytes& seed);

// DataLoss: the ciphertext fails to open (tampered, moved, or wrong key).
// Internal: the row names a key id other than `key`'s (no key for it here).
Result<crypto::SecretBytes> OpenTotpSeed(const crypto::DataKey& key, int64_t agent_id,
                                         uint32_t key_id, std::span<const uint8_t> sealed);

}  // namespace vigie::identity::internal
