#include "api/internal/source_address.h"

#include <optional>

#include "http/peer_address.h"

namespace vigie::api::internal {

Result<std::string> CanonicalSourceAddress(std::string_view field, std::string_view text) {
  if (std::optional<std::string> canonical = http::CanonicalPeerAddress(text)) return *canonical;
  const bool nul = text.find('\0') != std::string_view::npos;
  return Fail(ErrorCode::kInvalidArgument,
              "'" + std::string(field) +
                  "' expects an IP address such as 192.0.2.7 or 2001:db8::7, not a network or "
                  "a name: '" +
                  std::string(nul ? std::string_view() : text.substr(0, 64)) + "'");
}

}  // namespace vigie::api::internal
