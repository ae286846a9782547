#pragma once
// The PROXY protocol header (HAProxy's specification, versions 1 and 2)
// that a trusted load balancer puts before the client's bytes, so that a
// node behind it knows — and audits, throttles and judges — the client's
// address instead of the balancer's.
// Security: read only on connections from `server.proxy_protocol_from`; a
// header that is malformed, too long, or names something other than a TCP
// client over IPv4/IPv6 ends the connection.
// Thread-safety: pure functions.

#include <cstddef>
#include <string>
#include <string_view>

namespace vigie::http {

// Longest header accepted: version 1's maximum (107 bytes) and, for version
// 2, the 16-byte fixed part plus addresses and TLVs up to this total.
inline constexpr size_t kMaxProxyHeaderBytes = 16 + 512;

struct ProxyHeader {
  enum class State {
    kNeedMore,  // read exactly `more` further bytes, then call again with all of them
    kComplete,  // the header is `size` bytes long; what follows is the client's
    kInvalid,   // `error` says why; close the connection
  };
  State state = State::kNeedMore;
  size_t more = 0;
  size_t size = 0;
  // The client's address as text ("192.0.2.7", "2001:db8::1"); empty for a
  // connection the balancer made on its own behalf (v2 LOCAL, v1 UNKNOWN:
  // its health checks), which keeps the balancer's own address.
  std::string source_address;
  std::string error;
};

// Parses the start of a connection's bytes. Never asks for more bytes than
// the header can still hold, so a caller reading exactly `more` bytes at a
// time never consumes any of the client's own (its TLS ClientHello).
ProxyHeader ParseProxyHeader(std::string_view bytes);

}  // namespace vigie::http
