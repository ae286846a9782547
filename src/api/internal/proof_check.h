#pragma once
// The DPoP proof of one request (RFC 9449 §4.3, §7): exactly one `DPoP`
// header, a valid proof for this method and URL (and for the access token
// when one is sent). Remembering its jti against replay is the caller's
// next step, once the credential the proof accompanies is known good.
// Thread-safety: as the key cache (thread-safe).

#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "http/message.h"
#include "session/dpop.h"
#include "session/dpop_key_cache.h"

namespace vigie::api::internal {

// The access token of `Authorization: DPoP <token>`. Unauthenticated when
// absent, of another scheme (a Bearer token is refused: it would drop the
// key binding) or malformed.
Result<std::string> AccessTokenOf(const http::Request& request);

// The verified proof (key thumbprint, jti, iat). Unauthenticated for a
// missing, repeated or invalid proof (the message says which, for logs).
Result<session::DpopProof> CheckProof(const http::Request& request, std::string_view public_url,
                                      std::optional<std::string_view> access_token,
                                      const session::DpopPolicy& policy,
                                      session::DpopKeyCache& keys, int64_t now);

}  // namespace vigie::api::internal
