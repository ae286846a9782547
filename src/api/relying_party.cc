#include "api/relying_party.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace vigie::api {

Result<webauthn::RelyingParty> RelyingPartyFor(std::string_view public_url,
                                               std::string_view rp_id) {
  const size_t scheme_end = public_url.find("://");
  const std::string_view scheme =
      scheme_end == std::string_view::npos ? "" : public_url.substr(0, scheme_end);
  if (scheme != "https" && scheme != "http") {
    return Fail(ErrorCode::kInvalidArgument, "the public URL must be http(s): " +
                                                 std::string(public_url));
  }
  const size_t authority_start = scheme_end + 3;
  const size_t authority_end = public_url.find_first_of("/?#", authority_start);
  std::string origin(public_url.substr(0, authority_end));
  std::transform(origin.begin(), origin.end(), origin.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view authority = std::string_view(origin).substr(authority_start);
  if (authority.empty() || authority.front() == '[' || authority.find('@') != std::string::npos) {
    return Fail(ErrorCode::kInvalidArgument,
                "passkeys need the public URL to name a host, not an address: " +
                    std::string(public_url));
  }
  const std::string host(authority.substr(0, authority.find(':')));
  if (host.find_first_not_of("0123456789.") == std::string::npos) {
    return Fail(ErrorCode::kInvalidArgument,
                "passkeys need the public URL to name a host, not an address: " + host);
  }
  std::string id = rp_id.empty() ? host : std::string(rp_id);
  std::transform(id.begin(), id.end(), id.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  // The RP id may be the host or a registrable parent ("example.fr" for
  // "vigie.example.fr"), never another site (WebAuthn §5.1.3 step 8).
  const bool same = id == host;
  const bool parent = host.size() > id.size() && host.ends_with("." + id);
  if (!same && !parent) {
    return Fail(ErrorCode::kInvalidArgument,
                "'web.rp_id' " + id + " is neither " + host + " nor a parent domain of it");
  }
  // Browsers refuse a top-level domain ("fr") as an RP id: every passkey
  // ceremony would fail, so say it at start. (Wider public suffixes such as
  // "gouv.fr" need the Public Suffix List, which Debian ships but a server
  // should not read at start; docs/front-door.md names the rule.)
  if (parent && id.find('.') == std::string::npos) {
    return Fail(ErrorCode::kInvalidArgument,
                "'web.rp_id' " + id + " is a top-level domain: name the site's own domain");
  }
  // A browser's origin leaves the scheme's default port out (RFC 6454 §6.1).
  const std::string_view default_port = scheme == "https" ? ":443" : ":80";
  if (origin.ends_with(default_port)) origin.resize(origin.size() - default_port.size());
  return webauthn::RelyingParty{.id = std::move(id), .origins = {std::move(origin)}};
}

}  // namespace vigie::api
