#include "core/json_text.h"

#include <cstdint>

#include "core/utf8.h"

namespace vigie {

void AppendJsonText(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t start = pos;
    const int32_t cp = DecodeUtf8CodePoint(text, pos);
    if (cp < 0) {
      out += "\\ufffd";  // not UTF-8: one replacement character per byte
      ++pos;
    } else if (cp == '"') {
      out += "\\\"";
    } else if (cp == '\\') {
      out += "\\\\";
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (MisleadsOnDisplay(cp)) {  // all of them below U+10000: one escape
      out += "\\u";
      for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(cp >> shift) & 0xF];
    } else {
      out.append(text.substr(start, pos - start));
    }
  }
  out += '"';
}

}  // namespace vigie
