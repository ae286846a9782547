#pragma once
// What a request's head, as Beast read it, tells the connection before any
// handler runs: whether its body is framed safely, whether it may send an
// upload's larger body, its header fields, and the problem to answer when
// the read failed. Internal: includes Beast.
// Thread-safety: free functions of their arguments alone.

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "http/message.h"
#include "http/server_options.h"

namespace vigie::http::internal {

using RequestHead = boost::beast::http::request<boost::beast::http::string_body>;

// What the connection knew when a read failed, for its answer to say why.
struct ReadFailure {
  // The request line was parsed: a head over the limit is its headers'
  // fault (431), else its target's (414, RFC 9112 §3).
  bool request_line_read = true;
  // An upload the admission accepted but that found every place taken:
  // told to come back (503, Retry-After), not that it is too large (413).
  bool upload_place_taken = false;
};

// The problem for a failed read, or nullopt when there is nobody to answer
// (timeout, reset, end of stream, cancellation by Stop()).
std::optional<Response> ProblemForReadError(const boost::system::error_code& ec,
                                            const Request& request, ReadFailure failure = {});

// Whether `target` is in origin-form (RFC 9112 §3.2.1: a path and an
// optional query, RFC 3986's characters only; no fragment). Beast lets any
// byte from 0x21 through; a route matched on such a path would disagree
// with the DPoP proof's htu, which RFC 3986 parsing reads differently (a
// fragment dropped), and a well-signed request would be told its proof is
// invalid. Refused with 400 before any handler.
bool IsOriginForm(std::string_view target);

// Security (request smuggling, RFC 9112 §6.1): whether the body is framed by
// Content-Length or by "chunked" alone. Beast reads a Transfer-Encoding that
// does not end in chunked ("gzip", "identity") as "no body", so the bytes
// that follow would be taken for the next request; HTTP/1.0 has no transfer
// codings at all. Such a request is refused and its connection closed.
bool FramedOnlyByUs(const RequestHead& head);

// Whether the client waits for a "100 Continue" before sending its body
// (HTTP/1.1, one Expect field, "100-continue" in any case).
bool WaitsForContinue(const RequestHead& head);

// Whether a request, known by its head, may send a body over max_body_bytes:
// one of the upload paths, announcing a larger (or, chunked, unknown) length.
bool WantsUploadLimit(const ServerOptions& options, std::string_view target,
                      std::optional<uint64_t> content_length);

// Copies the head's fields into `request`; returns how many Host fields it has.
size_t TakeHeaders(const RequestHead& head, Request& request);

}  // namespace vigie::http::internal
