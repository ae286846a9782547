// SHA-256 goes through OpenSSL's low-level SHA256_* calls: the EVP path
// allocates a context and takes provider locks on every digest, which made
// it most of `vigie audit verify`'s time (three small digests per event);
// the low-level calls use the same SHA-NI code with a stack context. They
// are deprecated in OpenSSL 3 as an API style, not as weaker cryptography.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "crypto/hash.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/sha.h>
#include <sodium.h>

#include <cstdio>
#include <cstdlib>

#include "crypto/bytes.h"
#include "crypto/secret_bytes.h"

namespace vigie::crypto {
namespace {

// OpenSSL only fails these calls on allocation failure or a broken
// installation: a true "can't happen", so crash loudly rather than return a
// wrong digest.
[[noreturn]] void OpenSslFatal(const char* what) {
  std::fprintf(stderr, "vigie: fatal: OpenSSL %s failed\n", what);
  std::abort();
}

EVP_MAC* HmacAlgorithm() {
  static EVP_MAC* mac = [] {
    EVP_MAC* m = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (m == nullptr) OpenSslFatal("HMAC fetch");
    return m;
  }();
  return mac;
}

template <size_t N>
std::array<uint8_t, N> Hmac(const char* digest, std::span<const uint8_t> key,
                            std::span<const uint8_t> message) {
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(HmacAlgorithm());
  if (ctx == nullptr) OpenSslFatal("EVP_MAC_CTX_new");
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digest), 0),
      OSSL_PARAM_construct_end()};
  // A null key pointer means "keep the previous key" to OpenSSL; an empty key
  // must still be a key, so point at a dummy byte.
  static const uint8_t kNoKey = 0;
  const uint8_t* key_ptr = key.empty() ? &kNoKey : key.data();
  std::array<uint8_t, N> out{};
  size_t out_len = 0;
  if (EVP_MAC_init(ctx, key_ptr, key.size(), params) != 1 ||
      EVP_MAC_update(ctx, message.data(), message.size()) != 1 ||
      EVP_MAC_final(ctx, out.data(), &out_len, out.size()) != 1 || out_len != N) {
    OpenSslFatal("HMAC");
  }
  EVP_MAC_CTX_free(ctx);
  return out;
}

template <int Variant>
std::string Base64EncodeImpl(std::span<const uint8_t> data) {
  InitCrypto();
  // sodium_base64_ENCODED_LEN counts the terminating NUL.
  std::string out(sodium_base64_ENCODED_LEN(data.size(), Variant), '\0');
  sodium_bin2base64(out.data(), out.size(), data.data(), data.size(), Variant);
  out.pop_back();
  return out;
}

template <int Variant>
Result<std::vector<uint8_t>> Base64DecodeImpl(std::string_view text, const char* name) {
  InitCrypto();
  std::vector<uint8_t> out(text.size() / 4 * 3 + 3);
  size_t out_len = 0;
  // A null b64_end makes libsodium reject anything it cannot parse completely.
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &out_len,
                        nullptr, Variant) != 0) {
    return Fail(ErrorCode::kInvalidArgument, std::string("malformed ") + name);
  }
  out.resize(out_len);
  return out;
}

}  // namespace

Sha256Digest Sha256(std::span<const uint8_t> data) {
  SHA256_CTX ctx;
  Sha256Digest out{};
  if (SHA256_Init(&ctx) != 1 || SHA256_Update(&ctx, data.data(), data.size()) != 1 ||
      SHA256_Final(out.data(), &ctx) != 1) {
    OpenSslFatal("SHA256");
  }
  return out;
}

Sha256Digest Sha256(std::string_view data) { return Sha256(AsBytes(data)); }

struct Sha256Hasher::State {
  SHA256_CTX ctx;
};

Sha256Hasher::Sha256Hasher() : state_(std::make_unique<State>()) {
  if (SHA256_Init(&state_->ctx) != 1) OpenSslFatal("SHA256 init");
}

Sha256Hasher::~Sha256Hasher() {
  if (state_) OPENSSL_cleanse(&state_->ctx, sizeof state_->ctx);
}
Sha256Hasher::Sha256Hasher(Sha256Hasher&&) noexcept = default;
Sha256Hasher& Sha256Hasher::operator=(Sha256Hasher&&) noexcept = default;

void Sha256Hasher::Update(std::span<const uint8_t> data) {
  if (SHA256_Update(&state_->ctx, data.data(), data.size()) != 1) OpenSslFatal("SHA256 update");
}

void Sha256Hasher::Update(std::string_view data) { Update(AsBytes(data)); }

Sha256Digest Sha256Hasher::Final() {
  Sha256Digest out{};
  if (SHA256_Final(out.data(), &state_->ctx) != 1 || SHA256_Init(&state_->ctx) != 1) {
    OpenSslFatal("SHA256 final");
  }
  return out;
}

Sha256Digest HmacSha256(std::span<const uint8_t> key, std::span<const uint8_t> message) {
  return Hmac<kSha256Size>("SHA256", key, message);
}

std::array<uint8_t, kSha1Size> HmacSha1(std::span<const uint8_t> key,
                                        std::span<const uint8_t> message) {
  return Hmac<kSha1Size>("SHA1", key, message);
}

std::string HexEncode(std::span<const uint8_t> data) {
  InitCrypto();
  std::string out(data.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data.data(), data.size());
  out.pop_back();
  return out;
}

Result<std::vector<uint8_t>> HexDecode(std::string_view hex) {
  InitCrypto();
  if (hex.size() % 2 != 0) return Fail(ErrorCode::kInvalidArgument, "hex has odd length");
  std::vector<uint8_t> out(hex.size() / 2 + 1);
  size_t out_len = 0;
  if (sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &out_len, nullptr) !=
      0) {
    return Fail(ErrorCode::kInvalidArgument, "malformed hex");
  }
  out.resize(out_len);
  return out;
}

std::string Base64Encode(std::span<const uint8_t> data) {
  return Base64EncodeImpl<sodium_base64_VARIANT_ORIGINAL>(data);
}

Result<std::vector<uint8_t>> Base64Decode(std::string_view text) {
  return Base64DecodeImpl<sodium_base64_VARIANT_ORIGINAL>(text, "base64");
}

std::string Base64UrlEncode(std::span<const uint8_t> data) {
  return Base64EncodeImpl<sodium_base64_VARIANT_URLSAFE_NO_PADDING>(data);
}

Result<std::vector<uint8_t>> Base64UrlDecode(std::string_view text) {
  return Base64DecodeImpl<sodium_base64_VARIANT_URLSAFE_NO_PADDING>(text, "base64url");
}

}  // namespace vigie::crypto
