#include "crypto/aead.h"

#include <sodium.h>

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>

#include "crypto/internal/aead_testing.h"
#include "crypto/secret_bytes.h"

namespace vigie::crypto {

static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == kAeadKeySize);
static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == kAeadNonceSize);
static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == kAeadTagSize);

namespace internal {

std::vector<uint8_t> SealWithNonce(std::span<const uint8_t, kAeadKeySize> key,
                                   std::span<const uint8_t, kAeadNonceSize> nonce,
                                   std::span<const uint8_t> plaintext,
                                   std::span<const uint8_t> associated_data) {
  InitCrypto();
  std::vector<uint8_t> out(kAeadOverhead + plaintext.size());
  std::copy(nonce.begin(), nonce.end(), out.begin());
  uint8_t* ciphertext = out.data() + kAeadNonceSize;
  uint8_t* tag = ciphertext + plaintext.size();
  crypto_aead_xchacha20poly1305_ietf_encrypt_detached(
      ciphertext, tag, nullptr, plaintext.data(), plaintext.size(), associated_data.data(),
      associated_data.size(), nullptr, nonce.data(), key.data());
  return out;
}

}  // namespace internal

namespace {

// Nonces come from the CSPRNG in 4 KiB blocks: one getrandom() call per 170
// seals instead of one per seal (bulk imports seal millions of records).
// Security: XChaCha20's 192-bit nonces are safe to draw at random; the block
// is per thread and refilled after fork() so two processes never share one.
// Bumped in the child after every fork(); cheaper than a getpid() system call
// per seal.
std::atomic<uint64_t> fork_generation{1};

void NextNonce(std::span<uint8_t, kAeadNonceSize> out) {
  static const bool registered = [] {
    ::pthread_atfork(nullptr, nullptr, [] { fork_generation.fetch_add(1); });
    return true;
  }();
  (void)registered;
  struct Pool {
    std::array<uint8_t, 4096> bytes;
    size_t used = 4096;
    uint64_t generation = 0;
  };
  thread_local Pool pool;
  uint64_t generation = fork_generation.load(std::memory_order_relaxed);
  if (pool.used + kAeadNonceSize > pool.bytes.size() || pool.generation != generation) {
    randombytes_buf(pool.bytes.data(), pool.bytes.size());
    pool.used = 0;
    pool.generation = generation;
  }
  std::copy_n(pool.bytes.begin() + static_cast<std::ptrdiff_t>(pool.used), kAeadNonceSize,
              out.begin());
  // Each nonce is used once: wipe it from the pool as it is handed out.
  sodium_memzero(pool.bytes.data() + pool.used, kAeadNonceSize);
  pool.used += kAeadNonceSize;
}

}  // namespace

std::vector<uint8_t> Seal(std::span<const uint8_t, kAeadKeySize> key,
                          std::span<const uint8_t> plaintext,
                          std::span<const uint8_t> associated_data) {
  InitCrypto();
  std::array<uint8_t, kAeadNonceSize> nonce;
  NextNonce(nonce);
  return internal::SealWithNonce(key, nonce, plaintext, associated_data);
}

Result<std::vector<uint8_t>> Open(std::span<const uint8_t, kAeadKeySize> key,
                                  std::span<const uint8_t> sealed,
                                  std::span<const uint8_t> associated_data) {
  InitCrypto();
  if (sealed.size() < kAeadOverhead) {
    return Fail(ErrorCode::kDataLoss, "sealed message shorter than nonce and tag");
  }
  const size_t text_len = sealed.size() - kAeadOverhead;
  const uint8_t* nonce = sealed.data();
  const uint8_t* ciphertext = nonce + kAeadNonceSize;
  const uint8_t* tag = ciphertext + text_len;
  std::vector<uint8_t> plaintext(text_len);
  // Security: libsodium checks the tag in constant time before decrypting and
  // writes nothing on failure; we also wipe and drop the buffer on failure.
  if (crypto_aead_xchacha20poly1305_ietf_decrypt_detached(
          plaintext.data(), nullptr, ciphertext, text_len, tag, associated_data.data(),
          associated_data.size(), nonce, key.data()) != 0) {
    sodium_memzero(plaintext.data(), plaintext.size());
    return Fail(ErrorCode::kDataLoss, "sealed message failed authentication");
  }
  return plaintext;
}

}  // namespace vigie::crypto
