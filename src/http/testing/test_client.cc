#include "http/testing/test_client.h"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <functional>

namespace vigie::http::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

Error ClientError(std::string_view what, const boost::system::error_code& ec) {
  return Error(ErrorCode::kUnavailable, std::string(what) + ": " + ec.message());
}

}  // namespace

class TestClient::Impl {
 public:
  asio::io_context io;
  tcp::socket socket{io};
  std::unique_ptr<ssl::context> tls_context;
  std::unique_ptr<ssl::stream<tcp::socket&>> tls;
  beast::flat_buffer buffer;

  // Runs the operation `start` begins until it completes or `timeout`
  // passes; on timeout the operation is cancelled (the socket stays open).
  boost::system::error_code Run(
      const std::function<void(std::function<void(boost::system::error_code)>)>& start,
      std::chrono::milliseconds timeout) {
    boost::system::error_code result = asio::error::would_block;
    io.restart();
    start([&result](boost::system::error_code ec) { result = ec; });
    io.run_for(timeout);
    if (result == asio::error::would_block) {
      boost::system::error_code ignored;
      socket.cancel(ignored);
      io.restart();
      io.run();
      result = asio::error::timed_out;
    }
    return result;
  }

  template <class F>
  auto WithStream(F&& f) {
    if (tls) return f(*tls);
    return f(socket);
  }
};

TestClient::TestClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TestClient::~TestClient() = default;

std::optional<std::string> ClientResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return std::nullopt;
}

Result<std::unique_ptr<TestClient>> TestClient::Connect(uint16_t port,
                                                        std::optional<ClientTlsOptions> tls,
                                                        std::string address,
                                                        std::chrono::milliseconds timeout) {
  auto impl = std::make_unique<Impl>();
  boost::system::error_code ec;
  tcp::endpoint endpoint(asio::ip::make_address(address, ec), port);
  if (ec) return Fail(ClientError("address", ec));
  ec = impl->Run([&](auto done) { impl->socket.async_connect(endpoint, done); }, timeout);
  if (ec) return Fail(ClientError("connect", ec));
  if (tls) {
    impl->tls_context = std::make_unique<ssl::context>(ssl::context::tls_client);
    SSL_CTX* native = impl->tls_context->native_handle();
    if (tls->allow_legacy) {
      SSL_CTX_set_security_level(native, 0);
      SSL_CTX_set_cipher_list(native, "ALL:@SECLEVEL=0");
    }
    if (tls->min_version != 0) SSL_CTX_set_min_proto_version(native, tls->min_version);
    if (tls->max_version != 0) SSL_CTX_set_max_proto_version(native, tls->max_version);
    if (!tls->tls12_ciphers.empty()) SSL_CTX_set_cipher_list(native, tls->tls12_ciphers.c_str());
    if (!tls->trusted_certificate_file.empty()) {
      impl->tls_context->load_verify_file(tls->trusted_certificate_file, ec);
      if (ec) return Fail(ClientError("load_verify_file", ec));
      impl->tls_context->set_verify_mode(ssl::verify_peer);
    } else {
      impl->tls_context->set_verify_mode(ssl::verify_none);
    }
    if (!tls->before_handshake.empty()) {
      ec = impl->Run(
          [&](auto done) {
            asio::async_write(impl->socket, asio::buffer(tls->before_handshake),
                              [done](boost::system::error_code e, size_t) { done(e); });
          },
          timeout);
      if (ec) return Fail(ClientError("write before handshake", ec));
    }
    impl->tls = std::make_unique<ssl::stream<tcp::socket&>>(impl->socket, *impl->tls_context);
    SSL* ssl_handle = impl->tls->native_handle();
    SSL_set_tlsext_host_name(ssl_handle, tls->server_name.c_str());
    if (!tls->trusted_certificate_file.empty()) SSL_set1_host(ssl_handle, tls->server_name.c_str());
    ec = impl->Run([&](auto done) { impl->tls->async_handshake(ssl::stream_base::client, done); },
                   timeout);
    if (ec) return Fail(ClientError("TLS handshake", ec));
  }
  return std::unique_ptr<TestClient>(new TestClient(std::move(impl)));
}

