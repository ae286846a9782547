#pragma once
// The one text form of a client's address: what the server records for a
// peer (access log, audit events, detection) and what investigators ask
// about (audit search, breach report), so that one address is one string.
// Thread-safety: pure functions.

#include <optional>
#include <string>
#include <string_view>

namespace vigie::http {

// One numeric IPv4 or IPv6 address in canonical text (inet_ntop's form);
// an IPv4-mapped IPv6 address ("::ffff:192.0.2.7", a dual-stack listener's
// or a balancer's way to write an IPv4 peer) as its IPv4 form. nullopt for
// anything else: a network ("10.0.0.0/8"), a name, a leading zero
// ("127.000.000.001"), surrounding spaces, a NUL.
std::optional<std::string> CanonicalPeerAddress(std::string_view text);

// What a per-client cap counts by, where one host holds many addresses: an
// IPv6 address's /64 ("2001:db8:1:2::/64": a host is usually given a whole
// one), an IPv4 address itself. Other text is returned as it is.
std::string ClientNetwork(std::string_view address);

}  // namespace vigie::http
