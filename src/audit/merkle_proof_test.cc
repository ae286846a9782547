// Property and edge-case tests of proof generation and verification.
#include "audit/merkle_proof.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "audit/leaf_hash_source.h"
#include "audit/merkle_tree.h"
#include "audit/merkle_verify.h"
#include "audit/subtree_cache.h"
#include "crypto/bytes.h"

namespace vigie::audit {
namespace {

constexpr uint64_t kMaxSize = 64;

Sha256Digest Leaf(uint64_t i) {
  return MerkleLeafHash(crypto::AsBytes("event-" + std::to_string(i)));
}

MerkleTree TreeOf(uint64_t n) {
  MerkleTree tree;
  for (uint64_t i = 0; i < n; ++i) tree.AppendLeafHash(Leaf(i));
  return tree;
}

// A source that only knows leaf hashes: exercises the default
// PerfectSubtreeHash, as a database without stored interior nodes would.
class LeafOnlySource final : public LeafHashSource {
 public:
  explicit LeafOnlySource(uint64_t n) : n_(n) {}
  uint64_t Size() const override { return n_; }
  Result<Sha256Digest> LeafHash(uint64_t index) const override {
    if (index >= n_) return Fail(ErrorCode::kNotFound, "no leaf");
    return Leaf(index);
  }

 private:
  uint64_t n_;
};

// A source whose storage fails: its error must reach the caller unchanged.
class FailingSource final : public LeafHashSource {
 public:
  uint64_t Size() const override { return 10; }
  Result<Sha256Digest> LeafHash(uint64_t) const override {
    return Fail(ErrorCode::kUnavailable, "database down");
  }
};

Sha256Digest Flip(Sha256Digest d, size_t bit) {
  d[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  return d;
}

TEST(MerkleProofTest, EveryInclusionProofVerifiesAndEveryTamperingFails) {
  const MerkleTree tree = TreeOf(kMaxSize);
  for (uint64_t n = 1; n <= kMaxSize; ++n) {
    const Sha256Digest root = *MerkleRootAt(tree, n);
    for (uint64_t i = 0; i < n; ++i) {
      SCOPED_TRACE("size " + std::to_string(n) + " index " + std::to_string(i));
      auto proof = InclusionProof(tree, i, n);
      ASSERT_TRUE(proof.has_value()) << proof.error().ToString();
      ASSERT_TRUE(VerifyInclusion(Leaf(i), i, n, *proof, root).has_value());
      // Wrong leaf, root, index and size.
      EXPECT_FALSE(VerifyInclusion(Leaf(i + 1), i, n, *proof, root).has_value());
      EXPECT_FALSE(VerifyInclusion(Leaf(i), i, n, *proof, Flip(root, 0)).has_value());
      for (uint64_t j = 0; j < n + 2; ++j) {
        if (j != i) {
          EXPECT_FALSE(VerifyInclusion(Leaf(i), j, n, *proof, root).has_value());
        }
      }
      // A tree of another height. (Sizes whose audit paths have the same shape
      // give the same computation: a proof binds the size only through the
      // root, which is why sizes and roots must come from one signed checkpoint.)
      EXPECT_FALSE(VerifyInclusion(Leaf(i), i, n * 2, *proof, root).has_value());
      EXPECT_FALSE(VerifyInclusion(Leaf(i), i, n / 2, *proof, root).has_value());
      // Any single flipped bit in the proof (a sample of bit positions).
      for (size_t k = 0; k < proof->size(); ++k) {
        for (size_t bit : {0, 7, 100, 255}) {
          auto bad = *proof;
          bad[k] = Flip(bad[k], bit);
          auto r = VerifyInclusion(Leaf(i), i, n, bad, root);
          ASSERT_FALSE(r.has_value());
          EXPECT_EQ(r.error().code(), ErrorCode::kDataLoss);
        }
      }
      // A hash too many or too few.
      auto longer = *proof;
      longer.push_back(root);
      EXPECT_FALSE(VerifyInclusion(Leaf(i), i, n, longer, root).has_value());
      if (!proof->empty()) {
        auto shorter = *proof;
        shorter.pop_back();
        EXPECT_FALSE(VerifyInclusion(Leaf(i), i, n, shorter, root).has_value());
      }
    }
  }
}

TEST(MerkleProofTest, EveryConsistencyProofVerifiesAndEveryTamperingFails) {
  const MerkleTree tree = TreeOf(kMaxSize);
  std::vector<Sha256Digest> roots;
  for (uint64_t n = 0; n <= kMaxSize; ++n) roots.push_back(*MerkleRootAt(tree, n));
  for (uint64_t n = 1; n <= kMaxSize; ++n) {
    for (uint64_t m = 1; m <= n; ++m) {
      SCOPED_TRACE("sizes " + std::to_string(m) + " -> " + std::to_string(n));
      auto proof = ConsistencyProof(tree, m, n);
      ASSERT_TRUE(proof.has_value()) << proof.error().ToString();
      ASSERT_TRUE(VerifyConsistency(m, n, roots[m], roots[n], *proof).has_value());
      EXPECT_FALSE(VerifyConsistency(m, n, Flip(roots[m], 3), roots[n], *proof).has_value());
      EXPECT_FALSE(VerifyConsistency(m, n, roots[m], Flip(roots[n], 3), *proof).has_value());
      if (m == n) {
        EXPECT_TRUE(proof->empty());
        continue;
      }
      EXPECT_EQ(proof->size(), ConsistencyProofLength(m, n));
      EXPECT_FALSE(VerifyConsistency(m, n, roots[n], roots[m], *proof).has_value());
      EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[n], {}).has_value());
      // Wrong sizes with the right roots.
      if (m > 1) {
        EXPECT_FALSE(VerifyConsistency(m - 1, n, roots[m], roots[n], *proof).has_value());
      }
      if (m + 1 < n) {
        EXPECT_FALSE(VerifyConsistency(m + 1, n, roots[m], roots[n], *proof).has_value());
      }
      EXPECT_FALSE(VerifyConsistency(m, n * 2, roots[m], roots[n], *proof).has_value());
      EXPECT_FALSE(VerifyConsistency(m, n / 2, roots[m], roots[n], *proof).has_value());
      for (size_t k = 0; k < proof->size(); ++k) {
        for (size_t bit : {0, 131, 255}) {
          auto bad = *proof;
          bad[k] = Flip(bad[k], bit);
          auto r = VerifyConsistency(m, n, roots[m], roots[n], bad);
          ASSERT_FALSE(r.has_value());
          EXPECT_EQ(r.error().code(), ErrorCode::kDataLoss);
        }
      }
      auto longer = *proof;
      longer.push_back(roots[n]);
      EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[n], longer).has_value());
      auto shorter = *proof;
      shorter.pop_back();
      EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[n], shorter).has_value());
    }
  }
}

