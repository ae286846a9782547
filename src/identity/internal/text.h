#pragma once
// UTF-8 helpers for validating names and passwords: validity, code-point
// counts, and a caseless, accentless fold for "does this password contain the
// agent's name" comparisons.
// Thread-safety: pure functions.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigie::identity::internal {

// The code points of `text`, or nullopt unless it is well-formed UTF-8
// (shortest forms only, no surrogates, nothing above U+10FFFF).
std::optional<std::vector<char32_t>> DecodeUtf8(std::string_view text);

bool IsValidUtf8(std::string_view text);

// Number of code points. REQUIRES: IsValidUtf8(text).
size_t CodePointCount(std::string_view text);

// Lower-cases ASCII and folds Latin-1 and Latin Extended-A letters to
// their unaccented lower-case ASCII base ("Élodie" -> "elodie", "Œ" -> "oe",
// "ß" -> "ss"). Other code points are kept as they are. Invalid UTF-8 is
// returned byte for byte (callers validate first).
std::string Fold(std::string_view text);

// `text` without leading and trailing ASCII spaces and tabs.
std::string_view TrimSpaces(std::string_view text);

}  // namespace vigie::identity::internal
