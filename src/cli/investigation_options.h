#pragma once
// Options of the investigation commands (`audit search`, `breach report`)
// read as the API reads the same fields, errors naming the option.
// Thread-safety: pure functions.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace vigie::cli {

// A date or time (audit::ParseUtcMicros), a date alone meaning the start of
// the day, or its end when `end_of_day`.
Result<int64_t> TimeOption(const std::string& text, bool end_of_day, std::string_view option);

// One IP address in the form the server records for a peer
// (http::CanonicalPeerAddress: "::ffff:a.b.c.d" is a.b.c.d). InvalidArgument
// for a network, a name or any looser form.
Result<std::string> AddressOption(std::string_view text, std::string_view option);

}  // namespace vigie::cli
