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

const EVP_MD* Sha256Md() {
  // Fetched once: explicit fetches avoid a provider lookup on every call.
  static const EVP_MD* md = [] {
    const EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (m == nullptr) OpenSslFatal("SHA256 fetch");
    return m;
  }();
  return md;
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
  Sha256Digest out{};
  SHA256(data.data(), data.size(), out.data());
  return out;
}

Sha256Digest Sha256(std::string_view data) { return Sha256(AsBytes(data)); }

struct Sha256Hasher::State {
  EVP_MD_CTX* ctx = nullptr;
  ~State() { EVP_MD_CTX_free(ctx); }
};

Sha256Hasher::Sha256Hasher() : state_(std::make_unique<State>()) {
  state_->ctx = EVP_MD_CTX_new();
  if (state_->ctx == nullptr || EVP_DigestInit_ex(state_->ctx, Sha256Md(), nullptr) != 1) {
    OpenSslFatal("SHA256 init");
  }
}

Sha256Hasher::~Sha256Hasher() = default;
Sha256Hasher::Sha256Hasher(Sha256Hasher&&) noexcept = default;
Sha256Hasher& Sha256Hasher::operator=(Sha256Hasher&&) noexcept = default;

void Sha256Hasher::Update(std::span<const uint8_t> data) {
  if (EVP_DigestUpdate(state_->ctx, data.data(), data.size()) != 1) OpenSslFatal("SHA256 update");
}

void Sha256Hasher::Update(std::string_view data) { Update(AsBytes(data)); }

Sha256Digest Sha256Hasher::Final() {
  Sha256Digest out{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(state_->ctx, out.data(), &len) != 1 || len != out.size() ||
      EVP_DigestInit_ex(state_->ctx, Sha256Md(), nullptr) != 1) {
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
