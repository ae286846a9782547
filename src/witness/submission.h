#pragma once
// Submission: what Vigie's publisher sends the witness - a checkpoint, the
// tree size the witness holds and the consistency proof between the two -
// signed as a whole by the key that signed the checkpoint.
//
// Why signed: checkpoints are public. Unsigned, anyone holding a newer one
// could post it with a junk proof of the right length, and the witness would
// raise its fork alarm. A signed submission whose proof fails is the log's
// own statement, so evidence; an unsigned or foreign one is refused unread.
// A checkpoint at a size the witness countersigned needs no proof, and so no
// signature: its own contradicting root is the evidence, whoever holds it.
// Format: docs/formats/witness.md.
//
// Thread-safety: pure functions and plain values.
// Errors: ParseSubmission returns InvalidArgument for a malformed body.

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "audit/checkpoint.h"
#include "core/error.h"
#include "crypto/signing.h"

namespace vigie::witness {

// A consistency proof never holds more hashes than a tree size has bits.
inline constexpr size_t kMaxProofHashes = 64;

struct Submission {
  audit::Checkpoint checkpoint;
  uint64_t from_size = 0;  // the size of the tree the witness holds (0: none)
  std::vector<audit::Sha256Digest> consistency_proof;
  // By the key of checkpoint.key_id; required to extend the held tree.
  std::optional<crypto::Ed25519Signature> signature;
};

// The log's checkpoint signing keys by key id ("audit-signing" keys of the
// key file, staged and retired ones included).
using LogSigningKeys = std::map<uint32_t, crypto::Ed25519KeyPair>;

// The exact bytes signed (labelled lines, rebuildable with a shell).
std::string SubmissionSignedText(const Submission& submission);

// Signs with the key of the submission's checkpoint. NotFound if `keys` does
// not hold it (a node whose key file lags behind a rotation).
Result<void> SignSubmission(const LogSigningKeys& keys, Submission& submission);
bool SubmissionSignatureValid(const Submission& submission,
                              std::span<const uint8_t> log_public_key);

boost::json::object SubmissionJson(const Submission& submission);
Result<Submission> ParseSubmission(std::string_view body);

}  // namespace vigie::witness
