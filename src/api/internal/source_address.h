#pragma once
// A source address a client asks about (audit search, breach report), in
// the form the server records a peer's address, so that equal addresses
// compare equal as text.
// Thread-safety: a pure function.

#include <string>
#include <string_view>

#include "core/error.h"

namespace vigie::api::internal {

// One IPv4 or IPv6 address in the text the server records for a peer
// (http::CanonicalPeerAddress); InvalidArgument naming `field` for anything
// else: a network ("10.0.0.0/8"), a name, a leading zero, spaces.
Result<std::string> CanonicalSourceAddress(std::string_view field, std::string_view text);

}  // namespace vigie::api::internal
