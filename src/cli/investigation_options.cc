#include "cli/investigation_options.h"

#include <optional>

#include "audit/audit.h"
#include "http/peer_address.h"

namespace vigie::cli {

Result<int64_t> TimeOption(const std::string& text, bool end_of_day, std::string_view option) {
  auto micros = audit::ParseUtcMicros(text, end_of_day);
  if (!micros) return Fail(micros.error().WithContext(option));
  return micros;
}

Result<std::string> AddressOption(std::string_view text, std::string_view option) {
  if (std::optional<std::string> canonical = http::CanonicalPeerAddress(text)) return *canonical;
  return Fail(ErrorCode::kInvalidArgument,
              std::string(option) + " expects an IP address such as 192.0.2.7 or 2001:db8::7, " +
                  "not a network or a name");
}

}  // namespace vigie::cli
