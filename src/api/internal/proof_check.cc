#include "api/internal/proof_check.h"

namespace vigie::api::internal {

Result<std::string> AccessTokenOf(const http::Request& request) {
  int count = 0;
  std::string_view value;
  for (const auto& [name, header] : request.headers) {
    if (http::EqualsIgnoreCase(name, "Authorization")) {
      ++count;
      value = header;
    }
  }
  if (count != 1) return Fail(ErrorCode::kUnauthenticated, "one Authorization header is needed");
  constexpr std::string_view kScheme = "DPoP ";
  if (value.size() <= kScheme.size() ||
      !http::EqualsIgnoreCase(value.substr(0, kScheme.size()), kScheme)) {
    return Fail(ErrorCode::kUnauthenticated, "Authorization must use the DPoP scheme");
  }
  return std::string(value.substr(kScheme.size()));
}

Result<session::DpopProof> CheckProof(const http::Request& request, std::string_view public_url,
                                      std::optional<std::string_view> access_token,
                                      const session::DpopPolicy& policy,
                                      session::DpopKeyCache& keys, int64_t now) {
  int count = 0;
  std::string_view proof;
  for (const auto& [name, value] : request.headers) {
    if (http::EqualsIgnoreCase(name, "DPoP")) {
      ++count;
      proof = value;
    }
  }
  // RFC 9449 §4.3: exactly one DPoP header.
  if (count != 1) return std::unexpected(session::InvalidDpopProof("one DPoP header is needed"));
  std::string url = std::string(public_url) + std::string(request.Path());
  return session::VerifyDpopProof(
      proof, {.method = request.method, .url = url, .access_token = access_token, .now = now},
      policy, &keys);
}

}  // namespace vigie::api::internal
