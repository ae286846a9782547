#pragma once
// Login challenges: what links the password step to the TOTP step. Step 1
// hands the client a random token; step 2 presents it with the code. Only the
// token's SHA-256 is stored, with the agent, the expiry and the number of
// wrong codes tried against it.
// Security: 256 random bits, so the stored digest needs no slow hash; a
// challenge is short-lived and spent by success, expiry, or too many wrong
// codes.
// Thread-safety: as store::Connection. Callers hold a write transaction.

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/error.h"
#include "crypto/hash.h"
#include "crypto/secret_bytes.h"
#include "store/store.h"

namespace vigie::identity::internal {

inline constexpr size_t kChallengeTokenBytes = 32;
inline constexpr size_t kMaxChallengeTokenLength = 128;

crypto::Sha256Digest HashChallengeToken(std::string_view token);

// Stores a new challenge and returns its token (base64url text) after
// deleting expired ones.
Result<crypto::SecretBytes> CreateChallenge(store::Connection& db, int64_t agent_id,
                                            std::string_view source_address, int64_t now,
                                            int64_t expires_at);

struct Challenge {
  int64_t agent_id = 0;
  int64_t attempts = 0;
};

// The agent of the live challenge with this token, if any: shaped as one,
// then one read, nothing written (for a caller deciding whether to hear a
// request at all).
Result<std::optional<int64_t>> LiveChallengeAgent(store::Connection& db, std::string_view token,
                                                  int64_t now);

// The live challenge with this token, or nullopt (unknown or expired; an
// expired one is deleted).
Result<std::optional<Challenge>> FindChallenge(store::Connection& db, std::string_view token,
                                               int64_t now);

// Counts one wrong code; deletes the challenge once `max_attempts` is reached.
Result<void> CountWrongCode(store::Connection& db, std::string_view token, int64_t max_attempts);

Result<void> DeleteChallenge(store::Connection& db, std::string_view token);

}  // namespace vigie::identity::internal
