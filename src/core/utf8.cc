#include "core/utf8.h"

#include <algorithm>

namespace vigie {

int32_t DecodeUtf8CodePoint(std::string_view bytes, size_t& pos) {
  const auto lead = static_cast<unsigned char>(bytes[pos]);
  if (lead < 0x80) {
    ++pos;
    return lead;
  }
  size_t len = 0;
  uint32_t cp = 0;
  uint32_t min = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    len = 2, cp = lead & 0x1Fu, min = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    len = 3, cp = lead & 0x0Fu, min = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    len = 4, cp = lead & 0x07u, min = 0x10000;
  } else {
    return -1;
  }
  if (bytes.size() - pos < len) return -1;
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(bytes[pos + k]);
    if ((b & 0xC0u) != 0x80u) return -1;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  pos += len;
  return static_cast<int32_t>(cp);
}

namespace {

bool IsControl(int32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029;
}

bool IsBidiFormatting(int32_t cp) {
  return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

}  // namespace

bool IsWellFormedUtf8(std::string_view bytes) {
  for (size_t pos = 0; pos < bytes.size();) {
    if (DecodeUtf8CodePoint(bytes, pos) < 0) return false;
  }
  return true;
}

bool MisleadsOnDisplay(int32_t cp) { return IsControl(cp) || IsBidiFormatting(cp); }

TextFlaw FindTextFlaw(std::string_view text, bool line_breaks) {
  for (size_t pos = 0; pos < text.size();) {
    const int32_t cp = DecodeUtf8CodePoint(text, pos);
    if (cp < 0) return TextFlaw::kIllFormed;
    if (line_breaks && (cp == '\t' || cp == '\n' || cp == '\r')) continue;
    if (IsControl(cp)) return TextFlaw::kControl;
    if (IsBidiFormatting(cp)) return TextFlaw::kFormatting;
  }
  return TextFlaw::kNone;
}

std::string DisplaySafe(std::string_view raw, size_t max_bytes) {
  // Printable ASCII, by far the usual case (every request's user agent and
  // address pass here), is shown as it is: one pass, no decoding.
  if (std::ranges::all_of(raw, [](char c) { return c >= 0x20 && c < 0x7F; })) {
    return std::string(raw.substr(0, max_bytes));
  }
  std::string text;
  text.reserve(std::min(raw.size(), max_bytes));
  const bool well_formed = IsWellFormedUtf8(raw);
  for (size_t pos = 0; pos < raw.size() && text.size() < max_bytes;) {
    if (!well_formed) {
      const char c = raw[pos++];
      text += (c >= 0x20 && c < 0x7F) ? c : '?';
      continue;
    }
    const size_t start = pos;
    const int32_t cp = DecodeUtf8CodePoint(raw, pos);
    if (MisleadsOnDisplay(cp)) {
      text += '?';
    } else if (text.size() + (pos - start) <= max_bytes) {
      text.append(raw.substr(start, pos - start));
    } else {
      break;  // a character that would not fit whole
    }
  }
  return text;
}

}  // namespace vigie
