#include "audit/stored_subtree_source.h"

#include <gtest/gtest.h>

#include "audit/audit_log_test_util.h"
#include "audit/merkle_proof.h"
#include "audit/merkle_tree.h"
#include "audit/merkle_verify.h"
#include "audit/stored_leaf_source.h"
#include "tests/support/matchers.h"

namespace vigie::audit {
namespace {

using testing::AuditLogFixture;
using testing::LiftAppendOnlyGuards;
using testing::ZeroHashSql;
using testing::SearchEvent;
using vigie::testing::ErrorCodeIs;

class StoredSubtreeSourceTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kEvents = 2100;

  void SetUp() override {
    {
      auto log = fixture_.OpenLog();
      std::vector<AuditEvent> events;
      for (uint64_t i = 0; i < kEvents; ++i) {
        events.push_back(SearchEvent(static_cast<int64_t>(i % 3 + 1), {static_cast<int64_t>(i)}));
      }
      ASSERT_OK(log->AppendAll(std::move(events)));
    }
    db_ = fixture_.RawDatabase();
    auto leaves = StoredLeafSource::Open(*db_);
    ASSERT_OK(leaves);
    for (uint64_t i = 0; i < leaves->Size(); ++i) reference_.AppendLeafHash(*leaves->LeafHash(i));
  }

  // Every proof the stored source gives equals the in-memory tree's and verifies.
  void ExpectReferenceProofs() {
    auto source = StoredSubtreeSource::Open(*db_);
    ASSERT_OK(source);
    ASSERT_EQ(source->Size(), kEvents);
    for (uint64_t size : {1u, 255u, 256u, 257u, 511u, 512u, 1023u, 1024u, 1025u, 2048u, 2100u}) {
      auto root = MerkleRootAt(*source, size);
      ASSERT_OK(root);
      EXPECT_EQ(*root, *MerkleRootAt(reference_, size)) << size;
      for (uint64_t leaf : {uint64_t{0}, size / 3, size - 1, uint64_t{256}, uint64_t{1500}}) {
        if (leaf >= size) continue;
        auto proof = InclusionProof(*source, leaf, size);
        ASSERT_OK(proof);
        EXPECT_EQ(*proof, *InclusionProof(reference_, leaf, size)) << leaf << " of " << size;
        EXPECT_OK(VerifyInclusion(*reference_.LeafHash(leaf), leaf, size, *proof, *root));
      }
      for (uint64_t old_size : {uint64_t{1}, uint64_t{256}, size / 2, size}) {
        if (old_size == 0 || old_size > size) continue;
        auto proof = ConsistencyProof(*source, old_size, size);
        ASSERT_OK(proof);
        EXPECT_EQ(*proof, *ConsistencyProof(reference_, old_size, size));
        EXPECT_OK(
            VerifyConsistency(old_size, size, *MerkleRootAt(reference_, old_size), *root, *proof));
      }
    }
    EXPECT_THAT(source->PerfectSubtreeHash(9, 5), ErrorCodeIs(ErrorCode::kNotFound));
    EXPECT_THAT(InclusionProof(*source, 0, kEvents + 1), ErrorCodeIs(ErrorCode::kInvalidArgument));
  }

  AuditLogFixture fixture_;
  std::unique_ptr<store::Connection> db_;
  MerkleTree reference_;
};

TEST_F(StoredSubtreeSourceTest, ProofsEqualTheReferenceAndVerify) { ExpectReferenceProofs(); }

TEST_F(StoredSubtreeSourceTest, ProofsFromTheLeavesWhenRowsAreMissing) {
  ASSERT_OK(LiftAppendOnlyGuards(*db_));
  ASSERT_OK(db_->ExecuteScript("DELETE FROM audit_subtree WHERE level >= 10 OR idx % 2 = 1;"));
  ExpectReferenceProofs();
}

TEST_F(StoredSubtreeSourceTest, ProofsFromTheLeavesWithoutTheTable) {
  ASSERT_OK(db_->ExecuteScript("DROP TABLE audit_subtree"));
  ExpectReferenceProofs();
}

TEST_F(StoredSubtreeSourceTest, ReadsTheStoredRows) {
  // A changed row changes the proofs: they come from the table, not the leaves.
  ASSERT_OK(LiftAppendOnlyGuards(*db_));
  ASSERT_OK(db_->ExecuteScript("UPDATE audit_subtree SET hash = " + ZeroHashSql(*db_) +
                               " WHERE level = 10 AND idx = 0;"));
  auto source = StoredSubtreeSource::Open(*db_);
  ASSERT_OK(source);
  auto proof = InclusionProof(*source, 2000, 2048);
  ASSERT_OK(proof);
  EXPECT_EQ(proof->back(), Sha256Digest{});
  EXPECT_THAT(VerifyInclusion(*reference_.LeafHash(2000), 2000, 2048, *proof,
                              *MerkleRootAt(reference_, 2048)),
              ErrorCodeIs(ErrorCode::kDataLoss));
}

}  // namespace
}  // namespace vigie::audit
