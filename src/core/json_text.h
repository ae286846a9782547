#pragma once
// A JSON string literal for text from outside (request bytes, log field
// values): always valid JSON, and shown as stored by whoever reads it.
// Thread-safety: pure function.

#include <string>
#include <string_view>

namespace vigie {

// Appends `text` as a JSON string literal: UTF-8 as it is (a French name
// stays readable); what misleads on display (C0, DEL, C1, the line and
// paragraph separators, bidirectional formatting) escaped as \uXXXX, so no
// terminal acts on it; each byte that is not part of well-formed UTF-8
// written as \ufffd, so the output is UTF-8 a log collector accepts.
void AppendJsonText(std::string& out, std::string_view text);

}  // namespace vigie
