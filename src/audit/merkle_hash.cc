#include "audit/merkle_hash.h"

#include <algorithm>

namespace vigie::audit {
namespace {

constexpr uint8_t kLeafPrefix = 0x00;
constexpr uint8_t kNodePrefix = 0x01;

}  // namespace

Sha256Digest MerkleLeafHash(std::span<const uint8_t> leaf) {
  crypto::Sha256Hasher hasher;
  hasher.Update(std::span<const uint8_t>(&kLeafPrefix, 1));
  hasher.Update(leaf);
  return hasher.Final();
}

Sha256Digest MerkleNodeHash(const Sha256Digest& left, const Sha256Digest& right) {
  uint8_t buffer[1 + 2 * crypto::kSha256Size];
  buffer[0] = kNodePrefix;
  std::copy(left.begin(), left.end(), buffer + 1);
  std::copy(right.begin(), right.end(), buffer + 1 + crypto::kSha256Size);
  return crypto::Sha256(std::span<const uint8_t>(buffer, sizeof buffer));
}

Sha256Digest MerkleEmptyRoot() { return crypto::Sha256(std::span<const uint8_t>()); }

}  // namespace vigie::audit
