#pragma once
// Checkpoint: a signed statement "the audit log had `tree_size` events, whose
// Merkle root is `root` and whose last chain hash is `chain_hash`, at `time`".
// The writer issues one every N events or T milliseconds, stores it beside
// the events and appends it to a witness file kept apart from the database,
// so whoever can rewrite the database still cannot rewrite history unseen:
// the old checkpoints no longer match. Format: docs/formats/audit-log.md.
//
// Thread-safety: pure functions and plain values.
// Errors: ParseWitnessLine returns DataLoss for a malformed line.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "audit/merkle_hash.h"
#include "core/error.h"
#include "crypto/signing.h"

namespace vigie::audit {

struct Checkpoint {
  uint64_t tree_size = 0;
  int64_t time_unix_micros = 0;
  Sha256Digest root{};
  Sha256Digest chain_hash{};
  uint32_t key_id = 0;  // the "audit-signing" data key that signed it
  crypto::Ed25519Signature signature{};

  bool operator==(const Checkpoint&) const = default;
};

// The exact bytes that are signed: a labelled, line-oriented text so that an
// independent verifier can rebuild it with a shell and `openssl`.
std::string CheckpointSignedText(const Checkpoint& checkpoint);

// Signs `checkpoint` (all fields but `signature`) with `key`.
void SignCheckpoint(const crypto::Ed25519KeyPair& key, Checkpoint& checkpoint);

// True iff the signature is valid for the other fields under `public_key`.
bool CheckpointSignatureValid(const Checkpoint& checkpoint, std::span<const uint8_t> public_key);

// One witness-file line (no newline): JSON with hex hashes and a base64 signature.
std::string WitnessLine(const Checkpoint& checkpoint);
Result<Checkpoint> ParseWitnessLine(std::string_view line);

}  // namespace vigie::audit
