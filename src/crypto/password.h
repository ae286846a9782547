#pragma once
// Password hashing with Argon2id (RFC 9106), stored as PHC strings:
//   $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt b64>$<hash b64>
// New hashes use a random 16-byte salt and a 32-byte output.
//
// libsodium computes Argon2id with one lane and no secret/associated data, so
// new hashes always have p=1; hashes made elsewhere with p>1 still verify.
//
// Thread-safety: all functions are thread-safe. Each call allocates m KiB.
// Errors: see each function.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace vigie::crypto {

struct Argon2Params {
  uint32_t t_cost;      // passes over memory, >= 1
  uint32_t m_cost_kib;  // memory in KiB, >= 8
  uint32_t parallelism = 1;
};

// Security: caps on what one hash or one verification may cost. A stored hash
// with absurd parameters (a corrupted or planted row) must not let one login
// attempt exhaust the server's memory or CPU.
inline constexpr uint32_t kMaxArgon2MemoryKib = 1u << 20;  // 1 GiB
inline constexpr uint32_t kMaxArgon2Passes = 64;
inline constexpr uint32_t kMaxArgon2Lanes = 16;
// Security: bounds the work an unauthenticated client can ask for per attempt.
inline constexpr size_t kMaxPasswordBytes = 4096;

// Hashes `password` under a fresh random salt.
// InvalidArgument: parallelism != 1, t_cost < 1, m_cost_kib < 8, parameters over
// the caps above, or a password longer than kMaxPasswordBytes.
// ResourceExhausted: the memory could not be allocated.
Result<std::string> HashPassword(std::string_view password, const Argon2Params& params);

// Whether `password` matches the PHC string `phc`. The comparison of the
// computed and stored hash is constant-time.
// Returns false (not an error) for a password over kMaxPasswordBytes: it cannot
// have been hashed by HashPassword.
// DataLoss: `phc` is not a well-formed argon2id v=19 PHC string or its
// parameters exceed the caps (a corrupt stored hash).
Result<bool> VerifyPassword(std::string_view phc, std::string_view password);

// True if `phc` was not made with exactly `params` (and a 16-byte salt, 32-byte
// hash), or cannot be parsed: the caller should re-hash on the next successful
// login.
bool NeedsRehash(std::string_view phc, const Argon2Params& params);

// The parameters `phc` was made with; nullopt when it cannot be parsed (as
// VerifyPassword's DataLoss).
std::optional<Argon2Params> Argon2ParamsOf(std::string_view phc);

// Whether verifying under `a` takes more work than under `b` (memory times
// passes: libsodium computes the lanes one after the other).
bool CostlierThan(const Argon2Params& a, const Argon2Params& b);

// Raw Argon2id (v=0x13, one lane, no secret or associated data): `out_len`
// bytes derived from `password` and `salt`. For key derivation and test vectors.
// InvalidArgument: salt not exactly 16 bytes (libsodium's fixed salt size),
// out_len outside [16, 1024], t_cost < 1, m_cost_kib < 8, or over the caps.
// ResourceExhausted: the memory could not be allocated.
Result<std::vector<uint8_t>> Argon2idRaw(std::string_view password, std::span<const uint8_t> salt,
                                         uint32_t t_cost, uint32_t m_cost_kib, size_t out_len);

}  // namespace vigie::crypto