TEST(MerkleProofTest, LeafOnlySourceGivesTheSameProofsAsTheTree) {
  const MerkleTree tree = TreeOf(37);
  const LeafOnlySource leaves(37);
  for (uint64_t n = 1; n <= 37; ++n) {
    EXPECT_EQ(*MerkleRootAt(leaves, n), *MerkleRootAt(tree, n));
    for (uint64_t i = 0; i < n; ++i)
      EXPECT_EQ(*InclusionProof(leaves, i, n), *InclusionProof(tree, i, n));
    for (uint64_t m = 1; m <= n; ++m) {
      EXPECT_EQ(*ConsistencyProof(leaves, m, n), *ConsistencyProof(tree, m, n));
    }
  }
}

TEST(MerkleProofTest, SubtreeCacheGivesTheSameProofsAsTheLogGrows) {
  const MerkleTree tree = TreeOf(kMaxSize);
  SubtreeCache cache(2);
  // Attached to ever larger prefixes, as the publisher is to a growing log:
  // hashes remembered from a smaller log stay right in the larger one.
  for (uint64_t n = 1; n <= kMaxSize; ++n) {
    const LeafOnlySource leaves(n);
    cache.Attach(leaves);
    EXPECT_EQ(*MerkleRootAt(cache, n), *MerkleRootAt(tree, n));
    for (uint64_t m = 1; m <= n; ++m) {
      EXPECT_EQ(*ConsistencyProof(cache, m, n), *ConsistencyProof(tree, m, n));
    }
  }
  const LeafOnlySource all(kMaxSize);
  cache.Attach(all);
  EXPECT_EQ(cache.PerfectSubtreeHash(7, 0).error().code(), ErrorCode::kNotFound);
}

