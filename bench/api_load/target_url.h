#pragma once
// The server a load run drives, as given on the command line:
// scheme://host[:port][/path]. The origin (scheme, host and port) forms the
// Host header, the TLS server name and the DPoP `htu` prefix; the path is the
// resource of the static mode.
// Thread-safety: a plain value.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace vigie::bench {

struct TargetUrl {
  bool tls = false;
  std::string host;
  uint16_t port = 0;
  std::string path = "/";

  // "https://localhost:8443" (the default port is kept: htu is normalised by the server).
  std::string Origin() const;
  // "localhost:8443", the Host header.
  std::string HostHeader() const;
};

// Errors: InvalidArgument unless `url` is an absolute http or https URL with
// a host (no user info, no query).
Result<TargetUrl> ParseTargetUrl(std::string_view url);

}  // namespace vigie::bench
