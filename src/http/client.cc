#include "http/client.h"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <optional>

#include "http/server_options.h"

namespace vigie::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

struct Target {
  bool tls = false;
  std::string host;  // without brackets
  std::string port;
  std::string authority;  // the Host header: host (IPv6 in brackets) and port, as in the URL
  std::string path;  // path and query
};

Result<Target> ParseTarget(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https") ||
      parsed->host().empty() || parsed->has_userinfo() || parsed->has_fragment()) {
    return Fail(ErrorCode::kInvalidArgument,
                "'" + url + "' is not an absolute http(s) URL without user or fragment");
  }
  Target target;
  target.tls = parsed->scheme() == "https";
  target.host = parsed->host_address();  // decoded, IPv6 without brackets
  target.port = parsed->has_port() ? std::string(parsed->port()) : (target.tls ? "443" : "80");
  target.authority = std::string(parsed->encoded_host_and_port());
  target.path = std::string(parsed->encoded_target());
  if (target.path.empty()) target.path = "/";
  return target;
}

Error Failure(std::string_view what, const boost::system::error_code& ec) {
  return Error(ErrorCode::kUnavailable, std::string(what) + ": " + ec.message());
}

template <class Stream>
asio::awaitable<void> SendAndRead(Stream& stream, beast::tcp_stream& tcp_layer,
                                  const ClientRequest& request, const Target& target,
                                  std::chrono::steady_clock::time_point deadline,
                                  Result<ClientReply>& out) {
  bhttp::request<bhttp::string_body> message{bhttp::string_to_verb(request.method), target.path,
                                             11};
  // RFC 9110 §7.2: with its port when the URL has one (a witness behind a
  // proxy is routed by it), an IPv6 address in brackets.
  message.set(bhttp::field::host, target.authority);
  message.set(bhttp::field::user_agent, "vigie");
  message.set(bhttp::field::connection, "close");
  if (!request.content_type.empty()) message.set(bhttp::field::content_type, request.content_type);
  message.body() = request.body;
  message.prepare_payload();
  tcp_layer.expires_at(deadline);
  auto [write_ec, written] = co_await bhttp::async_write(
      stream, message, kNoThrow);
  (void)written;
  if (write_ec) {
    out = Fail(Failure("send", write_ec));
    co_return;
  }
  // Security: the body limit counts chunk data only; a chunk line or a
  // trailer that never ends is held by the buffer's own bound.
  constexpr size_t kMaxHead = 16 * 1024;
  beast::flat_buffer buffer(kMaxHead + request.max_response_bytes);
  bhttp::response_parser<bhttp::string_body> parser;
  parser.header_limit(kMaxHead);
  parser.body_limit(request.max_response_bytes);
  tcp_layer.expires_at(deadline);
  auto [read_ec, read] = co_await bhttp::async_read(
      stream, buffer, parser, kNoThrow);
  (void)read;
  if (read_ec) {
    out = Fail(Failure("read response", read_ec));
    co_return;
  }
  const auto& response = parser.get();
  ClientReply reply;
  reply.status = static_cast<int>(response.result_int());
  reply.content_type = std::string(response[bhttp::field::content_type]);
  reply.body = response.body();
  out = std::move(reply);
}

asio::awaitable<void> Run(const ClientRequest& request, const Target& target,
                          ssl::context* tls_context, Result<ClientReply>& out) {
  auto executor = co_await asio::this_coro::executor;
  const auto deadline = std::chrono::steady_clock::now() + request.timeout;
  tcp::resolver resolver(executor);
  auto [resolve_ec, endpoints] = co_await resolver.async_resolve(
      target.host, target.port, kNoThrow);
  if (resolve_ec) {
    out = Fail(Failure("resolve " + target.host, resolve_ec));
    co_return;
  }
  if (!target.tls) {
    // Security: nothing goes over the network unencrypted.
    for (const auto& entry : endpoints) {
      if (!entry.endpoint().address().is_loopback()) {
        out = Fail(ErrorCode::kInvalidArgument,
                   "plain http:// is only for loopback; use https:// for " + target.host);
        co_return;
      }
    }
  }
  beast::tcp_stream tcp_layer(executor);
  tcp_layer.expires_at(deadline);
  auto [connect_ec, endpoint] = co_await tcp_layer.async_connect(
      endpoints, kNoThrow);
  (void)endpoint;
  if (connect_ec) {
    out = Fail(Failure("connect to " + target.host, connect_ec));
    co_return;
  }
  if (!target.tls) {
    co_await SendAndRead(tcp_layer, tcp_layer, request, target, deadline, out);
    co_return;
  }
  beast::ssl_stream<beast::tcp_stream&> tls(tcp_layer, *tls_context);
  // Security: a name that could not be set would not be checked (any
  // trusted certificate would do): fail closed. No SNI for an address
  // (RFC 6066 names hosts only).
  boost::system::error_code not_an_address;
  asio::ip::make_address(target.host, not_an_address);
  if ((not_an_address && SSL_set_tlsext_host_name(tls.native_handle(), target.host.c_str()) != 1) ||
      SSL_set1_host(tls.native_handle(), target.host.c_str()) != 1) {
    out = Fail(ErrorCode::kInternal, "cannot set the name to check on " + target.host);
    co_return;
  }
  tcp_layer.expires_at(deadline);
  auto [handshake_ec] = co_await tls.async_handshake(
      ssl::stream_base::client, kNoThrow);
  if (handshake_ec) {
    out = Fail(Failure("TLS handshake with " + target.host, handshake_ec));
    co_return;
  }
  co_await SendAndRead(tls, tcp_layer, request, target, deadline, out);
}

Result<Target> UsableTarget(const std::string& url) {
  ASSIGN_OR_RETURN(Target target, ParseTarget(url));
  if (!target.tls && target.host != "localhost" && !IsLoopbackAddress(target.host)) {
    return Fail(ErrorCode::kInvalidArgument,
                "plain http:// is only for loopback; use https:// for " + target.host);
  }
  return target;
}

}  // namespace

Result<void> CheckClientUrl(const std::string& url) {
  RETURN_IF_ERROR(UsableTarget(url));
  return {};
}

Result<ClientReply> Exchange(const ClientRequest& request) {
  ASSIGN_OR_RETURN(Target target, UsableTarget(request.url));
  std::optional<ssl::context> tls_context;
  if (target.tls) {
    tls_context.emplace(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(tls_context->native_handle(), TLS1_2_VERSION);
    // Security: a witness's weak key or SHA-1 signature is refused, whatever
    // the system's OpenSSL settings.
    SSL_CTX_set_security_level(tls_context->native_handle(), 2);
    boost::system::error_code ec;
    if (request.trusted_certificate_file.empty()) {
      tls_context->set_default_verify_paths(ec);
    } else {
      tls_context->load_verify_file(request.trusted_certificate_file, ec);
    }
    if (ec) {
      const std::string source = request.trusted_certificate_file.empty()
                                     ? std::string("of the system's store")
                                     : request.trusted_certificate_file;
      return Fail(ErrorCode::kInvalidArgument,
                  "trusted certificates " + source + ": " + ec.message());
    }
    tls_context->set_verify_mode(ssl::verify_peer);
  }
  Result<ClientReply> out = Fail(ErrorCode::kUnavailable, "the exchange did not complete");
  asio::io_context io;
  asio::co_spawn(io, Run(request, target, tls_context ? &*tls_context : nullptr, out),
                 asio::detached);
  io.run();
  return out;
}

}  // namespace vigie::http
