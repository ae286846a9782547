#pragma once
// The server's TLS policy in one place, as an asio::ssl::context.
// Internal: includes Asio; only the server's own .cc files include it.
// Thread-safety: the context is immutable after creation and shared by every
// connection (OpenSSL SSL_CTX is safe for concurrent use once configured).

#include <boost/asio/ssl/context.hpp>
#include <memory>

#include "core/error.h"
#include "http/server_options.h"

namespace vigie::http::internal {

// TLS 1.2 and 1.3 only (1.3 preferred by every modern client), forward-secret
// AEAD suites only, no compression, no renegotiation, no session tickets.
// Errors: InvalidArgument (a file missing or unreadable, not PEM, a key that
// does not match the certificate, a key file readable by others);
// Internal (OpenSSL refused the policy).
Result<std::unique_ptr<boost::asio::ssl::context>> MakeServerTlsContext(const TlsFiles& files);

}  // namespace vigie::http::internal
