#pragma once
// Hashes, HMACs and the byte/text encodings used around them:
//   SHA-256 (one-shot and incremental), HMAC-SHA-256, HMAC-SHA-1 (for TOTP,
//   RFC 6238, only), hex and base64 / base64url.
// SHA-256 and HMAC run on OpenSSL (SHA-NI where the CPU has it); the encoders
// run on libsodium's constant-time codecs, so encoding a key does not leak it
// through timing.
//
// Thread-safety: all free functions are thread-safe. A Sha256Hasher must not be
// used from two threads at once.
// Errors: only the decoders fail, with InvalidArgument on malformed input.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace vigie::crypto {

inline constexpr size_t kSha256Size = 32;
inline constexpr size_t kSha1Size = 20;
using Sha256Digest = std::array<uint8_t, kSha256Size>;

Sha256Digest Sha256(std::span<const uint8_t> data);
Sha256Digest Sha256(std::string_view data);

// Incremental SHA-256: Update() any number of times, then Final().
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(Sha256Hasher&&) noexcept;
  Sha256Hasher& operator=(Sha256Hasher&&) noexcept;
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  // REQUIRES: not moved from.
  void Update(std::span<const uint8_t> data);
  void Update(std::string_view data);
  // The digest of everything passed to Update since construction or the last
  // Final(); the hasher is then reset to the empty state and may be reused.
  Sha256Digest Final();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// HMAC (RFC 2104) over SHA-256. Any key length, including empty.
Sha256Digest HmacSha256(std::span<const uint8_t> key, std::span<const uint8_t> message);

// HMAC over SHA-1. Security: only for TOTP (RFC 6238 mandates HMAC-SHA-1 for
// interoperable authenticator apps; HMAC-SHA-1 is not weakened by SHA-1's
// collision attacks). Use HmacSha256 for anything else.
std::array<uint8_t, kSha1Size> HmacSha1(std::span<const uint8_t> key,
                                        std::span<const uint8_t> message);

// Lower-case hex.
std::string HexEncode(std::span<const uint8_t> data);
// Accepts upper or lower case. InvalidArgument on odd length or a non-hex character.
Result<std::vector<uint8_t>> HexDecode(std::string_view hex);

// RFC 4648 §4 base64 with '=' padding.
std::string Base64Encode(std::span<const uint8_t> data);
// InvalidArgument unless `text` is canonical padded base64 (no whitespace, no
// missing padding, unused bits zero).
Result<std::vector<uint8_t>> Base64Decode(std::string_view text);

// RFC 4648 §5 base64url without padding (JOSE / DPoP style).
std::string Base64UrlEncode(std::span<const uint8_t> data);
// InvalidArgument unless `text` is canonical unpadded base64url.
Result<std::vector<uint8_t>> Base64UrlDecode(std::string_view text);

}  // namespace vigie::crypto
