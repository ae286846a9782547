#pragma once
// UTF-8 as RFC 3629 defines it, one code point at a time: for the places
// that must tell well-formed text from arbitrary bytes (names, JSON text
// written from untrusted input).
// Thread-safety: pure functions.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigie {

// The code point starting at bytes[pos], advancing pos past it; -1, pos
// unchanged, for an ill-formed sequence: stray continuation byte, C0/C1/F5..FF
// lead byte, truncated sequence, overlong form, surrogate, or a code point
// above U+10FFFF. REQUIRES: pos < bytes.size().
int32_t DecodeUtf8CodePoint(std::string_view bytes, size_t& pos);

// Whether `bytes` is UTF-8 throughout (as DecodeUtf8CodePoint reads it).
bool IsWellFormedUtf8(std::string_view bytes);

// Whether a code point can make text display other than it is stored: C0
// and C1 controls, DEL, the line and paragraph separators, and the
// bidirectional marks, embeddings, overrides and isolates ("Trojan Source").
bool MisleadsOnDisplay(int32_t code_point);

// What keeps a text from being shown as stored, first flaw found.
enum class TextFlaw {
  kNone,
  kIllFormed,   // not UTF-8
  kControl,     // C0, DEL, C1, line or paragraph separator
  kFormatting,  // a bidirectional mark, embedding, override or isolate
};

// The first flaw of `text`; tab, line feed and carriage return pass when
// `line_breaks` is true (a free-text comment), not otherwise (a name).
TextFlaw FindTextFlaw(std::string_view text, bool line_breaks = false);

// `text` made safe to show: each character that misleads on display becomes
// one '?'; if `text` is not UTF-8, each byte outside printable ASCII does.
// Cut to at most `max_bytes` at a character boundary.
std::string DisplaySafe(std::string_view text, size_t max_bytes);

}  // namespace vigie
