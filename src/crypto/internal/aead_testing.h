#pragma once
// Test-only access to AEAD sealing with a caller-chosen nonce, for published
// known-answer vectors. Never use in production code: a repeated nonce under
// one key destroys confidentiality and authenticity.

#include <cstdint>
#include <span>
#include <vector>

#include "crypto/aead.h"

namespace vigie::crypto::internal {

// Same output format as Seal(): nonce || ciphertext || tag.
std::vector<uint8_t> SealWithNonce(std::span<const uint8_t, kAeadKeySize> key,
                                   std::span<const uint8_t, kAeadNonceSize> nonce,
                                   std::span<const uint8_t> plaintext,
                                   std::span<const uint8_t> associated_data);

}  // namespace vigie::crypto::internal
