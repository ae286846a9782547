#pragma once
// A deliberately simple HTTP/1.1 client for the server tests: it sends the
// exact bytes a test writes (so tests can be malformed, slow or pipelined on
// purpose) and parses responses. Every call is bounded by a timeout.
// Not thread-safe; one per test thread. Test-only: Beast stays in the .cc.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "http/message.h"

namespace vigie::http::testing {

struct ClientTlsOptions {
  std::string trusted_certificate_file;   // empty: do not verify the server
  std::string server_name = "localhost";  // SNI and name checked against the certificate
  int min_version = 0;                    // OpenSSL TLS1_x_VERSION; 0: library default
  int max_version = 0;
  std::string tls12_ciphers;  // empty: library default
  bool allow_legacy = false;  // security level 0, so TLS 1.0/1.1 can be offered at all
  std::string before_handshake;  // raw bytes sent first, as a balancer's PROXY header
};

struct ClientResponse {
  int status = 0;
  HeaderList headers;
  std::string body;
  bool keep_alive = true;
  std::optional<std::string> Header(std::string_view name) const;
};

class TestClient {
 public:
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  // Connects to `address`:`port`, with a TLS handshake when `tls` is set.
  static Result<std::unique_ptr<TestClient>> Connect(
      uint16_t port, std::optional<ClientTlsOptions> tls = std::nullopt,
      std::string address = "127.0.0.1",
      std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // Plain connection to 127.0.0.1:`port` from `source` (another loopback
  // address: another client network as the server counts them).
  static Result<std::unique_ptr<TestClient>> ConnectFrom(uint16_t port, std::string source);

  Result<void> Send(std::string_view bytes,
                    std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // `head`: the request was HEAD, so the response has no body.
  Result<ClientResponse> ReadResponse(bool head = false,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // True when the server closes the connection (EOF or reset) within `timeout`.
  bool WaitForClose(std::chrono::milliseconds timeout);

  std::string tls_protocol() const;  // e.g. "TLSv1.3"; "" without TLS
  std::string tls_cipher() const;

 private:
  class Impl;
  explicit TestClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "GET <target> HTTP/1.1\r\nHost: localhost\r\n<extra>\r\n"
std::string RequestText(std::string_view method, std::string_view target,
                        std::string_view extra_headers = {}, std::string_view body = {});

// Connect, send one request, read its response.
Result<ClientResponse> Fetch(uint16_t port, std::string_view method, std::string_view target,
                             std::optional<ClientTlsOptions> tls = std::nullopt,
                             std::string_view extra_headers = {}, std::string_view body = {});

}  // namespace vigie::http::testing
