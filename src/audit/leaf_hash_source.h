#pragma once
// LeafHashSource: where proof generation reads the leaf hashes of an audit
// log's Merkle tree from. The in-memory MerkleTree implements it; the
// database-backed log implements it over its stored events (and may override
// PerfectSubtreeHash with stored interior nodes so proofs cost O(log n) reads).
//
// Thread-safety: implementations document their own; proof generation only
// calls const methods.
// Errors: implementations return NotFound for an index at or past Size(),
// and whatever their storage reports (Unavailable, DataLoss, Internal).

#include <cstdint>

#include "audit/merkle_hash.h"
#include "core/error.h"

namespace vigie::audit {

class LeafHashSource {
 public:
  virtual ~LeafHashSource() = default;

  // Number of leaves available (the largest tree size proofs may ask about).
  virtual uint64_t Size() const = 0;

  // The RFC 9162 leaf hash of leaf `index` (0-based).
  virtual Result<Sha256Digest> LeafHash(uint64_t index) const = 0;

  // The Merkle Tree Hash of the perfect subtree of 2^level leaves that starts
  // at leaf index << level. NotFound unless it lies within Size(); InvalidArgument
  // for level > 63. The default computes it from 2^level LeafHash reads;
  // sources that store interior nodes override it.
  virtual Result<Sha256Digest> PerfectSubtreeHash(uint32_t level, uint64_t index) const;

  // True when PerfectSubtreeHash of a large subtree costs a look-up, not
  // 2^level leaf reads (a cache over it then asks it before recomputing).
  virtual bool StoresInteriorNodes() const { return false; }
};

}  // namespace vigie::audit
