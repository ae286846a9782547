#pragma once
// Errors as RFC 9457 problem details (application/problem+json), and the one
// place where ErrorCode maps to an HTTP status.
//
// Body: {"type":"about:blank","title":...,"status":...,"detail":...,
//        "code":...,"request_id":...}
// Security: a problem carries a public title and detail chosen by the caller
// and the request id to quote to support; never an Error's internal message.
// Thread-safety: pure functions.

#include <string_view>

#include "core/error.h"
#include "http/message.h"

namespace vigie::http {

// The status an ErrorCode maps to (STYLE.md): InvalidArgument 400,
// Unauthenticated 401, PermissionDenied 403, NotFound 404, Conflict 409,
// ResourceExhausted 429, Unavailable 503, DataLoss and Internal 500.
int HttpStatusFor(ErrorCode code);

// The standard reason phrase ("Not Found"); "Error" for unknown statuses.
std::string_view StatusPhrase(int status);

// A problem response. `detail` may be empty (then omitted).
Response Problem(int status, std::string_view title, std::string_view detail,
                 std::string_view request_id);

// The problem for `error`: its status, the status phrase as title, and
// `public_detail` as detail, or a generic sentence for the code when empty.
// Includes "code" (e.g. "Conflict") except for 500s, which all say
// "Internal" (Security: DataLoss would tell an attacker the audit chain broke).
// The error's message is never included: it is for logs (core/error.h).
Response ProblemFor(const Error& error, std::string_view request_id,
                    std::string_view public_detail = {});

}  // namespace vigie::http
