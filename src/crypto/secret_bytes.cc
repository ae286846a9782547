#include "crypto/secret_bytes.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <utility>

namespace vigie::crypto {

void InitCrypto() {
  static std::once_flag once;
  std::call_once(once, [] {
    // sodium_init() returns 1 when already initialised, -1 on failure.
    if (sodium_init() < 0) {
      std::fputs("vigie: fatal: libsodium initialisation failed\n", stderr);
      std::abort();
    }
  });
}

SecretBytes::SecretBytes(size_t n) : data_(n ? new uint8_t[n]() : nullptr), size_(n) {}

SecretBytes::SecretBytes(std::span<const uint8_t> bytes) : SecretBytes(bytes.size()) {
  if (!bytes.empty()) std::memcpy(data_.get(), bytes.data(), bytes.size());
}

SecretBytes SecretBytes::Random(size_t n) {
  InitCrypto();
  SecretBytes out(n);
  if (n) randombytes_buf(out.data_.get(), n);
  return out;
}

SecretBytes::~SecretBytes() { Wipe(); }

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::move(other.data_)), size_(std::exchange(other.size_, 0)) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Wipe();
    data_ = std::move(other.data_);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

SecretBytes SecretBytes::Clone() const { return SecretBytes(view()); }

void WipeBytes(std::span<uint8_t> bytes) {
  if (!bytes.empty()) sodium_memzero(bytes.data(), bytes.size());
}

void SecretBytes::Wipe() {
  // Security: sodium_memzero cannot be optimised away, unlike memset on a buffer
  // about to be freed.
  if (data_) sodium_memzero(data_.get(), size_);
  data_.reset();
  size_ = 0;
}

SecretBytes HexEncodeSecret(std::span<const uint8_t> secret) {
  // sodium_bin2hex writes a terminating NUL: one byte more, then dropped.
  SecretBytes with_nul(2 * secret.size() + 1);
  sodium_bin2hex(reinterpret_cast<char*>(with_nul.mutable_view().data()), with_nul.size(),
                 secret.data(), secret.size());
  return SecretBytes(with_nul.view().first(2 * secret.size()));
}

std::optional<SecretBytes> HexDecodeSecret(std::span<const uint8_t> hex, size_t size) {
  SecretBytes out(size);
  size_t decoded = 0;
  const char* text = reinterpret_cast<const char*>(hex.data());
  const char* end = nullptr;
  const bool whole = sodium_hex2bin(out.mutable_view().data(), out.size(), text, hex.size(),
                                    nullptr, &decoded, &end) == 0 &&
                     decoded == size && end == text + hex.size();
  if (!whole) return std::nullopt;
  return out;
}

bool ConstantTimeEquals(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  // Lengths are public (a MAC or token has a fixed size), so an early exit on a
  // length mismatch reveals nothing secret.
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace vigie::crypto