// A source that stores interior nodes, counting what the cache asks of it.
class StoredNodesSource final : public LeafHashSource {
 public:
  explicit StoredNodesSource(const MerkleTree& tree) : tree_(tree) {}
  uint64_t Size() const override { return tree_.Size(); }
  Result<Sha256Digest> LeafHash(uint64_t index) const override {
    ++reads;
    return tree_.LeafHash(index);
  }
  Result<Sha256Digest> PerfectSubtreeHash(uint32_t level, uint64_t index) const override {
    ++reads;
    return tree_.PerfectSubtreeHash(level, index);
  }
  bool StoresInteriorNodes() const override { return true; }
  mutable int reads = 0;

 private:
  const MerkleTree& tree_;
};

// Over stored interior nodes, a first proof costs a look-up per subtree,
// not one per half down to the cache's lowest level.
TEST(MerkleProofTest, SubtreeCacheAsksASourceThatStoresNodesBeforeRecomputing) {
  const MerkleTree tree = TreeOf(kMaxSize);
  const StoredNodesSource stored(tree);
  SubtreeCache cache(2);
  cache.Attach(stored);
  EXPECT_EQ(*ConsistencyProof(cache, 33, kMaxSize), *ConsistencyProof(tree, 33, kMaxSize));
  EXPECT_LE(stored.reads, 8);  // 17 when recomputed from level-2 nodes
  const int first = stored.reads;
  EXPECT_EQ(*ConsistencyProof(cache, 33, kMaxSize), *ConsistencyProof(tree, 33, kMaxSize));
  // What the cache holds is not asked again: only the levels below its own.
  EXPECT_LT(stored.reads - first, first);
}

TEST(MerkleProofTest, HistoricalRootsMatchTheIncrementalRoot) {
  MerkleTree tree;
  std::vector<Sha256Digest> seen{tree.Root()};
  for (uint64_t i = 0; i < kMaxSize; ++i) {
    tree.AppendLeafHash(Leaf(i));
    seen.push_back(tree.Root());
  }
  for (uint64_t n = 0; n <= kMaxSize; ++n) EXPECT_EQ(*MerkleRootAt(tree, n), seen[n]);
}

void ExpectInvalid(const auto& result) {
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument) << result.error().ToString();
}

TEST(MerkleProofTest, AProverGivesTheProofsAndRootOfInclusionProof) {
  const MerkleTree tree = TreeOf(kMaxSize);
  for (uint64_t n = 1; n <= kMaxSize; ++n) {
    auto prover = InclusionProver::Create(tree, n);
    ASSERT_TRUE(prover.has_value()) << prover.error().ToString();
    EXPECT_EQ(prover->tree_size(), n);
    EXPECT_EQ(prover->root(), *MerkleRootAt(tree, n));
    for (uint64_t i = 0; i < n; ++i) {
      SCOPED_TRACE("size " + std::to_string(n) + " index " + std::to_string(i));
      auto proof = prover->Prove(i);
      ASSERT_TRUE(proof.has_value()) << proof.error().ToString();
      EXPECT_EQ(*proof, *InclusionProof(tree, i, n));
    }
  }
}

// A sibling on the right edge of the tree is known to the prover: only the
// path's perfect siblings are asked for, where InclusionProof recomputes the
// right edge from its perfect parts for every proof.
TEST(MerkleProofTest, AProverComputesTheRightEdgeOnce) {
  const MerkleTree tree = TreeOf(kMaxSize);
  const StoredNodesSource stored(tree);
  const uint64_t n = 63;  // the longest right edge: 32 + 16 + 8 + 4 + 2 + 1
  auto prover = InclusionProver::Create(stored, n);
  ASSERT_TRUE(prover.has_value());
  stored.reads = 0;
  const std::vector<Sha256Digest> proof = *prover->Prove(0);
  const int by_prover = stored.reads;
  EXPECT_EQ(by_prover, static_cast<int>(proof.size()) - 1);  // all but [32, 63)
  stored.reads = 0;
  EXPECT_EQ(*InclusionProof(stored, 0, n), proof);
  EXPECT_EQ(stored.reads, by_prover + 5);  // [32, 63) from its five perfect parts
}

