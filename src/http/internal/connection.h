#pragma once
// Serving one accepted connection: TLS handshake (when the server has TLS
// and the listener is the API one), then requests one at a time in order,
// each read under the size caps and read timeout, answered by the built-in
// routes or by the handler on the worker pool, and written under the write
// timeout, until the client closes, an error or timeout cuts it, or the
// server stops. Internal: includes Asio.
// Ownership: the connection owns the socket; it registers itself in
// context.connections for as long as it lives. `context` must outlive it.

#include <boost/asio/ip/tcp.hpp>

#include "http/internal/server_context.h"

namespace vigie::http::internal {

// Starts serving `socket` (whose executor must be a strand) and returns at
// once. `on_probation`: opened at the connection cap (ConnectionRegistry).
void ServeConnection(ServerContext& context, boost::asio::ip::tcp::socket socket, ListenerRole role,
                     bool on_probation);

}  // namespace vigie::http::internal
