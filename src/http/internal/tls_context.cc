#include "http/internal/tls_context.h"

#include <openssl/ssl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace vigie::http::internal {
namespace {

namespace ssl = boost::asio::ssl;

// Security: TLS 1.2 suites, all ECDHE (forward secrecy) with AEAD ciphers;
// no CBC, no RSA key exchange, no finite-field DHE (slow, often weak groups).
constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
// TLS 1.3 suites are all AEAD; list them explicitly so a system-wide
// configuration cannot add anything else.
constexpr char kTls13Suites[] =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr char kGroups[] = "X25519:P-256:P-384";

Error Invalid(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

Result<void> CheckKeyFileMode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Fail(Invalid("TLS private key '" + path + "': " + std::strerror(errno)));
  }
  // Security: a private key anyone on the machine can read is already lost
  // (as ssh refuses such a key). Group access is allowed for ssl-cert setups.
  if ((st.st_mode & (S_IROTH | S_IWOTH)) != 0) {
    return Fail(Invalid("TLS private key '" + path + "' is accessible by others; chmod 0600 it"));
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<ssl::context>> MakeServerTlsContext(const TlsFiles& files) {
  RETURN_IF_ERROR(CheckKeyFileMode(files.private_key_file));
  auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();

  // Security: no SSLv3/TLS 1.0/1.1 (RFC 8996); 1.3 is negotiated whenever the
  // client offers it since it is the highest version enabled.
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(native, TLS1_3_VERSION) != 1) {
    return Fail(ErrorCode::kInternal, "OpenSSL refused TLS 1.2..1.3");
  }
  // Security: no compression (CRIME), no renegotiation (CVE-2009-3555 class
  // and a CPU-exhaustion lever), server picks the suite, and no session
  // tickets: a long-lived ticket key would undo forward secrecy.
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                  SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET |
                                  SSL_OP_SINGLE_ECDH_USE);
  SSL_CTX_set_num_tickets(native, 0);
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  // Security: 112-bit keys and issuers' signatures at least (no RSA-1024, no
  // SHA-1), whatever the system's OpenSSL settings (Debian's default is this
  // level; another system's may be lower): a weak certificate stops the start.
  SSL_CTX_set_security_level(native, 2);
  if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1 ||
      SSL_CTX_set_ciphersuites(native, kTls13Suites) != 1 ||
      SSL_CTX_set1_groups_list(native, kGroups) != 1) {
    return Fail(ErrorCode::kInternal, "OpenSSL refused the cipher or group policy");
  }

  boost::system::error_code ec;
  context->use_certificate_chain_file(files.certificate_file, ec);
  if (ec) {
    return Fail(Invalid("TLS certificate '" + files.certificate_file + "': " + ec.message()));
  }
  context->use_private_key_file(files.private_key_file, ssl::context::pem, ec);
  if (ec) {
    return Fail(Invalid("TLS private key '" + files.private_key_file + "': " + ec.message()));
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return Fail(
        Invalid("TLS private key '" + files.private_key_file + "' does not match the certificate"));
  }
  return context;
}

}  // namespace vigie::http::internal
