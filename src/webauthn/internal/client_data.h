#pragma once
// clientDataJSON (WebAuthn L3 §5.8.1): what the browser says it was asked to
// sign, for which origin, and the checks of §7.1 steps 7-11 and §7.2 steps
// 11-14 on it.
//
// Thread-safety: pure function.

#include <cstdint>
#include <span>
#include <string_view>

#include "core/error.h"
#include "webauthn/webauthn.h"

namespace vigie::webauthn::internal {

inline constexpr std::string_view kTypeCreate = "webauthn.create";
inline constexpr std::string_view kTypeGet = "webauthn.get";

// Checks that `client_data_json` is a JSON object whose "type" is
// `expected_type`, whose "challenge" is exactly the unpadded base64url of
// `challenge`, whose "origin" is one of rp.origins, whose "crossOrigin" is
// absent or false and which has no "topOrigin" (no embedding in another site).
// Errors: InvalidArgument (not UTF-8 JSON, not an object, a member named twice),
// Unauthenticated (a member is missing or does not match).
Result<void> CheckClientData(std::span<const uint8_t> client_data_json,
                             std::string_view expected_type, std::span<const uint8_t> challenge,
                             const RelyingParty& rp);

}  // namespace vigie::webauthn::internal