Result<std::unique_ptr<TestClient>> TestClient::ConnectFrom(uint16_t port, std::string source) {
  auto impl = std::make_unique<Impl>();
  boost::system::error_code ec;
  const auto from = asio::ip::make_address(source, ec);
  if (ec) return Fail(ClientError("address", ec));
  impl->socket.open(tcp::v4(), ec);
  if (!ec) impl->socket.bind(tcp::endpoint(from, 0), ec);
  if (ec) return Fail(ClientError("bind", ec));
  const tcp::endpoint server(asio::ip::make_address("127.0.0.1"), port);
  ec = impl->Run([&](auto done) { impl->socket.async_connect(server, done); },
                 std::chrono::seconds(5));
  if (ec) return Fail(ClientError("connect", ec));
  return std::unique_ptr<TestClient>(new TestClient(std::move(impl)));
}

Result<void> TestClient::Send(std::string_view bytes, std::chrono::milliseconds timeout) {
  auto ec = impl_->Run(
      [&](auto done) {
        impl_->WithStream([&](auto& stream) {
          asio::async_write(stream, asio::buffer(bytes.data(), bytes.size()),
                            [done](boost::system::error_code e, size_t) { done(e); });
        });
      },
      timeout);
  if (ec) return Fail(ClientError("send", ec));
  return {};
}

Result<ClientResponse> TestClient::ReadResponse(bool head, std::chrono::milliseconds timeout) {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  parser.skip(head);
  auto ec = impl_->Run(
      [&](auto done) {
        impl_->WithStream([&](auto& stream) {
          bhttp::async_read(stream, impl_->buffer, parser,
                            [done](boost::system::error_code e, size_t) { done(e); });
        });
      },
      timeout);
  if (ec) return Fail(ClientError("read response", ec));
  ClientResponse out;
  auto& message = parser.get();
  out.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  out.body = std::move(message.body());
  out.keep_alive = message.keep_alive();
  return out;
}

bool TestClient::WaitForClose(std::chrono::milliseconds timeout) {
  std::array<char, 4096> sink;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    auto ec = impl_->Run(
        [&](auto done) {
          impl_->WithStream([&](auto& stream) {
            stream.async_read_some(asio::buffer(sink),
                                   [done](boost::system::error_code e, size_t) { done(e); });
          });
        },
        left);
    if (ec == asio::error::timed_out) return false;
    if (ec) return true;  // EOF, reset or TLS truncation: closed
  }
  return false;
}

std::string TestClient::tls_protocol() const {
  return impl_->tls ? SSL_get_version(impl_->tls->native_handle()) : "";
}

std::string TestClient::tls_cipher() const {
  return impl_->tls ? SSL_get_cipher_name(impl_->tls->native_handle()) : "";
}

std::string RequestText(std::string_view method, std::string_view target,
                        std::string_view extra_headers, std::string_view body) {
  std::string text;
  text += method;
  text += ' ';
  text += target;
  text += " HTTP/1.1\r\nHost: localhost\r\n";
  text += extra_headers;
  if (!body.empty()) text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  text += "\r\n";
  text += body;
  return text;
}

Result<ClientResponse> Fetch(uint16_t port, std::string_view method, std::string_view target,
                             std::optional<ClientTlsOptions> tls, std::string_view extra_headers,
                             std::string_view body) {
  ASSIGN_OR_RETURN(auto client, TestClient::Connect(port, std::move(tls)));
  RETURN_IF_ERROR(client->Send(RequestText(method, target, extra_headers, body)));
  return client->ReadResponse(method == "HEAD");
}

}  // namespace vigie::http::testing
