#pragma once
// The media type of a request body: every body this API reads is JSON.
// Thread-safety: a pure function.

#include "core/error.h"
#include "http/message.h"

namespace vigie::api::internal {

// OK when `request` carries exactly one Content-Type header naming
// application/json (RFC 9110 §8.3: type and subtype case-insensitive,
// parameters allowed, a charset only if it is utf-8). InvalidArgument
// otherwise, with a message written for the client; the dispatcher answers
// it with 415. Only called for a request with a non-empty body.
//
// Security: a browser sends a cross-site form or fetch() with a text/plain,
// multipart/form-data or application/x-www-form-urlencoded body as a
// "simple" request, without a CORS preflight; requiring application/json
// keeps such requests (from an agent's own browser, aimed at activation or
// login) from ever reaching a handler.
Result<void> CheckJsonContentType(const http::Request& request);

}  // namespace vigie::api::internal
