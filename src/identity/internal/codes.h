#pragma once
// Service numbers and unit codes are compared in upper case: what an agent or
// administrator types is upper-cased (ASCII only) before validation or lookup.
// Thread-safety: pure function.

#include <string>
#include <string_view>

namespace vigie::identity::internal {

inline std::string UpperAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

}  // namespace vigie::identity::internal
