// The outbound client against our own server: plain loopback, verified TLS,
// and each refusal (untrusted or misnamed certificate, plain beyond
// loopback, oversized answer, a server too slow).

#include "http/client.h"

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <thread>

#include "crypto/self_signed_certificate.h"
#include "http/testing/server_fixture.h"
#include "tests/support/temp_dir.h"

namespace vigie::http {
namespace {

namespace asio = boost::asio;
using ::vigie::testing::ErrorCodeIs;

class ClientTest : public testing::ServerFixture {
 protected:
  void Start(bool tls) {
    ServerOptions options = BaseOptions();
    if (tls) {
      ASSERT_OK(crypto::WriteSelfSignedCertificate(cert_, key_,
                                                   crypto::DefaultDemoCertificateNames(), 2));
      options.tls = TlsFiles{cert_.string(), key_.string()};
    }
    StartServer(options, [](const Request& request) {
      if (request.Path() == "/slow") std::this_thread::sleep_for(std::chrono::milliseconds(600));
      if (request.Path() == "/big") return Response{.status = 200, .body = std::string(4096, 'x')};
      if (request.Path() == "/host") return Response{.status = 200, .body = request.host};
      return Response{.status = 201,
                      .content_type = "text/plain",
                      .body = request.method + " " + request.body + (request.tls ? " tls" : "")};
    });
  }
  std::string Url(std::string_view scheme, std::string_view path, std::string_view host = "127.0.0.1") {
    return std::string(scheme) + "://" + std::string(host) + ":" + std::to_string(server_->port()) +
           std::string(path);
  }

  vigie::testing::TempDir dir_;
  std::filesystem::path cert_ = dir_ / "server.crt";
  std::filesystem::path key_ = dir_ / "server.key";
};

TEST_F(ClientTest, PlainRequestsOnLoopback) {
  Start(false);
  auto reply = Exchange({.method = "POST", .url = Url("http", "/x"), .content_type = "text/plain", .body = "hello"});
  ASSERT_OK(reply);
  EXPECT_EQ(reply->status, 201);
  EXPECT_EQ(reply->content_type, "text/plain");
  EXPECT_EQ(reply->body, "POST hello");
  ASSERT_OK(Exchange({.url = Url("http", "/x", "localhost")}));
  // The Host header names the port the URL does (RFC 9110 §7.2).
  auto host = Exchange({.url = Url("http", "/host")});
  ASSERT_OK(host);
  EXPECT_EQ(host->body, "127.0.0.1:" + std::to_string(server_->port()));
}

TEST_F(ClientTest, TlsWithATrustedCertificateForTheHost) {
  Start(true);
  auto reply = Exchange({.url = Url("https", "/x"), .trusted_certificate_file = cert_.string()});
  ASSERT_OK(reply);
  EXPECT_EQ(reply->body, "GET  tls");
}

TEST_F(ClientTest, RefusesAnUntrustedOrMisnamedCertificate) {
  Start(true);
  // The system's trust store does not know our self-signed certificate.
  EXPECT_THAT(Exchange({.url = Url("https", "/x")}), ErrorCodeIs(ErrorCode::kUnavailable));
  // Trusted, but not issued for this name.
  auto other_cert = dir_ / "other.crt", other_key = dir_ / "other.key";
  ASSERT_OK(crypto::WriteSelfSignedCertificate(other_cert, other_key, {"witness.example"}, 1));
  server_->Stop();
  server_->Wait();
  ServerOptions options = BaseOptions();
  options.tls = TlsFiles{other_cert.string(), other_key.string()};
  StartServer(options, [](const Request&) { return Response{}; });
  EXPECT_THAT(Exchange({.url = Url("https", "/x"), .trusted_certificate_file = other_cert.string()}),
              ErrorCodeIs(ErrorCode::kUnavailable));
}

TEST_F(ClientTest, BoundsTheAnswerAndTheTime) {
  Start(false);
  EXPECT_THAT(Exchange({.url = Url("http", "/big"), .max_response_bytes = 1024}),
              ErrorCodeIs(ErrorCode::kUnavailable));
  EXPECT_THAT(Exchange({.url = Url("http", "/slow"), .timeout = std::chrono::milliseconds(100)}),
              ErrorCodeIs(ErrorCode::kUnavailable));
}

// A witness (or whatever answers at its URL) sending a chunk line that never
// ends: Beast's body limit does not count it; the client still stops at its
// bound rather than buffer it until the deadline.
TEST(ClientBoundTest, AChunkLineThatNeverEndsIsRefusedAtTheBound) {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  const uint16_t port = acceptor.local_endpoint().port();
  std::thread answerer([&] {
    boost::system::error_code ec;
    asio::ip::tcp::socket socket(io);
    acceptor.accept(socket, ec);
    if (ec) return;
    std::array<char, 4096> request{};
    (void)socket.read_some(asio::buffer(request), ec);
    const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;";
    asio::write(socket, asio::buffer(head), ec);
    const std::string extension(64 * 1024, 'a');
    // Up to 8 MiB, until the client hangs up; then held open until it does.
    for (int i = 0; i < 128 && !ec; ++i) asio::write(socket, asio::buffer(extension), ec);
    while (!ec) (void)socket.read_some(asio::buffer(request), ec);
  });
  auto reply = Exchange({.url = "http://127.0.0.1:" + std::to_string(port) + "/v1/latest",
                         .timeout = std::chrono::seconds(5),
                         .max_response_bytes = 1024});
  answerer.join();
  ASSERT_THAT(reply, ErrorCodeIs(ErrorCode::kUnavailable));
  EXPECT_NE(reply.error().message().find("buffer overflow"), std::string::npos)
      << reply.error().message();
}

TEST(ClientUrlTest, PlainHttpOnlyToLoopbackAndOnlyAbsoluteUrls) {
  EXPECT_THAT(Exchange({.url = "http://192.0.2.1:8444/v1/latest"}),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(Exchange({.url = "/v1/latest"}), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(Exchange({.url = "ftp://127.0.0.1/x"}), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(Exchange({.url = "http://user@127.0.0.1/x"}),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
}

}  // namespace
}  // namespace vigie::http
