#pragma once
// The witness tests' fixture: a log as the witness sees it, and a witness
// initialised for it in a temporary directory (witness_test.cc,
// witness_routes_test.cc).

#include <fstream>

#include "audit/audit_log_test_util.h"
#include "audit/merkle_proof.h"
#include "audit/merkle_tree.h"
#include "crypto/bytes.h"
#include "tests/support/matchers.h"
#include "tests/support/temp_dir.h"
#include "witness/witness.h"

namespace vigie::witness {

// A log as the witness sees it: an in-memory Merkle tree and a signing key.
class FakeLog {
 public:
  explicit FakeLog(uint32_t key_id = 1, std::string salt = "")
      : key_(crypto::Ed25519KeyPair::Generate()), key_id_(key_id), salt_(std::move(salt)) {}

  void Append(uint64_t count) {
    for (uint64_t i = 0; i < count; ++i) {
      std::string leaf = "event " + std::to_string(tree_.Size()) + salt_;
      tree_.AppendLeaf(crypto::AsBytes(leaf));
    }
  }
  audit::Checkpoint Checkpoint() const {
    audit::Checkpoint checkpoint{.tree_size = tree_.Size(),
                                 .time_unix_micros = 1'764'000'000'000'000,
                                 .root = tree_.Root(),
                                 .key_id = key_id_};
    audit::SignCheckpoint(key_, checkpoint);
    return checkpoint;
  }
  std::vector<audit::Sha256Digest> ProofFrom(uint64_t old_size) const {
    auto proof = audit::ConsistencyProof(tree_, old_size, tree_.Size());
    EXPECT_OK(proof);
    return proof ? *proof : std::vector<audit::Sha256Digest>{};
  }
  LogKey Key() const { return {.key_id = key_id_, .public_key = key_.public_key()}; }
  const crypto::Ed25519KeyPair& signing_key() const { return key_; }

 private:
  crypto::Ed25519KeyPair key_;
  uint32_t key_id_;
  std::string salt_;
  audit::MerkleTree tree_;
};

class WitnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = Witness::Init(dir_.path() / "witness", std::vector<LogKey>{log_.Key()});
    ASSERT_OK(key);
    witness_public_key_ = *key;
    Reopen();
  }
  void Reopen() {
    witness_.reset();
    auto witness = Witness::Open(dir_.path() / "witness", clock_);
    ASSERT_OK(witness);
    witness_ = std::move(*witness);
  }
  // As Vigie's publisher sends it: signed by the log's key.
  Submission Signed(const audit::Checkpoint& checkpoint, uint64_t from,
                    std::vector<audit::Sha256Digest> proof) const {
    Submission submission{
        .checkpoint = checkpoint, .from_size = from, .consistency_proof = std::move(proof)};
    submission.signature = log_.signing_key().Sign(SubmissionSignedText(submission));
    return submission;
  }
  Result<Cosignature> SubmitTo(Witness& witness, const audit::Checkpoint& checkpoint, uint64_t from,
                               std::vector<audit::Sha256Digest> proof) {
    return witness.Submit(Signed(checkpoint, from, std::move(proof)));
  }
  Result<Cosignature> Submit(const audit::Checkpoint& checkpoint, uint64_t from,
                             std::vector<audit::Sha256Digest> proof) {
    return SubmitTo(*witness_, checkpoint, from, std::move(proof));
  }
  size_t StoredLines() const {
    std::ifstream in(dir_.path() / "witness" / "cosignatures.jsonl");
    size_t lines = 0;
    for (std::string line; std::getline(in, line);) ++lines;
    return lines;
  }

  vigie::testing::TempDir dir_;
  FakeClock clock_{TimePoint(std::chrono::seconds(1'764'000'100))};
  FakeLog log_;
  crypto::Ed25519PublicKey witness_public_key_{};
  std::unique_ptr<Witness> witness_;
};

}  // namespace vigie::witness
