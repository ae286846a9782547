#include "http/server_options.h"

#include <arpa/inet.h>

#include <array>
#include <cstring>

#include "http/address_range.h"

namespace vigie::http {
namespace {

bool IsNumericAddress(const std::string& address) {
  std::array<unsigned char, 16> buf{};
  return inet_pton(AF_INET, address.c_str(), buf.data()) == 1 ||
         inet_pton(AF_INET6, address.c_str(), buf.data()) == 1;
}

Result<void> Invalid(std::string message) {
  return Fail(ErrorCode::kInvalidArgument, "server options: " + std::move(message));
}

}  // namespace

bool IsLoopbackAddress(std::string_view address) {
  std::string text(address);
  std::array<unsigned char, 16> buf{};
  if (inet_pton(AF_INET, text.c_str(), buf.data()) == 1) return buf[0] == 127;
  if (inet_pton(AF_INET6, text.c_str(), buf.data()) == 1) {
    static constexpr std::array<unsigned char, 16> kLoopback6 = {0, 0, 0, 0, 0, 0, 0, 0,
                                                                 0, 0, 0, 0, 0, 0, 0, 1};
    return buf == kLoopback6;
  }
  return false;
}

Result<void> ValidateServerOptions(const ServerOptions& o) {
  if (!IsNumericAddress(o.listen_address)) {
    return Invalid("listen_address '" + o.listen_address + "' is not a numeric IP address");
  }
  // Security: DESIGN invariant 6, plain HTTP is served on loopback only.
  if (!o.tls && !IsLoopbackAddress(o.listen_address)) {
    return Invalid("plain HTTP is allowed only on a loopback address; '" + o.listen_address +
                   "' needs tls (certificate_file and private_key_file)");
  }
  if (o.tls && (o.tls->certificate_file.empty() || o.tls->private_key_file.empty())) {
    return Invalid("tls needs both certificate_file and private_key_file");
  }
  if (o.max_header_bytes == 0 || o.max_body_bytes == 0 || o.max_upload_bytes == 0) {
    return Invalid("size limits must be > 0");
  }
  if (o.read_timeout.count() <= 0 || o.write_timeout.count() <= 0 || o.idle_timeout.count() <= 0 ||
      o.drain_timeout.count() < 0) {
    return Invalid("timeouts must be > 0");
  }
  for (const std::string& source : o.proxy_protocol_from) {
    auto range = AddressRange::Parse(source);
    if (!range) return Invalid("proxy_protocol_from: " + range.error().message());
    // Security: a peer in the list states the client's address, which the
    // audit log records and the limits and detection go by. A block this
    // wide ("0.0.0.0/0") lets any client name itself: balancers are a few
    // known addresses.
    if (range->prefix_bits() < (range->is_v6() ? 32 : 8)) {
      return Invalid("proxy_protocol_from: " + source +
                     " is too wide (at least /8 for IPv4, /32 for IPv6): list the balancers");
    }
  }
  if (o.max_connections == 0) return Invalid("max_connections must be > 0");
  if (o.max_connections_per_address == 0) {
    return Invalid("max_connections_per_address must be > 0");
  }
  if (o.io_threads == 0 || o.worker_threads == 0) return Invalid("thread counts must be > 0");
  if (!o.waiting_paths.empty() && o.waiting_workers == 0) {
    return Invalid("waiting_paths need waiting_workers > 0");
  }
  if (o.metrics) {
    if (!IsNumericAddress(o.metrics->address)) {
      return Invalid("metrics address '" + o.metrics->address + "' is not a numeric IP address");
    }
    // Security: metrics describe traffic; they are for the local scraper only.
    if (!IsLoopbackAddress(o.metrics->address)) {
      return Invalid("the metrics listener must be on a loopback address, not '" +
                     o.metrics->address + "'");
    }
  }
  return {};
}

}  // namespace vigie::http