TEST(MerkleProofTest, ImpossibleRequestsAreInvalidArguments) {
  const MerkleTree tree = TreeOf(8);
  ExpectInvalid(MerkleRootAt(tree, 9));
  ExpectInvalid(InclusionProof(tree, 8, 8));    // index == size
  ExpectInvalid(InclusionProof(tree, 0, 0));    // empty tree
  ExpectInvalid(InclusionProof(tree, 0, 9));    // beyond the log
  ExpectInvalid(ConsistencyProof(tree, 5, 4));  // old > new
  ExpectInvalid(ConsistencyProof(tree, 0, 4));  // from the empty tree
  ExpectInvalid(ConsistencyProof(tree, 4, 9));  // beyond the log
  ExpectInvalid(InclusionProver::Create(tree, 0));
  ExpectInvalid(InclusionProver::Create(tree, 9));
  auto prover = InclusionProver::Create(tree, 8);
  ASSERT_TRUE(prover.has_value());
  ExpectInvalid(prover->Prove(8));
  const Sha256Digest root = tree.Root();
  ExpectInvalid(VerifyInclusion(Leaf(0), 8, 8, {}, root));
  ExpectInvalid(VerifyInclusion(Leaf(0), 0, 0, {}, MerkleEmptyRoot()));
  ExpectInvalid(VerifyConsistency(5, 4, root, root, {}));
  ExpectInvalid(VerifyConsistency(0, 4, MerkleEmptyRoot(), root, {}));
}

TEST(MerkleProofTest, EqualSizesNeedEqualRootsAndAnEmptyProof) {
  const Sha256Digest a = Leaf(1), b = Leaf(2);
  EXPECT_TRUE(VerifyConsistency(3, 3, a, a, {}).has_value());
  EXPECT_FALSE(VerifyConsistency(3, 3, a, b, {}).has_value());
  const std::vector<Sha256Digest> one{a};
  EXPECT_FALSE(VerifyConsistency(3, 3, a, a, one).has_value());
}

TEST(MerkleProofTest, SingleLeafTreeProofIsEmptyAndRootIsTheLeafHash) {
  const MerkleTree tree = TreeOf(1);
  EXPECT_EQ(tree.Root(), Leaf(0));
  EXPECT_TRUE(InclusionProof(tree, 0, 1)->empty());
  EXPECT_TRUE(VerifyInclusion(Leaf(0), 0, 1, {}, Leaf(0)).has_value());
  EXPECT_FALSE(VerifyInclusion(Leaf(1), 0, 1, {}, Leaf(0)).has_value());
}

TEST(MerkleProofTest, SourceErrorsPassThrough) {
  const FailingSource source;
  auto root = MerkleRootAt(source, 10);
  ASSERT_FALSE(root.has_value());
  EXPECT_EQ(root.error().code(), ErrorCode::kUnavailable);
  auto proof = InclusionProof(source, 3, 10);
  ASSERT_FALSE(proof.has_value());
  EXPECT_EQ(proof.error().code(), ErrorCode::kUnavailable);
  auto prover = InclusionProver::Create(source, 10);
  ASSERT_FALSE(prover.has_value());
  EXPECT_EQ(prover.error().code(), ErrorCode::kUnavailable);
  auto consistency = ConsistencyProof(source, 3, 10);
  ASSERT_FALSE(consistency.has_value());
  EXPECT_EQ(consistency.error().code(), ErrorCode::kUnavailable);
}

TEST(MerkleProofTest, SubtreeLookupsPastTheEndAreNotFound) {
  const MerkleTree tree = TreeOf(5);
  EXPECT_EQ(tree.LeafHash(5).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(tree.PerfectSubtreeHash(2, 1).error().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(tree.PerfectSubtreeHash(2, 0).has_value());
  const LeafOnlySource leaves(5);
  EXPECT_EQ(leaves.PerfectSubtreeHash(2, 1).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(leaves.PerfectSubtreeHash(3, 0).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(leaves.PerfectSubtreeHash(64, 0).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(*leaves.PerfectSubtreeHash(2, 0), *tree.PerfectSubtreeHash(2, 0));
}

}  // namespace
}  // namespace vigie::audit
