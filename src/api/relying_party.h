#pragma once
// The WebAuthn relying party the API checks passkeys against, from the URL
// clients reach the server by: its origin is the only origin allowed, its
// host the RP id unless the configuration names a parent domain.
// Thread-safety: pure function.

#include <string_view>

#include "core/error.h"
#include "webauthn/webauthn.h"

namespace vigie::api {

// `public_url` as ApiOptions::public_url ("https://vigie.example.fr", maybe
// with a port or a path); `rp_id` "" = the URL's host. InvalidArgument when
// the URL is not http(s), its host is an IP address (WebAuthn needs a domain
// name), or `rp_id` is neither the host nor a parent domain of it.
Result<webauthn::RelyingParty> RelyingPartyFor(std::string_view public_url, std::string_view rp_id);

}  // namespace vigie::api
