#include "audit/hash_chain.h"

#include <string_view>

#include "crypto/bytes.h"

namespace vigie::audit {
namespace {

// Label and terminating zero byte (sizeof includes the '\0').
constexpr char kChainLabel[] = "vigie.audit.chain.v1";

}  // namespace

Sha256Digest ChainHash(const Sha256Digest& previous_chain_hash,
                       std::span<const uint8_t> encoded_event) {
  crypto::Sha256Hasher hasher;
  hasher.Update(crypto::AsBytes(std::string_view(kChainLabel, sizeof kChainLabel)));
  hasher.Update(previous_chain_hash);
  uint8_t length[8];
  uint64_t n = encoded_event.size();
  for (int i = 7; i >= 0; --i) {
    length[i] = static_cast<uint8_t>(n);
    n >>= 8;
  }
  hasher.Update(std::span<const uint8_t>(length, sizeof length));
  hasher.Update(encoded_event);
  return hasher.Final();
}

}  // namespace vigie::audit
