#include "audit/merkle_verify.h"

#include <string>
#include <vector>

namespace vigie::audit {
namespace {

bool Lsb(uint64_t x) { return (x & 1) != 0; }

std::unexpected<Error> ProofMismatch(std::string what) {
  return Fail(ErrorCode::kDataLoss, std::move(what));
}

}  // namespace

Result<Sha256Digest> RootFromInclusionProof(const Sha256Digest& leaf_hash, uint64_t index,
                                            uint64_t tree_size,
                                            std::span<const Sha256Digest> proof) {
  // 1. leaf_index must be below tree_size.
  if (index >= tree_size) {
    return Fail(ErrorCode::kInvalidArgument, "leaf index " + std::to_string(index) +
                                                 " is not below tree size " +
                                                 std::to_string(tree_size));
  }
  // 2. fn = leaf_index, sn = tree_size - 1.
  uint64_t fn = index;
  uint64_t sn = tree_size - 1;
  // 3. r = hash.
  Sha256Digest r = leaf_hash;
  // 4. For each p in the inclusion path:
  for (const Sha256Digest& p : proof) {
    // a. sn == 0 means the proof is longer than the path to the root.
    if (sn == 0) return ProofMismatch("inclusion proof is longer than the tree is deep");
    // b. p is a left sibling if fn is a right child, or if fn is the last node
    //    of its level (then it has no right sibling and is carried up as is).
    if (Lsb(fn) || fn == sn) {
      r = MerkleNodeHash(p, r);
      if (!Lsb(fn)) {
        while (!Lsb(fn) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = MerkleNodeHash(r, p);
    }
    // c. Up one level.
    fn >>= 1;
    sn >>= 1;
  }
  // 5. sn must have reached 0: the proof was not too short.
  if (sn != 0) return ProofMismatch("inclusion proof is shorter than the path to the root");
  return r;
}

Result<void> VerifyInclusion(const Sha256Digest& leaf_hash, uint64_t index, uint64_t tree_size,
                             std::span<const Sha256Digest> proof, const Sha256Digest& root) {
  ASSIGN_OR_RETURN(Sha256Digest computed,
                   RootFromInclusionProof(leaf_hash, index, tree_size, proof));
  if (computed != root) {
    return ProofMismatch("inclusion proof of leaf " + std::to_string(index) +
                         " does not lead to the root of tree size " + std::to_string(tree_size));
  }
  return {};
}

Result<void> VerifyConsistency(uint64_t old_size, uint64_t new_size, const Sha256Digest& old_root,
                               const Sha256Digest& new_root, std::span<const Sha256Digest> proof) {
  if (old_size > new_size) {
    return Fail(ErrorCode::kInvalidArgument, "old tree size " + std::to_string(old_size) +
                                                 " is larger than new size " +
                                                 std::to_string(new_size));
  }
  if (old_size == 0) {
    return Fail(ErrorCode::kInvalidArgument,
                "no consistency proof from the empty tree: every tree extends it");
  }
  if (old_size == new_size) {
    if (!proof.empty()) return ProofMismatch("consistency proof between equal sizes is not empty");
    if (old_root != new_root)
      return ProofMismatch("two trees of the same size have different roots");
    return {};
  }
  // 1. An empty path cannot prove anything between different sizes.
  if (proof.empty()) return ProofMismatch("consistency proof is empty");
  // 2. If first_size is a power of two, the old root itself is the first node.
  std::vector<Sha256Digest> path;
  path.reserve(proof.size() + 1);
  if ((old_size & (old_size - 1)) == 0) path.push_back(old_root);
  path.insert(path.end(), proof.begin(), proof.end());
  // 3. fn = first_size - 1, sn = second_size - 1.
  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  // 4. Skip the levels where the old tree's last node is a right child.
  while (Lsb(fn)) {
    fn >>= 1;
    sn >>= 1;
  }
  // 5. fr = sr = path[0].
  Sha256Digest fr = path[0];
  Sha256Digest sr = path[0];
  // 6. For each subsequent c:
  for (size_t i = 1; i < path.size(); ++i) {
    const Sha256Digest& c = path[i];
    // a. sn == 0: the proof is longer than the new tree is deep.
    if (sn == 0) return ProofMismatch("consistency proof is longer than the tree is deep");
    // b. c is a left sibling in both trees, or a right sibling in the new one only.
    if (Lsb(fn) || fn == sn) {
      fr = MerkleNodeHash(c, fr);
      sr = MerkleNodeHash(c, sr);
      if (!Lsb(fn)) {
        while (!Lsb(fn) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = MerkleNodeHash(sr, c);
    }
    // c. Up one level.
    fn >>= 1;
    sn >>= 1;
  }
  // 7. Both roots reproduced and the whole new tree covered.
  if (sn != 0) return ProofMismatch("consistency proof is shorter than the path to the root");
  if (fr != old_root) return ProofMismatch("consistency proof does not lead to the old root");
  if (sr != new_root) return ProofMismatch("consistency proof does not lead to the new root");
  return {};
}

uint64_t ConsistencyProofLength(uint64_t old_size, uint64_t new_size) {
  // VerifyConsistency's walk, steps 3-6, with the hashes left out.
  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  while (Lsb(fn)) {
    fn >>= 1;
    sn >>= 1;
  }
  uint64_t path = 1;
  for (; sn != 0; ++path) {
    if (Lsb(fn) || fn == sn) {
      while (!Lsb(fn) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    }
    fn >>= 1;
    sn >>= 1;
  }
  // A power-of-two old size puts its root first on the path, not in the proof.
  return (old_size & (old_size - 1)) == 0 ? path - 1 : path;
}

}  // namespace vigie::audit
