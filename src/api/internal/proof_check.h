#pragma once
// The DPoP proof of one request (RFC 9449 §4.3, §7): exactly one `DPoP`
// header, a valid proof for this method and URL (and for the access token
// when one is sent), and a jti this server has not accepted before.
// Thread-safety: as the replay cache (thread-safe).

#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "http/message.h"
#include "session/dpop.h"
#include "session/dpop_key_cache.h"
#include "session/replay_cache.h"

namespace vigie::api::internal {

// The access token of `Authorization: DPoP <token>`. Unauthenticated when
// absent, of another scheme (a Bearer token is refused: it would drop the
// key binding) or malformed.
Result<std::string> AccessTokenOf(const http::Request& request);

// Returns the key thumbprint. Unauthenticated for a missing, repeated,
// invalid or replayed proof (the message says which, for logs).
Result<std::string> CheckProof(const http::Request& request, std::string_view public_url,
                               std::optional<std::string_view> access_token,
                               const session::DpopPolicy& policy, session::DpopKeyCache& keys,
                               session::DpopReplayCache& replay, int64_t now);

}  // namespace vigie::api::internal
