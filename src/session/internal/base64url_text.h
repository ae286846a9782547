#pragma once
// Shape checks for base64url text (RFC 4648 §5, unpadded) coming from clients.
// Thread-safety: pure functions.

#include <string_view>

namespace vigie::session::internal {

inline bool IsBase64UrlText(std::string_view text) {
  for (char c : text) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// An RFC 7638 SHA-256 thumbprint as DPoP carries it: 43 base64url characters.
inline bool IsJwkThumbprint(std::string_view jkt) {
  return jkt.size() == 43 && IsBase64UrlText(jkt);
}

}  // namespace vigie::session::internal
