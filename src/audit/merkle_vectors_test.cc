// The audit Merkle tree against published RFC 6962 reference vectors.
//
// VECTORS (data only) from transparency-dev/merkle, proof/verify_test.go
// (the same test data as google/certificate-transparency's C++ merkle tree
// tests): the eight inputs, the roots of the trees of their first 1..8
// leaves, and known inclusion and consistency proofs. Note that the Go file's
// inclusion vectors count leaves from 1; they are converted to 0-based here.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "audit/merkle_hash.h"
#include "audit/merkle_proof.h"
#include "audit/merkle_tree.h"
#include "audit/merkle_verify.h"
#include "crypto/hash.h"

namespace vigie::audit {
namespace {

const char* const kInputs[] = {
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
};

// kRoots[n] is the root of the tree of the first n inputs.
const char* const kRoots[] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

struct InclusionVector {
  uint64_t index;  // 0-based
  uint64_t size;
  std::vector<std::string> proof;
};

const InclusionVector kInclusion[] = {
    {0, 1, {}},
    {0,
     8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {5,
     8,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {1,
     5,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

struct ConsistencyVector {
  uint64_t old_size;
  uint64_t new_size;
  std::vector<std::string> proof;
};

const ConsistencyVector kConsistency[] = {
    {1, 1, {}},
    {1,
     8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6,
     8,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2,
     5,
     {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {6,
     7,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

Sha256Digest Digest(const std::string& hex) {
  auto bytes = crypto::HexDecode(hex);
  EXPECT_TRUE(bytes.has_value());
  Sha256Digest d{};
  EXPECT_EQ(bytes->size(), d.size());
  std::copy(bytes->begin(), bytes->end(), d.begin());
  return d;
}

std::vector<Sha256Digest> Digests(const std::vector<std::string>& hexes) {
  std::vector<Sha256Digest> out;
  for (const auto& h : hexes) out.push_back(Digest(h));
  return out;
}

MerkleTree ReferenceTree(size_t n) {
  MerkleTree tree;
  for (size_t i = 0; i < n; ++i) tree.AppendLeaf(*crypto::HexDecode(kInputs[i]));
  return tree;
}

TEST(MerkleVectorsTest, EmptyTreeRootIsSha256OfNothing) {
  EXPECT_EQ(crypto::HexEncode(MerkleTree().Root()), kRoots[0]);
  EXPECT_EQ(crypto::HexEncode(MerkleEmptyRoot()), kRoots[0]);
}

TEST(MerkleVectorsTest, RootsOfEverySizeMatch) {
  MerkleTree tree = ReferenceTree(8);
  for (uint64_t n = 0; n <= 8; ++n) {
    EXPECT_EQ(crypto::HexEncode(ReferenceTree(n).Root()), kRoots[n]) << "incremental, size " << n;
    auto root = MerkleRootAt(tree, n);
    ASSERT_TRUE(root.has_value()) << root.error().ToString();
    EXPECT_EQ(crypto::HexEncode(*root), kRoots[n]) << "historical, size " << n;
  }
}

TEST(MerkleVectorsTest, InclusionProofsMatchAndVerify) {
  MerkleTree tree = ReferenceTree(8);
  for (const auto& v : kInclusion) {
    SCOPED_TRACE("index " + std::to_string(v.index) + " size " + std::to_string(v.size));
    auto proof = InclusionProof(tree, v.index, v.size);
    ASSERT_TRUE(proof.has_value()) << proof.error().ToString();
    EXPECT_EQ(*proof, Digests(v.proof));
    const Sha256Digest leaf = MerkleLeafHash(*crypto::HexDecode(kInputs[v.index]));
    auto verified =
        VerifyInclusion(leaf, v.index, v.size, Digests(v.proof), Digest(kRoots[v.size]));
    EXPECT_TRUE(verified.has_value()) << verified.error().ToString();
  }
}

TEST(MerkleVectorsTest, ConsistencyProofsMatchAndVerify) {
  MerkleTree tree = ReferenceTree(8);
  for (const auto& v : kConsistency) {
    SCOPED_TRACE("sizes " + std::to_string(v.old_size) + " -> " + std::to_string(v.new_size));
    auto proof = ConsistencyProof(tree, v.old_size, v.new_size);
    ASSERT_TRUE(proof.has_value()) << proof.error().ToString();
    EXPECT_EQ(*proof, Digests(v.proof));
    auto verified = VerifyConsistency(v.old_size, v.new_size, Digest(kRoots[v.old_size]),
                                      Digest(kRoots[v.new_size]), Digests(v.proof));
    EXPECT_TRUE(verified.has_value()) << verified.error().ToString();
  }
}

}  // namespace
}  // namespace vigie::audit
