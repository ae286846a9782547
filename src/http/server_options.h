#pragma once
// Everything `Server` can be told, with safe defaults, and the checks Start()
// runs on it before binding anything.
// Thread-safety: plain values.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/random.h"
#include "http/message.h"

namespace vigie::http {

// PEM files for the TLS listener.
struct TlsFiles {
  std::string certificate_file;  // leaf first, then intermediates
  std::string private_key_file;  // must not be readable by "others"
};

// The separate plain-HTTP listener for /metrics. Loopback only.
struct MetricsListenerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0: an ephemeral port, see Server::metrics_port()
};

// Receives one access log line (a JSON object, no trailing newline). Called
// from I/O threads concurrently: must be thread-safe and quick.
using AccessLogSink = std::function<void(std::string_view line)>;

struct ServerOptions {
  // Numeric IPv4 or IPv6 address. Security: without `tls` it must be a
  // loopback address (127.0.0.0/8, ::1): plain HTTP never leaves the machine.
  std::string listen_address = "127.0.0.1";
  uint16_t port = 0;  // 0: an ephemeral port, see Server::port()
  std::optional<TlsFiles> tls;

  // Load balancers (addresses or CIDR blocks) that put a PROXY protocol
  // header (version 1 or 2) before each connection's bytes; the address it
  // names is the request's remote_address. Security: a peer in this list
  // must send one (a connection without a valid header is closed, so no
  // request is ever attributed to the balancer by mistake); a peer outside
  // it cannot, so nobody else can choose the address the audit records.
  std::vector<std::string> proxy_protocol_from;

  // Security: caps on what one client can make the server buffer. Over the
  // header cap: 431; over the body cap: 413; the handler is not called.
  size_t max_header_bytes = 8 * 1024;
  size_t max_body_bytes = 64 * 1024;
  // Security: the few paths that take a whole file (a leaked sample to
  // check) may send bodies up to max_upload_bytes; every other request keeps
  // max_body_bytes. Exact paths, compared without the query. At most
  // max_concurrent_uploads bodies over max_body_bytes are buffered at once,
  // so clients (who are not yet authenticated when their body is read)
  // cannot make the server hold max_connections x max_upload_bytes; beyond
  // that, the ordinary limit applies: a body over it is refused from its
  // head, 503 with Retry-After to a sender upload_admission accepted, 413 to
  // any other. At most max_uploads_per_address of them per client address,
  // so one client cannot hold them all.
  std::vector<std::string> upload_paths;
  size_t max_upload_bytes = 8 * 1024 * 1024;
  size_t max_concurrent_uploads = 4;
  size_t max_uploads_per_address = 1;
  // Security: whether the sender of a request to an upload path may send
  // such a body, judged from its head (no body yet) before a place is taken;
  // false: the ordinary limit applies. Without it, anyone - nobody is
  // authenticated yet - could hold the places with slow bodies. Null:
  // anyone may. Called on a worker thread: may block briefly, thread-safe.
  std::function<bool(const Request& head)> upload_admission;

  // Security: slow clients are cut. The read timeout bounds receiving one
  // whole request from its first byte, and a new connection's PROXY header,
  // TLS handshake and first request all together from its accept; the write
  // timeout bounds sending one response; the idle timeout bounds the wait for
  // the next request on a kept-alive connection.
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds write_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};

  // Security: beyond this many open connections a new API connection is
  // taken on probation: once it has sent a whole, well-formed request it
  // takes the place of the connection idle the longest, or is answered 503
  // and closed; with too many newcomers already on probation, it is closed
  // at once (both counted in vigie_http_rejected_connections_total). See
  // internal/connection_registry.h. The metrics port has its own cap (8).
  size_t max_connections = 1024;
  // Security: one client (ClientNetwork: an IPv4 address, an IPv6 /64) holds
  // at most this many, so it cannot take every connection from the others.
  // Counted once a balancer's PROXY header has named the client, before any
  // TLS work; beyond, closed at once
  // (vigie_http_rejected_connections_per_address_total). Generous: a police
  // station's agents may all come from one NAT address, six connections
  // per browser.
  size_t max_connections_per_address = 512;

  // Threads running socket I/O and TLS, and threads running handlers.
  size_t io_threads = 1;
  size_t worker_threads = 2;
  // Requests to these exact paths (compared without the query) run on a
  // pool of their own, waiting_workers threads: handlers that mostly wait (a
  // login's password hash, queued behind others) then never hold the
  // workers every other request needs. Empty: every handler on the workers.
  std::vector<std::string> waiting_paths;
  size_t waiting_workers = 0;

  // On Stop(), in-flight requests get this long to finish before their
  // connections are closed.
  std::chrono::milliseconds drain_timeout{10'000};

  std::optional<MetricsListenerOptions> metrics;

  // GET/HEAD /readyz on the main listener: 200 while this says the node can
  // serve (a load balancer's check), 503 otherwise and while stopping. Null:
  // ready whenever the server runs. Called on I/O threads: quick, thread-safe.
  std::function<bool()> readiness;

  // Where access log lines go; null: standard output, one line each.
  AccessLogSink access_log;

  // Injected for tests; null: the system clock and the OS CSPRNG.
  // Not owned; must outlive the server and be thread-safe.
  const Clock* clock = nullptr;
  RandomSource* random = nullptr;
};

// The checks Start() applies, exposed for `vigie serve --check`-style use and
// tests. InvalidArgument naming the offending option: a non-numeric or
// non-loopback plain-HTTP address, a non-loopback metrics address, a zero
// limit, timeout or thread count, incomplete TLS file names, an entry of
// proxy_protocol_from that is not an address or CIDR block.
Result<void> ValidateServerOptions(const ServerOptions& options);

// True for 127.0.0.0/8 and ::1 written numerically ("localhost" is not numeric).
bool IsLoopbackAddress(std::string_view address);

}  // namespace vigie::http
