#include "crypto/self_signed_certificate.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>

#include "crypto/internal/file_error.h"

namespace vigie::crypto {
namespace {

template <typename T, void (*Free)(T*)>
struct Freer {
  void operator()(T* p) const { Free(p); }
};
using EvpKey = std::unique_ptr<EVP_PKEY, Freer<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Freer<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Freer<BIO, BIO_free_all>>;
using Bignum = std::unique_ptr<BIGNUM, Freer<BIGNUM, BN_free>>;
using Extension = std::unique_ptr<X509_EXTENSION, Freer<X509_EXTENSION, X509_EXTENSION_free>>;

constexpr int kSerialBits = 127;  // positive, 16 bytes in DER (RFC 5280 §4.1.2.2: ≤ 20)

Error OpenSslError(std::string_view what) {
  return Error(ErrorCode::kInternal, "OpenSSL: " + std::string(what));
}

bool IsIpLiteral(const std::string& name) {
  unsigned char buf[16];
  return inet_pton(AF_INET, name.c_str(), buf) == 1 || inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

// RFC 1123 host name: labels of [A-Za-z0-9-], not starting or ending with '-'.
bool IsDnsName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  size_t label = 0;
  char prev = '.';
  for (char c : name) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (c == '.') {
      if (label == 0 || prev == '-') return false;
      label = 0;
    } else if (alnum || (c == '-' && label > 0)) {
      if (++label > 63) return false;
    } else {
      return false;
    }
    prev = c;
  }
  return label > 0 && prev != '-';
}

// "DNS:a,IP:b,..." for X509V3_EXT_conf_nid. Names are validated first, so
// they cannot carry a ',' or ':' that would change the meaning of the string.
std::string SubjectAltNameValue(const std::vector<std::string>& names) {
  std::string value;
  for (const std::string& name : names) {
    if (!value.empty()) value += ',';
    value += IsIpLiteral(name) ? "IP:" : "DNS:";
    value += name;
  }
  return value;
}

bool AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
  Extension ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

Result<Cert> MakeCertificate(EVP_PKEY* key, const std::vector<std::string>& names, int days) {
  Cert cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) {
    return Fail(OpenSslError("X509_new"));
  }
  Bignum serial(BN_new());
  if (!serial || BN_rand(serial.get(), kSerialBits, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    return Fail(OpenSslError("serial number"));
  }
  // Security: back-date by an hour so a client whose clock lags slightly
  // still accepts a certificate made a moment ago.
  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 86400) == nullptr) {
    return Fail(OpenSslError("validity"));
  }
  X509_NAME* subject = X509_get_subject_name(cert.get());
  const std::string& cn = names.front();
  if (X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("Vigie demo"), -1, -1,
                                 0) != 1 ||
      X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                 0) != 1 ||
      X509_set_issuer_name(cert.get(), subject) != 1 || X509_set_pubkey(cert.get(), key) != 1) {
    return Fail(OpenSslError("subject"));
  }
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  // Security: an end-entity certificate (CA:FALSE) that can only authenticate
  // a TLS server, so the demo key cannot be abused to sign other certificates.
  if (!AddExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE") ||
      !AddExtension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature") ||
      !AddExtension(cert.get(), &ctx, NID_ext_key_usage, "serverAuth") ||
      !AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash") ||
      !AddExtension(cert.get(), &ctx, NID_subject_alt_name, SubjectAltNameValue(names))) {
    return Fail(OpenSslError("extensions"));
  }
  if (X509_sign(cert.get(), key, EVP_sha256()) <= 0) return Fail(OpenSslError("X509_sign"));
  return cert;
}

// PEM text of the private key (PKCS#8, unencrypted: the file mode protects it).
Result<std::string> KeyPem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_secmem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return Fail(OpenSslError("writing key"));
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

Result<std::string> CertPem(X509* cert) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return Fail(OpenSslError("writing cert"));
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

// Creates `path` exclusively with `mode`, writes `text`, fsyncs, closes.
Result<void> CreateFileExclusive(const std::filesystem::path& path, std::string_view text,
                                 mode_t mode) {
  // Security: O_EXCL never follows or replaces an existing file (or symlink).
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return Fail(internal::FileError(errno, "creating", path));
  auto fail = [&](int err, std::string_view what) {
    ::close(fd);
    ::unlink(path.c_str());
    return Fail(internal::FileError(err, what, path));
  };
  if (::fchmod(fd, mode) != 0) return fail(errno, "chmod");
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(errno, "writing");
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return fail(errno, "fsync");
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(path.c_str());
    return Fail(internal::FileError(err, "closing", path));
  }
  return {};
}

}  // namespace

std::vector<std::string> DefaultDemoCertificateNames() { return {"localhost", "127.0.0.1", "::1"}; }

Result<void> WriteSelfSignedCertificate(const std::filesystem::path& certificate_path,
                                        const std::filesystem::path& key_path,
                                        const std::vector<std::string>& names, int days) {
  if (names.empty())
    return Fail(ErrorCode::kInvalidArgument, "certificate needs at least one name");
  for (const std::string& name : names) {
    if (!IsIpLiteral(name) && !IsDnsName(name)) {
      return Fail(ErrorCode::kInvalidArgument, "not a DNS name or IP address: '" + name + "'");
    }
  }
  if (days < 1 || days > kMaxSelfSignedCertificateDays) {
    return Fail(ErrorCode::kInvalidArgument, "certificate validity must be 1.." +
                                                 std::to_string(kMaxSelfSignedCertificateDays) +
                                                 " days");
  }
  std::error_code ec;
  for (const auto& path : {certificate_path, key_path}) {
    if (std::filesystem::symlink_status(path, ec).type() != std::filesystem::file_type::not_found) {
      return Fail(ErrorCode::kConflict, "refusing to overwrite '" + path.string() + "'");
    }
  }

  EvpKey key(EVP_EC_gen("P-256"));
  if (!key) return Fail(OpenSslError("EC P-256 key generation"));
  ASSIGN_OR_RETURN(Cert cert, MakeCertificate(key.get(), names, days));
  ASSIGN_OR_RETURN(std::string key_pem, KeyPem(key.get()));
  Result<std::string> cert_pem = CertPem(cert.get());

  Result<void> written = cert_pem ? CreateFileExclusive(key_path, key_pem, 0600)
                                  : Result<void>(Fail(cert_pem.error()));
  OPENSSL_cleanse(key_pem.data(), key_pem.size());
  RETURN_IF_ERROR(written);
  Result<void> cert_written = CreateFileExclusive(certificate_path, *cert_pem, 0644);
  if (!cert_written) {
    ::unlink(key_path.c_str());  // no half-made pair left behind
    return cert_written;
  }
  return {};
}

}  // namespace vigie::crypto
