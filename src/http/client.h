#pragma once
// A small outbound HTTP(S) client for Vigie's own calls to other services
// (today: sending audit checkpoints to the witness). One request per
// connection, bounded in time and size. No Asio or Beast type appears here.
//
// Security: https:// always verifies the server's certificate chain and
// host name (against `trusted_certificate_file`, or the system's trust store
// when empty); plain http:// is accepted only for loopback hosts, like the
// server's own rule.
// Thread-safety: Exchange is reentrant; each call has its own connection.
// Errors: InvalidArgument for a URL that is not absolute http(s), a plain
// URL that is not loopback, or trusted certificates that cannot be loaded:
// mistakes no retry mends; Unavailable for resolution, connection, TLS,
// time-out or an oversized response.

#include <chrono>
#include <string>

#include "core/error.h"
#include "http/message.h"

namespace vigie::http {

struct ClientRequest {
  std::string method = "GET";
  std::string url;  // absolute: "https://witness.example:8444/v1/latest"
  std::string content_type;
  std::string body;
  std::string trusted_certificate_file;  // PEM CA file for https; empty: system store
  std::chrono::milliseconds timeout{5000};  // the whole exchange
  size_t max_response_bytes = 1 << 20;
};

struct ClientReply {
  int status = 0;
  std::string content_type;
  std::string body;
};

Result<ClientReply> Exchange(const ClientRequest& request);

// Whether Exchange would accept `url` (its InvalidArgument, checked before
// any call): for a configured URL, refused at start rather than at each call.
Result<void> CheckClientUrl(const std::string& url);

}  // namespace vigie::http
