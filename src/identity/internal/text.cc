#include "identity/internal/text.h"

#include "core/utf8.h"

namespace vigie::identity::internal {
namespace {

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// The ASCII base of a Latin-1 Supplement letter (U+00C0..U+00FF), lower
// case; empty when there is none (× and ÷).
std::string_view Latin1Base(char32_t cp) {
  // Indexed by cp - 0xC0.
  static constexpr std::string_view kBases[64] = {
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",   // C0
      "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",  // D0
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",   // E0
      "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y",   // F0
  };
  return kBases[cp - 0xC0];
}

}  // namespace

std::optional<std::vector<char32_t>> DecodeUtf8(std::string_view text) {
  std::vector<char32_t> out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    const int32_t cp = DecodeUtf8CodePoint(text, pos);
    if (cp < 0) return std::nullopt;
    out.push_back(static_cast<char32_t>(cp));
  }
  return out;
}

bool IsValidUtf8(std::string_view text) { return IsWellFormedUtf8(text); }

size_t CodePointCount(std::string_view text) {
  size_t count = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

std::string Fold(std::string_view text) {
  auto decoded = DecodeUtf8(text);
  if (!decoded) return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (char32_t cp : *decoded) {
    if (cp >= 'A' && cp <= 'Z') {
      out.push_back(static_cast<char>(cp - 'A' + 'a'));
    } else if (cp >= 0xC0 && cp <= 0xFF && !Latin1Base(cp).empty()) {
      out += Latin1Base(cp);
    } else if (cp >= 0x100 && cp <= 0x17F) {
      // Latin Extended-A (Central European, Baltic, Turkish, Maltese...):
      // Ł→l, ř→r, Ş→s, ă→a; '*' for the two ligatures, Ĳ ĳ and Œ œ.
      static constexpr std::string_view kBase =
          "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii**jjkkkllllllllllnnnnnnnnnoooooo**"
          "rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
      const char base = kBase[cp - 0x100];
      if (base != '*') {
        out.push_back(base);
      } else {
        out += cp < 0x140 ? "ij" : "oe";
      }
    } else {
      AppendUtf8(out, cp);
    }
  }
  return out;
}

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace vigie::identity::internal
