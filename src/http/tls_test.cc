// TLS policy over real sockets, with a certificate made by
// crypto::WriteSelfSignedCertificate (the one `vigie init` writes).
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "crypto/self_signed_certificate.h"
#include "http/server.h"
#include "http/testing/server_fixture.h"
#include "http/testing/test_client.h"
#include "tests/support/temp_dir.h"

namespace vigie::http {
namespace {

using testing::ClientTlsOptions;
using testing::Fetch;
using ::testing::HasSubstr;
using testing::TestClient;
using ::vigie::testing::ErrorCodeIs;

class TlsTest : public testing::ServerFixture {
 protected:
  void SetUp() override {
    ASSERT_OK(
        crypto::WriteSelfSignedCertificate(cert_, key_, crypto::DefaultDemoCertificateNames(), 2));
  }

  ServerOptions TlsOptions() {
    ServerOptions o = BaseOptions();
    o.tls = TlsFiles{cert_.string(), key_.string()};
    o.metrics = MetricsListenerOptions{};
    return o;
  }

  void Start() { Start(TlsOptions()); }
  void Start(ServerOptions options) {
    StartServer(std::move(options), [](const Request& request) {
      return Response{
          .status = 200, .content_type = "text/plain", .body = request.tls ? "tls" : "plain"};
    });
  }

  ClientTlsOptions Trusting() {
    ClientTlsOptions t;
    t.trusted_certificate_file = cert_.string();
    return t;
  }

  std::string MetricsText() {
    auto r = Fetch(*server_->metrics_port(), "GET", "/metrics");
    return r ? r->body : "";
  }

