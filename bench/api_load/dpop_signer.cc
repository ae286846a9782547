#include "bench/api_load/dpop_signer.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>

#include "crypto/hash.h"
#include "crypto/random.h"

namespace vigie::bench {
namespace {

namespace json = boost::json;

constexpr size_t kJtiBytes = 16;

std::string Encode(std::string_view text) {
  return crypto::Base64UrlEncode(
      std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

}  // namespace

DpopSigner::DpopSigner() : key_(crypto::Es256PrivateKey::Generate()) {
  const crypto::Es256PublicKey& pub = key_.public_key();
  json::object jwk{{"kty", "EC"},
                   {"crv", "P-256"},
                   {"x", crypto::Base64UrlEncode(pub.x())},
                   {"y", crypto::Base64UrlEncode(pub.y())}};
  json::object header{{"typ", "dpop+jwt"}, {"alg", "ES256"}, {"jwk", std::move(jwk)}};
  encoded_header_ = Encode(json::serialize(header));
}

std::string DpopSigner::Proof(std::string_view htm, std::string_view htu, int64_t iat,
                              const std::optional<std::string>& access_token_hash) const {
  json::object claims{{"jti", crypto::Base64UrlEncode(crypto::RandomBytes(kJtiBytes))},
                      {"htm", htm},
                      {"htu", htu},
                      {"iat", iat}};
  if (access_token_hash.has_value()) claims["ath"] = *access_token_hash;
  std::string signing_input = encoded_header_ + "." + Encode(json::serialize(claims));
  crypto::Es256Signature signature = key_.Sign(
      std::span(reinterpret_cast<const uint8_t*>(signing_input.data()), signing_input.size()));
  return signing_input + "." + crypto::Base64UrlEncode(signature);
}

std::string AccessTokenHash(std::string_view access_token) {
  return crypto::Base64UrlEncode(crypto::Sha256(access_token));
}

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace vigie::bench
