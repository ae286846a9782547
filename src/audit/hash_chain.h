#pragma once
// The audit hash chain and the Merkle leaf of an event (docs/formats/audit-event.md):
//
//   chain[-1] = 32 zero bytes (kGenesisChainHash)
//   chain[i]  = SHA-256("vigie.audit.chain.v1" || 0x00 || chain[i-1]
//                       || uint64_be(len(event_i)) || event_i)
//   leaf[i]   = MerkleLeafHash(event_i) = SHA-256(0x00 || event_i)
//
// where event_i is the canonical encoding (EncodeAuditEvent). The chain gives
// a cheap sequential check that names the first bad event; the Merkle tree
// gives compact proofs against signed checkpoints.
//
// Security: the label and the zero byte separate chain hashes from every other
// SHA-256 use in Vigie (the Merkle leaf prefix 0x00 and node prefix 0x01 can
// never begin with 'v'), and the length prefix makes the (previous, event)
// split unambiguous.
//
// Thread-safety: pure functions. Errors: none.

#include <cstdint>
#include <span>

#include "audit/merkle_hash.h"

namespace vigie::audit {

// The "previous chain hash" of the first event of a log.
inline constexpr Sha256Digest kGenesisChainHash{};

Sha256Digest ChainHash(const Sha256Digest& previous_chain_hash,
                       std::span<const uint8_t> encoded_event);

// The RFC 9162 leaf hash of an encoded event in the audit Merkle tree.
inline Sha256Digest AuditEventLeafHash(std::span<const uint8_t> encoded_event) {
  return MerkleLeafHash(encoded_event);
}

}  // namespace vigie::audit
