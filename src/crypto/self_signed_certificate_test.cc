#include "crypto/self_signed_certificate.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "tests/support/matchers.h"
#include "tests/support/temp_dir.h"

namespace vigie::crypto {
namespace {

namespace fs = std::filesystem;
using ::vigie::testing::ErrorCodeIs;

unsigned Mode(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 07777;
}

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

std::unique_ptr<X509, X509Free> LoadCert(const fs::path& p) {
  FILE* f = std::fopen(p.c_str(), "r");
  if (f == nullptr) return nullptr;
  X509* x = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  return std::unique_ptr<X509, X509Free>(x);
}

std::unique_ptr<EVP_PKEY, KeyFree> LoadKey(const fs::path& p) {
  FILE* f = std::fopen(p.c_str(), "r");
  if (f == nullptr) return nullptr;
  EVP_PKEY* k = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  return std::unique_ptr<EVP_PKEY, KeyFree>(k);
}

class SelfSignedCertificateTest : public ::testing::Test {
 protected:
  vigie::testing::TempDir dir_;
  fs::path cert_ = dir_ / "server.crt";
  fs::path key_ = dir_ / "server.key";
};

TEST_F(SelfSignedCertificateTest, WritesP256KeyAndCertificateWithSan) {
  ASSERT_OK(WriteSelfSignedCertificate(cert_, key_, DefaultDemoCertificateNames(), 30));
  EXPECT_EQ(Mode(key_), 0600u);
  EXPECT_EQ(Mode(cert_), 0644u);

  auto cert = LoadCert(cert_);
  auto key = LoadKey(key_);
  ASSERT_TRUE(cert);
  ASSERT_TRUE(key);
  EXPECT_TRUE(EVP_PKEY_is_a(key.get(), "EC"));
  char group[64] = {};
  size_t group_len = 0;
  ASSERT_EQ(EVP_PKEY_get_group_name(key.get(), group, sizeof group, &group_len), 1);
  EXPECT_STREQ(group, "prime256v1");
  EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1);
  EXPECT_EQ(X509_verify(cert.get(), key.get()), 1);  // self-signed with that key

  EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "::1", 0), 1);
  EXPECT_NE(X509_check_host(cert.get(), "example.org", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_purpose(cert.get(), X509_PURPOSE_SSL_SERVER, 0), 1);
  EXPECT_EQ(X509_check_ca(cert.get()), 0);

  // Valid now, and for about the requested number of days.
  int days = 0, seconds = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert.get()),
                           X509_get0_notAfter(cert.get())),
            1);
  EXPECT_EQ(days, 30);
  EXPECT_LT(X509_cmp_current_time(X509_get0_notBefore(cert.get())), 0);
  EXPECT_GT(X509_cmp_current_time(X509_get0_notAfter(cert.get())), 0);
}

TEST_F(SelfSignedCertificateTest, TwoCertificatesHaveDifferentKeysAndSerials) {
  ASSERT_OK(WriteSelfSignedCertificate(cert_, key_, {"localhost"}, 1));
  fs::path cert2 = dir_ / "b.crt", key2 = dir_ / "b.key";
  ASSERT_OK(WriteSelfSignedCertificate(cert2, key2, {"localhost"}, 1));
  EXPECT_NE(Read(key_), Read(key2));
  auto a = LoadCert(cert_), b = LoadCert(cert2);
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(a.get()), X509_get0_serialNumber(b.get())), 0);
}

TEST_F(SelfSignedCertificateTest, NeverOverwritesExistingFiles) {
  { std::ofstream(key_) << "precious"; }
  EXPECT_THAT(WriteSelfSignedCertificate(cert_, key_, {"localhost"}, 30),
              ErrorCodeIs(ErrorCode::kConflict));
  EXPECT_EQ(Read(key_), "precious");
  EXPECT_FALSE(fs::exists(cert_));

  fs::remove(key_);
  { std::ofstream(cert_) << "precious"; }
  EXPECT_THAT(WriteSelfSignedCertificate(cert_, key_, {"localhost"}, 30),
              ErrorCodeIs(ErrorCode::kConflict));
  EXPECT_EQ(Read(cert_), "precious");
  EXPECT_FALSE(fs::exists(key_));
}

TEST_F(SelfSignedCertificateTest, RefusesADanglingSymlinkInPlaceOfTheKey) {
  fs::create_symlink(dir_ / "elsewhere", key_);
  EXPECT_THAT(WriteSelfSignedCertificate(cert_, key_, {"localhost"}, 30),
              ErrorCodeIs(ErrorCode::kConflict));
  EXPECT_FALSE(fs::exists(dir_ / "elsewhere"));
}

TEST_F(SelfSignedCertificateTest, RejectsBadArguments) {
  EXPECT_THAT(WriteSelfSignedCertificate(cert_, key_, {}, 30),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  for (const char* bad : {"", "a,IP:1.2.3.4", "-bad.example", "bad-.example", "a..b", "x y",
                          "*.example.org", "caf\xc3\xa9.fr"}) {
    EXPECT_THAT(WriteSelfSignedCertificate(cert_, key_, {bad}, 30),
                ErrorCodeIs(ErrorCode::kInvalidArgument))
        << bad;
  }
  EXPECT_THAT(WriteSelfSignedCertificate(cert_, key_, {"localhost"}, 0),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(WriteSelfSignedCertificate(cert_, key_, {"localhost"}, 826),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_FALSE(fs::exists(cert_));
  EXPECT_FALSE(fs::exists(key_));
}

TEST_F(SelfSignedCertificateTest, MissingDirectoryIsNotFoundAndLeavesNothing) {
  EXPECT_THAT(WriteSelfSignedCertificate(cert_, dir_ / "no" / "k.key", {"localhost"}, 30),
              ErrorCodeIs(ErrorCode::kNotFound));
  EXPECT_FALSE(fs::exists(cert_));
  // Key written, certificate cannot be: the key is removed again.
  EXPECT_THAT(WriteSelfSignedCertificate(dir_ / "no" / "c.crt", key_, {"localhost"}, 30),
              ErrorCodeIs(ErrorCode::kNotFound));
  EXPECT_FALSE(fs::exists(key_));
}

}  // namespace
}  // namespace vigie::crypto
