#pragma once
// The transport-neutral request and response a Handler sees: no Beast or Asio
// type crosses this line, so `app` adapters compile fast and can be tested
// without sockets.
// Thread-safety: plain values; a Request is read-only to its handler.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/confirmation.h"

namespace vigie::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// One parsed HTTP request, after the server enforced its size limits.
struct Request {
  std::string method;          // as sent, e.g. "GET"
  std::string target;          // origin-form: path and query, e.g. "/api/v1/search?q=x"
  std::string host;            // the Host header ("" when absent)
  HeaderList headers;          // as received, in order, names as sent
  std::string body;            // at most max_body_bytes (max_upload_bytes on an upload path)
  std::string remote_address;  // peer IP, e.g. "127.0.0.1" or "::1"
  bool tls = false;            // arrived over TLS
  std::string request_id;      // the server's id for this request (never the client's)

  // The first value of header `name`, compared case-insensitively (RFC 9110 §5.1).
  std::optional<std::string_view> Header(std::string_view name) const;
  // The target without query: "/api/v1/search".
  std::string_view Path() const;
  // The query after '?', without it ("" when none).
  std::string_view Query() const;
};

// What a handler returns. The server adds the security headers, X-Request-Id,
// Content-Length and Connection; a handler cannot override those (headers it
// sets with those names are dropped).
struct Response {
  int status = 200;
  std::string content_type;  // e.g. "application/json"; empty with an empty body is fine
  HeaderList headers;        // extra headers, e.g. {"Retry-After", "30"}
  std::string body;

  // Replaces the default strict Content-Security-Policy for this response
  // (the web UI's pages will need 'self' scripts). Empty: the strict default.
  std::string content_security_policy;

  // For the access log only; never sent to the client.
  std::string log_route;     // the matched route pattern, e.g. "/api/v1/persons/{id}"
  std::string log_agent_id;  // the authenticated agent, if any

  // Set when this response may leave only once something else confirms (a
  // consultation's audit event is durable, DESIGN invariant 1). The server
  // holds the response - not a thread - until then, runs the confirmation's
  // step on a worker, and sends the refusal's problem instead (503 for
  // Unavailable) when it is refused or does not come by its deadline.
  std::shared_ptr<Confirmation> hold_until;
  // Run on a worker when the held response is not sent (that refusal is):
  // to undo what answering cost, e.g. the consultation's quota.
  std::function<void()> on_withheld;
};

// Answers one request. Runs on the server's worker pool, never on an I/O
// thread, so it may block (Argon2id hashing, database calls). Must be
// thread-safe: several requests run at once. An exception escaping it is
// caught by the server and answered with a 500 problem.
using Handler = std::function<Response(const Request&)>;

// ASCII case-insensitive equality, as header names compare.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace vigie::http
