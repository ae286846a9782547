#pragma once
// The headers every response leaves with: the handler's own (minus those the
// server owns or that could split the response) plus the security headers,
// Cache-Control and X-Request-Id.
// Thread-safety: pure functions.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "http/message.h"

namespace vigie::http::internal {

// Content-Security-Policy unless a response sets its own.
// Security: nothing may load, frame the page or be the base of relative URLs;
// forms post only to us. The API serves JSON, which needs none of it.
inline constexpr std::string_view kDefaultContentSecurityPolicy =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

// Security: two years, subdomains too (HSTS preload minimum is one year).
inline constexpr std::string_view kStrictTransportSecurity = "max-age=63072000; includeSubDomains";

// True for headers only the server may set: framing (Content-Length,
// Transfer-Encoding, Connection, Keep-Alive, Upgrade), X-Request-Id,
// Strict-Transport-Security and the other security headers.
bool IsServerOwnedHeader(std::string_view name);

// Beyond this a field is dropped: Beast throws on one over 64 KiB, and no
// answer of ours needs more than a few hundred bytes.
inline constexpr size_t kMaxResponseHeaderBytes = 8 * 1024;

// A syntactically valid field name (RFC 9110 token) and value (no CR, LF or
// NUL), at most kMaxResponseHeaderBytes together. Security: a handler
// echoing input into a header cannot split the response.
bool IsValidHeader(std::string_view name, std::string_view value);

// The Date header's value (RFC 9110 §5.6.7 IMF-fixdate), e.g.
// "Sun, 06 Nov 1994 08:49:37 GMT": every answer carries one, which lets a
// client whose clock is off date its DPoP proofs by ours.
std::string HttpDate(std::chrono::system_clock::time_point when);

// All headers to send except Content-Length and Connection (the serializer's).
// Handler headers that are server-owned or invalid are dropped. Content-Type
// comes from response.content_type when set. Cache-Control defaults to
// "no-store" unless the handler set one (e.g. for static assets).
HeaderList FinalHeaders(const Response& response, bool tls, std::string_view request_id);

}  // namespace vigie::http::internal
