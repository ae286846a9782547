#pragma once
// TotpEnrolment: what an agent's authenticator app needs, returned once at
// activation and never again — the otpauth:// URI (Key URI Format) and the
// same URI as a QR code in SVG.
//
//   otpauth://totp/Vigie:<service number>?secret=<base32>&issuer=Vigie
//       &algorithm=SHA1&digits=6&period=30
//
// Security: both forms carry the seed, so both live in SecretBytes (wiped on
// destruction, no printing operator). The caller sends them to the agent and
// must not log or store them.
// Thread-safety: a TotpEnrolment is a value; MakeTotpEnrolment is thread-safe.

#include <span>
#include <string>
#include <string_view>

#include "core/error.h"
#include "crypto/bytes.h"
#include "crypto/secret_bytes.h"
#include "crypto/totp.h"

namespace vigie::identity {

inline constexpr std::string_view kTotpIssuer = "Vigie";

class TotpEnrolment {
 public:
  TotpEnrolment(crypto::SecretBytes uri, crypto::SecretBytes secret, crypto::SecretBytes qr_svg)
      : uri_(std::move(uri)), secret_(std::move(secret)), qr_svg_(std::move(qr_svg)) {}

  std::string_view otpauth_uri() const { return crypto::AsText(uri_.view()); }
  // The seed in Base32, for typing into an app that cannot scan.
  std::string_view secret_base32() const { return crypto::AsText(secret_.view()); }
  // A standalone SVG document (black modules on white, 4-module quiet zone).
  std::string_view qr_svg() const { return crypto::AsText(qr_svg_.view()); }

 private:
  crypto::SecretBytes uri_;
  crypto::SecretBytes secret_;
  crypto::SecretBytes qr_svg_;
};

// Percent-encodes everything outside RFC 3986's unreserved set.
std::string PercentEncode(std::string_view text);

// Builds the URI and its QR code for `seed` and the agent's service number.
// Internal: the QR encoder failed (out of memory, or data too long).
Result<TotpEnrolment> MakeTotpEnrolment(std::span<const uint8_t> seed,
                                        std::string_view service_number,
                                        const crypto::TotpParameters& parameters = {});

}  // namespace vigie::identity
