#include "crypto/signing.h"

#include <sodium.h>

#include "crypto/bytes.h"

namespace vigie::crypto {

static_assert(crypto_sign_ed25519_SEEDBYTES == kEd25519SeedSize);
static_assert(crypto_sign_ed25519_PUBLICKEYBYTES == kEd25519PublicKeySize);
static_assert(crypto_sign_ed25519_BYTES == kEd25519SignatureSize);

Ed25519KeyPair Ed25519KeyPair::Generate() {
  SecretBytes seed = SecretBytes::Random(kEd25519SeedSize);
  return FromSeed(seed.view().first<kEd25519SeedSize>());
}

Ed25519KeyPair Ed25519KeyPair::FromSeed(std::span<const uint8_t, kEd25519SeedSize> seed) {
  InitCrypto();
  Ed25519KeyPair pair;
  pair.secret_key_ = SecretBytes(crypto_sign_ed25519_SECRETKEYBYTES);
  crypto_sign_ed25519_seed_keypair(pair.public_key_.data(), pair.secret_key_.mutable_view().data(),
                                   seed.data());
  return pair;
}

Ed25519Signature Ed25519KeyPair::Sign(std::span<const uint8_t> message) const {
  Ed25519Signature sig{};
  crypto_sign_ed25519_detached(sig.data(), nullptr, message.data(), message.size(),
                               secret_key_.view().data());
  return sig;
}

Ed25519Signature Ed25519KeyPair::Sign(std::string_view message) const {
  return Sign(AsBytes(message));
}

bool Ed25519Verify(std::span<const uint8_t> public_key, std::span<const uint8_t> message,
                   std::span<const uint8_t> signature) {
  InitCrypto();
  if (public_key.size() != kEd25519PublicKeySize || signature.size() != kEd25519SignatureSize) {
    return false;
  }
  return crypto_sign_ed25519_verify_detached(signature.data(), message.data(), message.size(),
                                             public_key.data()) == 0;
}

bool IsUsableEd25519PublicKey(std::span<const uint8_t> public_key) {
  InitCrypto();
  return public_key.size() == kEd25519PublicKeySize &&
         crypto_core_ed25519_is_valid_point(public_key.data()) == 1;
}

}  // namespace vigie::crypto
