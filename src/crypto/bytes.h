#pragma once
// Small conversions between text and byte views, shared by the crypto API.
// Thread-safety: pure functions.

#include <cstdint>
#include <span>
#include <string_view>

namespace vigie::crypto {

// Views the bytes of `s` without copying. The view lives as long as `s`'s storage.
inline std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Views bytes as text without copying (e.g. a decrypted UTF-8 field).
inline std::string_view AsText(std::span<const uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace vigie::crypto
