#include "records/internal/generator_text.h"

#include <algorithm>

namespace vigie::records::internal {
namespace {

bool IsAsciiUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsAsciiLower(char c) { return c >= 'a' && c <= 'z'; }
char ToLowerAscii(char c) { return IsAsciiUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }
char ToUpperAscii(char c) { return IsAsciiLower(c) ? static_cast<char>(c - 'a' + 'A') : c; }

}  // namespace

void AppendPadded(std::string& out, uint64_t value, int width) {
  char buf[24];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  for (int i = n; i < width; ++i) out.push_back('0');
  while (n > 0) out.push_back(buf[--n]);
}

bool HasControlChar(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
}

std::string TitleCase(std::string_view upper) {
  std::string out(upper);
  size_t word_start = 0;
  bool first_word = true;
  while (word_start < out.size()) {
    size_t word_end = out.find(' ', word_start);
    if (word_end == std::string::npos) word_end = out.size();
    const std::string_view word(out.data() + word_start, word_end - word_start);
    const bool particle =
        !first_word && (word == "DE" || word == "DU" || word == "DES" || word == "DIT" ||
                        word == "ET" || (word.size() > 2 && word.substr(0, 2) == "D'"));
    bool capitalize_next = !particle;
    for (size_t i = word_start; i < word_end; ++i) {
      char& c = out[i];
      if (IsAsciiUpper(c) || IsAsciiLower(c)) {
        c = capitalize_next ? ToUpperAscii(c) : ToLowerAscii(c);
        capitalize_next = false;
        // A one-letter elided prefix (D', L', N', O') is followed by a capital.
        if (i + 1 < word_end && out[i + 1] == '\'' && (i == word_start || out[i - 1] == '-')) {
          capitalize_next = true;
        }
      } else if (c == '-') {
        capitalize_next = true;
      } else if (c == '\'') {
        // keep capitalize_next as set by the letter before
      } else {
        capitalize_next = false;
      }
    }
    first_word = false;
    word_start = word_end + 1;
  }
  return out;
}

std::string OfPlace(std::string_view place) {
  if (place.starts_with("Le ")) return "du " + std::string(place.substr(3));
  if (place.starts_with("Les ")) return "des " + std::string(place.substr(4));
  const bool vowel =
      !place.empty() && (std::string_view("AEIOUY").find(place[0]) != std::string_view::npos ||
                         place.starts_with("É") || place.starts_with("Î") ||
                         place.starts_with("Hé") || place.starts_with("Hy"));
  return (vowel ? "d'" : "de ") + std::string(place);
}

std::string ExternalId(char prefix, uint64_t index, int k) {
  std::string id(1, prefix);
  id.reserve(16);
  AppendPadded(id, index, 9);
  if (k > 0) {
    id.push_back('-');
    AppendPadded(id, static_cast<uint64_t>(k), 1);
  }
  return id;
}

}  // namespace vigie::records::internal
