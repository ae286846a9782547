#pragma once
// The two hash functions of an RFC 6962 / RFC 9162 Merkle tree over SHA-256,
// with their domain-separation prefixes (RFC 9162 §2.1.1):
//   leaf hash  = SHA-256(0x00 || leaf data)
//   node hash  = SHA-256(0x01 || left || right)
// Security: the distinct prefixes make a leaf hash never equal an interior
// node hash, so nobody can pass an interior node off as a leaf (second
// preimage attack on the tree).
//
// Thread-safety: pure functions. Errors: none.

#include <cstdint>
#include <span>

#include "crypto/hash.h"

namespace vigie::audit {

using crypto::Sha256Digest;

// SHA-256(0x00 || leaf).
Sha256Digest MerkleLeafHash(std::span<const uint8_t> leaf);

// SHA-256(0x01 || left || right).
Sha256Digest MerkleNodeHash(const Sha256Digest& left, const Sha256Digest& right);

// The Merkle Tree Hash of the empty list: SHA-256 of the empty string.
Sha256Digest MerkleEmptyRoot();

}  // namespace vigie::audit
