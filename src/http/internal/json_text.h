#pragma once
// Tiny JSON text helpers for the few fixed-shape documents http writes itself
// (problem bodies, access log lines, /healthz). Not a JSON library.
// Thread-safety: pure functions.

#include <chrono>
#include <string>
#include <string_view>

namespace vigie::http::internal {

// Appends `s` as a JSON string literal. Control characters are escaped, and
// so is every byte >= 0x80 (as \u00XX), so the output is always valid,
// pure-ASCII JSON even when `s` is not valid UTF-8 (untrusted request bytes).
void AppendJsonString(std::string& out, std::string_view s);

// "2024-05-01T12:00:00.123Z"
std::string Rfc3339Millis(std::chrono::system_clock::time_point t);

}  // namespace vigie::http::internal
