#include "bench/api_load/target_url.h"

#include <charconv>

namespace vigie::bench {

std::string TargetUrl::Origin() const {
  return std::string(tls ? "https://" : "http://") + HostHeader();
}

std::string TargetUrl::HostHeader() const { return host + ":" + std::to_string(port); }

Result<TargetUrl> ParseTargetUrl(std::string_view url) {
  TargetUrl out;
  if (url.starts_with("https://")) {
    out.tls = true;
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    url.remove_prefix(7);
  } else {
    return Fail(ErrorCode::kInvalidArgument, "the URL must start with http:// or https://");
  }
  size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  if (slash != std::string_view::npos) out.path = std::string(url.substr(slash));
  if (out.path.find_first_of("?#") != std::string::npos || authority.find('@') != std::string::npos) {
    return Fail(ErrorCode::kInvalidArgument, "the URL may not carry user info, a query or a fragment");
  }
  out.port = out.tls ? 443 : 80;
  size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    std::string_view digits = authority.substr(colon + 1);
    unsigned port = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc() || end != digits.data() + digits.size() || port == 0 || port > 65535) {
      return Fail(ErrorCode::kInvalidArgument, "the URL's port must be 1 to 65535");
    }
    out.port = static_cast<uint16_t>(port);
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) return Fail(ErrorCode::kInvalidArgument, "the URL has no host");
  out.host = std::string(authority);
  return out;
}

}  // namespace vigie::bench
