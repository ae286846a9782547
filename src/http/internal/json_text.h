#pragma once
// Tiny JSON text helpers for the few fixed-shape documents http writes itself
// (problem bodies, access log lines, /healthz). Not a JSON library.
// Thread-safety: pure functions.

#include <chrono>
#include <string>
#include <string_view>

namespace vigie::http::internal {

// Appends `s` as a JSON string literal: UTF-8 text as it is (a French name
// stays readable), control characters (C0, DEL, C1) escaped, and each byte
// that is not part of well-formed UTF-8 (untrusted request bytes) written as
// \ufffd, so the output is always valid JSON.
void AppendJsonString(std::string& out, std::string_view s);

// "2024-05-01T12:00:00.123Z"
std::string Rfc3339Millis(std::chrono::system_clock::time_point t);

}  // namespace vigie::http::internal