  vigie::testing::TempDir dir_;
  std::filesystem::path cert_ = dir_ / "server.crt";
  std::filesystem::path key_ = dir_ / "server.key";
};

TEST_F(TlsTest, NegotiatesTls13WithTheGeneratedCertificate) {
  Start();
  auto client = TestClient::Connect(server_->port(), Trusting());
  ASSERT_OK(client);
  EXPECT_EQ((*client)->tls_protocol(), "TLSv1.3");
  ASSERT_OK((*client)->Send(testing::RequestText("GET", "/x")));
  auto r = (*client)->ReadResponse();
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "tls");
  EXPECT_EQ(r->Header("Strict-Transport-Security"), "max-age=63072000; includeSubDomains");
  EXPECT_EQ(r->Header("X-Content-Type-Options"), "nosniff");
}

// A connection that never finishes its handshake waits on its client as
// one that sends no request: at the cap, a newcomer takes its place. Bare
// connects kept silent must not hold every place.
TEST_F(TlsTest, AtTheCapAConnectionSilentInItsHandshakeGivesItsPlace) {
  ServerOptions o = TlsOptions();
  o.max_connections = 1;
  o.read_timeout = std::chrono::seconds(30);  // only the newcomer can end it
  Start(o);
  auto silent = TestClient::Connect(server_->port());  // no ClientHello
  ASSERT_OK(silent);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // accepted: it holds the place
  auto newcomer = TestClient::Connect(server_->port(), Trusting());
  ASSERT_OK(newcomer);
  ASSERT_OK((*newcomer)->Send(testing::RequestText("GET", "/x")));
  auto r = (*newcomer)->ReadResponse();
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE((*silent)->WaitForClose(std::chrono::seconds(3)));
  // Cut by the server, not failed: the failure count stays a signal.
  EXPECT_THAT(MetricsText(), HasSubstr("vigie_http_tls_handshake_failures_total 0\n"));
}

// A balancer in TCP mode (TLS passthrough) puts its PROXY header before the
// client's ClientHello; the server reads exactly the header, then TLS.
TEST_F(TlsTest, APassthroughBalancersProxyHeaderComesBeforeTheHandshake) {
  ServerOptions o = TlsOptions();
  o.proxy_protocol_from = {"127.0.0.1"};
  StartServer(o, [](const Request& request) {
    return Response{.status = 200, .content_type = "text/plain", .body = request.remote_address};
  });
  ClientTlsOptions behind = Trusting();
  // Version 2, PROXY over TCP6: 2001:db8::7 port 50000 to 2001:db8::1 port 443.
  behind.before_handshake = std::string("\r\n\r\n\0\r\nQUIT\n\x21\x21\x00\x24", 16) +
                            std::string("\x20\x01\x0d\xb8", 4) + std::string(11, '\0') + "\x07" +
                            std::string("\x20\x01\x0d\xb8", 4) + std::string(11, '\0') + "\x01" +
                            "\xc3\x50\x01\xbb";
  auto client = TestClient::Connect(server_->port(), behind);
  ASSERT_OK(client);
  ASSERT_OK((*client)->Send(testing::RequestText("GET", "/x")));
  auto r = (*client)->ReadResponse();
  ASSERT_OK(r);
  EXPECT_EQ(r->body, "2001:db8::7");
  // Without the header, the balancer's connection is closed before TLS.
  EXPECT_FALSE(TestClient::Connect(server_->port(), Trusting()));
}

TEST_F(TlsTest, TheCertificateIsCheckedAgainstTheName) {
  Start();
  ClientTlsOptions wrong = Trusting();
  wrong.server_name = "portal.example.org";
  EXPECT_FALSE(TestClient::Connect(server_->port(), wrong));
}

TEST_F(TlsTest, Tls12IsAcceptedOnlyWithForwardSecretAeadSuites) {
  Start();
  ClientTlsOptions tls12 = Trusting();
  tls12.max_version = TLS1_2_VERSION;
  auto client = TestClient::Connect(server_->port(), tls12);
  ASSERT_OK(client);
  EXPECT_EQ((*client)->tls_protocol(), "TLSv1.2");
  EXPECT_THAT((*client)->tls_cipher(), HasSubstr("ECDHE"));
  std::string cipher = (*client)->tls_cipher();
  EXPECT_TRUE(cipher.find("GCM") != std::string::npos ||
              cipher.find("CHACHA20") != std::string::npos)
      << cipher;

  for (const char* weak :
       {"ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA384", "AES128-GCM-SHA256"}) {
    ClientTlsOptions cbc = tls12;
    cbc.allow_legacy = true;
    cbc.tls12_ciphers = weak;
    EXPECT_FALSE(TestClient::Connect(server_->port(), cbc)) << weak;
  }
}

TEST_F(TlsTest, Tls11AndTls10AreRefused) {
  Start();
  for (int version : {TLS1_1_VERSION, TLS1_VERSION}) {
    ClientTlsOptions old;
    old.allow_legacy = true;  // the client would speak it; the server must not
    old.min_version = version;
    old.max_version = version;
    EXPECT_FALSE(TestClient::Connect(server_->port(), old)) << version;
  }
  EXPECT_THAT(MetricsText(), HasSubstr("vigie_http_tls_handshake_failures_total 2\n"));
}

TEST_F(TlsTest, PlainHttpToTheTlsPortGetsNoAnswer) {
  Start();
  auto client = TestClient::Connect(server_->port());
  ASSERT_OK(client);
  ASSERT_OK((*client)->Send(testing::RequestText("GET", "/x")));
  EXPECT_FALSE((*client)->ReadResponse());
}

TEST_F(TlsTest, AKeyReadableByOthersIsRefusedAtStart) {
  ASSERT_EQ(::chmod(key_.c_str(), 0644), 0);
  Server server(TlsOptions(), nullptr);
  auto started = server.Start();
  EXPECT_THAT(started, ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(started.error().message(), HasSubstr("others"));
}

TEST_F(TlsTest, AKeyThatDoesNotMatchTheCertificateIsRefused) {
  auto other_cert = dir_ / "other.crt", other_key = dir_ / "other.key";
  ASSERT_OK(crypto::WriteSelfSignedCertificate(other_cert, other_key, {"localhost"}, 1));
  ServerOptions o = TlsOptions();
  o.tls->private_key_file = other_key.string();
  Server server(o, nullptr);
  EXPECT_THAT(server.Start(), ErrorCodeIs(ErrorCode::kInvalidArgument));
}

// An RSA-1024 certificate (an operator's old one): refused at the start
// whatever the system's OpenSSL security level.
TEST_F(TlsTest, AWeakCertificateKeyIsRefusedAtStart) {
  const auto weak_cert = dir_ / "weak.crt", weak_key = dir_ / "weak.key";
  EVP_PKEY* key = EVP_RSA_gen(1024);
  ASSERT_NE(key, nullptr);
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
  X509_set_pubkey(cert, key);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, X509_get_subject_name(cert));
  ASSERT_GT(X509_sign(cert, key, EVP_sha256()), 0);
  FILE* cert_out = std::fopen(weak_cert.c_str(), "w");
  FILE* key_out = std::fopen(weak_key.c_str(), "w");
  ASSERT_TRUE(cert_out != nullptr && key_out != nullptr);
  EXPECT_EQ(PEM_write_X509(cert_out, cert), 1);
  EXPECT_EQ(PEM_write_PrivateKey(key_out, key, nullptr, nullptr, 0, nullptr, nullptr), 1);
  std::fclose(cert_out);
  std::fclose(key_out);
  X509_free(cert);
  EVP_PKEY_free(key);
  ASSERT_EQ(::chmod(weak_key.c_str(), 0600), 0);
  ServerOptions o = TlsOptions();
  o.tls = TlsFiles{weak_cert.string(), weak_key.string()};
  Server server(o, nullptr);
  auto started = server.Start();
  EXPECT_THAT(started, ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(started.error().message(), HasSubstr("weak.crt"));
}

TEST_F(TlsTest, MissingFilesAreRefused) {
  ServerOptions o = TlsOptions();
  o.tls->certificate_file = (dir_ / "absent.crt").string();
  Server server(o, nullptr);
  EXPECT_THAT(server.Start(), ErrorCodeIs(ErrorCode::kInvalidArgument));
}

}  // namespace
}  // namespace vigie::http
