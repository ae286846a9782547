#include "http/address_range.h"

#include <arpa/inet.h>

#include <charconv>
#include <string>

namespace vigie::http {
namespace {

// Parses numeric `text` into `bytes`; the family's length in bytes, or 0.
size_t ParseAddress(std::string_view text, std::array<uint8_t, 16>& bytes) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return 0;
  const std::string copy(text);
  if (inet_pton(AF_INET, copy.c_str(), bytes.data()) == 1) return 4;
  if (inet_pton(AF_INET6, copy.c_str(), bytes.data()) == 1) return 16;
  return 0;
}

}  // namespace

Result<AddressRange> AddressRange::Parse(std::string_view text) {
  const size_t slash = text.find('/');
  AddressRange range;
  const size_t length = ParseAddress(text.substr(0, slash), range.bytes_);
  if (length == 0) {
    return Fail(ErrorCode::kInvalidArgument,
                "'" + std::string(text) + "' is not a numeric IP address or CIDR block");
  }
  range.v6_ = length == 16;
  const int bits = static_cast<int>(length * 8);
  range.prefix_bits_ = bits;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    int prefix = -1;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
        prefix < 0 || prefix > bits) {
      return Fail(ErrorCode::kInvalidArgument, "'" + std::string(text) +
                                                   "': the prefix length must be 0 to " +
                                                   std::to_string(bits));
    }
    range.prefix_bits_ = prefix;
  }
  return range;
}

bool AddressRange::Contains(std::string_view address) const {
  std::array<uint8_t, 16> bytes{};
  const size_t length = ParseAddress(address, bytes);
  if (length == 0 || (length == 16) != v6_) return false;
  int remaining = prefix_bits_;
  for (size_t i = 0; remaining > 0; ++i, remaining -= 8) {
    const uint8_t mask = remaining >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - remaining));
    if ((bytes[i] & mask) != (bytes_[i] & mask)) return false;
  }
  return true;
}

}  // namespace vigie::http
