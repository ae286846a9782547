#pragma once
// What the load generator knows of the API it drives (docs/api/openapi.json)
// and of an open session: the access token and the DPoP key it is bound to.
// Thread-safety: plain values; DpopSigner may be shared (const).

#include <memory>
#include <string>
#include <string_view>

#include "bench/api_load/dpop_signer.h"

namespace vigie::bench {

inline constexpr std::string_view kActivatePath = "/api/v1/auth/activate";
inline constexpr std::string_view kLoginPath = "/api/v1/auth/login";
inline constexpr std::string_view kSecondFactorPath = "/api/v1/auth/second-factor";
inline constexpr std::string_view kUseNoticePath = "/api/v1/auth/use-notice";
inline constexpr std::string_view kSearchPath = "/api/v1/search";

// The server's address as the client sees it: the Host header and the
// prefix of every DPoP htu (the server's public URL).
struct ApiEndpoint {
  std::string host_header;
  std::string public_url;  // scheme://host:port, no trailing slash

  std::string Htu(std::string_view path) const { return public_url + std::string(path); }
};

struct ApiSession {
  std::string service_number;
  std::string access_token;
  std::shared_ptr<const DpopSigner> signer;  // the key the session is bound to

  std::string Authorization() const { return "DPoP " + access_token; }
};

}  // namespace vigie::bench
