#pragma once
// An IPv4 or IPv6 address range written as an address ("10.0.0.7") or a
// CIDR block ("10.0.0.0/8", "2001:db8::/32"), for lists of trusted peers.
// Thread-safety: immutable values.

#include <array>
#include <cstdint>
#include <string_view>

#include "core/error.h"

namespace vigie::http {

class AddressRange {
 public:
  // InvalidArgument for anything but a numeric address with an optional
  // prefix length within the family's bits.
  static Result<AddressRange> Parse(std::string_view text);

  // False for text that is not a numeric address, and across families (an
  // IPv4 range does not contain "::ffff:10.0.0.1": Asio reports an IPv4
  // peer as IPv4 on an IPv4 listener).
  bool Contains(std::string_view address) const;

  bool is_v6() const { return v6_; }
  int prefix_bits() const { return prefix_bits_; }

 private:
  bool v6_ = false;
  std::array<uint8_t, 16> bytes_{};
  int prefix_bits_ = 0;
};

}  // namespace vigie::http
