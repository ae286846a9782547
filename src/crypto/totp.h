#pragma once
// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP): HMAC-SHA1,
// 30-second steps, 6 digits — what every authenticator app speaks — and the
// Base32 (RFC 4648) form of the seed that enrolment QR codes carry.
// Security: codes are compared in constant time; Verify reports the matched
// time step so the caller can refuse any step at or before the last one used
// (a code works once). Seeds are secrets: keep them sealed at rest.
// Thread-safety: stateless functions.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace vigie::crypto {

struct TotpParameters {
  int64_t step_seconds = 30;
  int digits = 6;
  int window = 1;  // steps accepted either side of now (clock drift)
};

// The time step containing `unix_seconds`.
int64_t TotpStep(int64_t unix_seconds, const TotpParameters& parameters = {});

// The code for one time step, zero-padded to `digits`.
std::string TotpCode(std::span<const uint8_t> seed, int64_t step,
                     const TotpParameters& parameters = {});

// The step whose code equals `code` among now ± window, latest first; nullopt
// when none does (including malformed codes: wrong length, non-digits).
std::optional<int64_t> TotpVerify(std::span<const uint8_t> seed, std::string_view code,
                                  int64_t unix_seconds, const TotpParameters& parameters = {});

// RFC 4648 Base32, upper case, without padding (as authenticator apps expect).
std::string Base32Encode(std::span<const uint8_t> data);
// Accepts upper or lower case, ignores spaces and trailing '=' padding.
// Errors: InvalidArgument on any other character or an impossible length.
Result<std::vector<uint8_t>> Base32Decode(std::string_view text);

}  // namespace vigie::crypto
