#include "audit/merkle_frontier.h"

#include <gtest/gtest.h>

#include <bit>
#include <string>
#include <vector>

#include "audit/merkle_hash.h"
#include "crypto/bytes.h"

namespace vigie::audit {
namespace {

// RFC 9162 §2.1.1 written out directly, as an independent reference.
Sha256Digest ReferenceRoot(const std::vector<Sha256Digest>& leaves, size_t begin, size_t end) {
  if (end - begin == 1) return leaves[begin];
  size_t k = 1;
  while (k * 2 < end - begin) k *= 2;
  return MerkleNodeHash(ReferenceRoot(leaves, begin, begin + k),
                        ReferenceRoot(leaves, begin + k, end));
}

Sha256Digest Leaf(size_t i) { return MerkleLeafHash(crypto::AsBytes("leaf-" + std::to_string(i))); }

TEST(MerkleFrontierTest, EmptyFrontierHasEmptyRoot) {
  MerkleFrontier f;
  EXPECT_EQ(f.size(), 0u);
  EXPECT_TRUE(f.nodes().empty());
  EXPECT_EQ(f.Root(), MerkleEmptyRoot());
}

TEST(MerkleFrontierTest, RootMatchesReferenceForEverySizeUpTo130) {
  MerkleFrontier f;
  std::vector<Sha256Digest> leaves;
  for (size_t n = 1; n <= 130; ++n) {
    leaves.push_back(Leaf(n - 1));
    f.Append(leaves.back());
    ASSERT_EQ(f.size(), n);
    EXPECT_EQ(f.nodes().size(), static_cast<size_t>(std::popcount(n)));
    EXPECT_EQ(f.Root(), ReferenceRoot(leaves, 0, n)) << "size " << n;
  }
}

TEST(MerkleFrontierTest, RestoredFrontierContinuesIdentically) {
  MerkleFrontier original;
  for (size_t i = 0; i < 11; ++i) original.Append(Leaf(i));
  auto restored = MerkleFrontier::FromNodes(original.size(), original.nodes());
  ASSERT_TRUE(restored.has_value()) << restored.error().ToString();
  EXPECT_EQ(restored->Root(), original.Root());
  for (size_t i = 11; i < 40; ++i) {
    original.Append(Leaf(i));
    restored->Append(Leaf(i));
    EXPECT_EQ(restored->Root(), original.Root());
  }
}

TEST(MerkleFrontierTest, FromNodesRefusesInconsistentSnapshot) {
  MerkleFrontier f;
  for (size_t i = 0; i < 5; ++i) f.Append(Leaf(i));  // 5 = 0b101: two nodes
  std::vector<Sha256Digest> nodes = f.nodes();
  nodes.pop_back();
  auto bad = MerkleFrontier::FromNodes(5, nodes);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(MerkleFrontier::FromNodes(0, f.nodes()).has_value());
  EXPECT_TRUE(MerkleFrontier::FromNodes(0, {}).has_value());
}

TEST(MerkleHashTest, LeafAndNodeAreDomainSeparated) {
  // A 64-byte leaf equal to left || right must not hash like the node.
  const Sha256Digest l = Leaf(0), r = Leaf(1);
  std::vector<uint8_t> concat(l.begin(), l.end());
  concat.insert(concat.end(), r.begin(), r.end());
  EXPECT_NE(MerkleLeafHash(concat), MerkleNodeHash(l, r));
  EXPECT_NE(MerkleNodeHash(l, r), MerkleNodeHash(r, l));
}

TEST(MerkleFrontierTest, ReportsEachPerfectSubtreeItCompletesOnce) {
  for (uint32_t min_level : {0u, 1u, 3u}) {
    std::vector<Sha256Digest> leaves;
    std::vector<CompletedSubtree> completed;
    MerkleFrontier f;
    for (size_t i = 0; i < 70; ++i) {
      leaves.push_back(Leaf(i));
      f.Append(leaves.back(), min_level, completed);
    }
    std::vector<CompletedSubtree> expected;
    for (uint64_t end = 1; end <= leaves.size(); ++end) {
      for (uint32_t level = min_level; end % (uint64_t{1} << level) == 0; ++level) {
        const uint64_t width = uint64_t{1} << level;
        expected.push_back({level, end / width - 1, ReferenceRoot(leaves, end - width, end)});
      }
    }
    EXPECT_EQ(completed, expected) << "min_level " << min_level;
    EXPECT_EQ(f.Root(), ReferenceRoot(leaves, 0, leaves.size()));
  }
}

}  // namespace
}  // namespace vigie::audit
