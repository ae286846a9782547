#include "http/internal/request_id.h"

#include <array>
#include <cstdint>

namespace vigie::http::internal {

std::string NewRequestId(RandomSource& random) {
  std::array<uint8_t, 16> bytes{};
  random.Fill(bytes);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(32, '0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    id[2 * i] = kHex[bytes[i] >> 4];
    id[2 * i + 1] = kHex[bytes[i] & 15];
  }
  return id;
}

}  // namespace vigie::http::internal
