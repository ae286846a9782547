#pragma once
// The client side of DPoP (RFC 9449): one ES256 key pair per simulated agent
// and a fresh proof JWT per request (unique jti, iat = now, htm, htu, and ath
// when an access token goes with it).
// Thread-safety: a const DpopSigner may sign from several threads at once.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/ecdsa.h"

namespace vigie::bench {

class DpopSigner {
 public:
  // A new random P-256 key.
  DpopSigner();

  // A compact JWS: base64url(header) "." base64url(claims) "." base64url(r || s).
  // `htu` is the absolute URL without query; `access_token_hash` the ath
  // claim (AccessTokenHash) or nullopt when no token accompanies the proof.
  std::string Proof(std::string_view htm, std::string_view htu, int64_t iat,
                    const std::optional<std::string>& access_token_hash) const;

 private:
  crypto::Es256PrivateKey key_;
  std::string encoded_header_;  // constant per key: typ, alg and the public jwk
};

// base64url(SHA-256(access_token)): the ath claim (RFC 9449 §4.2).
std::string AccessTokenHash(std::string_view access_token);

// Unix seconds now, the iat of a fresh proof.
int64_t UnixNow();

}  // namespace vigie::bench
