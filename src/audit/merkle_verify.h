#pragma once
// Verifying RFC 9162 inclusion and consistency proofs, written step by step
// from the verification algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2. A
// verifier needs nothing but the proof, the sizes and the roots (e.g. from
// signed checkpoints): this is what a witness or an auditor runs.
//
// Thread-safety: pure functions.
// Errors: Ok means verified. InvalidArgument when the sizes or index cannot
// describe a proof at all (index >= tree_size, old_size > new_size,
// old_size == 0); DataLoss when the proof does not reproduce the roots (wrong
// length, a changed hash, a different leaf or root) - i.e. the log, the
// checkpoint or the proof has been tampered with or belongs to another tree.
//
// Security: a proof binds the tree size only through the root (two sizes
// whose audit paths have the same shape run the same computation), so take
// the size and the root from the same signed checkpoint, never from the party
// that supplies the proof.

#include <cstdint>
#include <span>

#include "audit/merkle_hash.h"
#include "core/error.h"

namespace vigie::audit {

// Checks that the leaf with RFC 9162 leaf hash `leaf_hash` is leaf `index` of
// the tree of `tree_size` leaves whose root is `root`.
Result<void> VerifyInclusion(const Sha256Digest& leaf_hash, uint64_t index, uint64_t tree_size,
                             std::span<const Sha256Digest> proof, const Sha256Digest& root);

// The root an inclusion proof leads to (step 1-4 of §2.1.3.2), for callers
// that compare it themselves. Same errors as VerifyInclusion, except that no
// root is compared.
Result<Sha256Digest> RootFromInclusionProof(const Sha256Digest& leaf_hash, uint64_t index,
                                            uint64_t tree_size,
                                            std::span<const Sha256Digest> proof);

// Checks that the tree of `old_size` leaves with root `old_root` is a prefix
// of the tree of `new_size` leaves with root `new_root`. When the sizes are
// equal the proof must be empty and the roots equal.
Result<void> VerifyConsistency(uint64_t old_size, uint64_t new_size, const Sha256Digest& old_root,
                               const Sha256Digest& new_root, std::span<const Sha256Digest> proof);

// How many hashes a consistency proof from `old_size` to `new_size` holds
// (0 < old_size < new_size): the shape of the path depends on the sizes
// alone, so a proof of another length can be refused as malformed before
// any hash is compared - e.g. by a witness that raises an alarm only for a
// well-formed proof that fails.
uint64_t ConsistencyProofLength(uint64_t old_size, uint64_t new_size);

}  // namespace vigie::audit
