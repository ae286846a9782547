#include "http/peer_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace vigie::http {

std::optional<std::string> CanonicalPeerAddress(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string copy(text);  // inet_pton reads up to a NUL: one inside is refused below
  if (copy.size() != std::strlen(copy.c_str())) return std::nullopt;
  std::array<unsigned char, 16> binary{};
  std::array<char, INET6_ADDRSTRLEN> out{};
  const unsigned char* v4 = nullptr;  // the four IPv4 bytes, if it is one
  if (inet_pton(AF_INET, copy.c_str(), binary.data()) == 1) {
    v4 = binary.data();
  } else if (inet_pton(AF_INET6, copy.c_str(), binary.data()) == 1) {
    static constexpr std::array<unsigned char, 12> kV4MappedPrefix = {0, 0, 0, 0, 0,    0,
                                                                      0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(binary.data(), kV4MappedPrefix.data(), kV4MappedPrefix.size()) == 0) {
      v4 = binary.data() + kV4MappedPrefix.size();
    }
  } else {
    return std::nullopt;
  }
  const bool written = v4 != nullptr
                           ? inet_ntop(AF_INET, v4, out.data(), out.size()) != nullptr
                           : inet_ntop(AF_INET6, binary.data(), out.data(), out.size()) != nullptr;
  if (!written) return std::nullopt;
  return std::string(out.data());
}

std::string ClientNetwork(std::string_view address) {
  std::array<unsigned char, 16> binary{};
  const std::string copy(address);
  if (address.find(':') == std::string_view::npos ||
      inet_pton(AF_INET6, copy.c_str(), binary.data()) != 1) {
    return copy;
  }
  std::fill(binary.begin() + 8, binary.end(), 0);
  std::array<char, INET6_ADDRSTRLEN> out{};
  if (inet_ntop(AF_INET6, binary.data(), out.data(), out.size()) == nullptr) return copy;
  return std::string(out.data()) + "/64";
}

}  // namespace vigie::http
