#pragma once
// VerifyAuditLog: `vigie audit verify`. Reads a stored audit log from the
// first event and checks everything that makes it tamper-evident (DESIGN
// invariant 7): every checkpoint's signature, that the witness file's
// checkpoints are the database's, that sequence numbers have no gap, that
// every event decodes and sits at its own number, every chain link, that
// the Merkle root and chain hash at each checkpoint size are the signed ones,
// that every stored perfect-subtree hash (subtree_table.h) is the one
// recomputed from the events, and that the "who consulted this person"
// index holds exactly the events' accesses (person_index_check.h).
// It stops at the first problem and names the first bad event.
//
// From a checkpoint (`from_checkpoint`, the size of a trusted one): the
// events before it are vouched for by its signature and not read. The state
// there (the Merkle frontier from the stored subtree rows, the chain hash of
// the event before) is held to that checkpoint's root and chain hash, and
// the events after it are checked as above; the person index is left to a
// full verification (its digests span the whole log). A change before the
// checkpoint is then not seen, unless it reaches the rows the state is
// taken from: an audit routine runs `--from` often and in full now and then.
//
// Cost: one pass on two threads (reading and the person index's chunks;
// decoding, leaf hashes, chain, Merkle frontier, stored subtrees and the
// events' persons); memory: the stored subtree hashes of one batch at a
// time (read with it) and 32 bytes per 65 536 events for the person index's
// digests, constant otherwise; ~0.5 M events/s when the database is in memory, the
// disk's read rate otherwise (docs/benchmarks.md).
// Thread-safety: uses `db` alone (from the calling thread) for the duration
// of the call; `progress` is called from the second thread.
// Errors: storage errors only; what verification finds is in the report.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "audit/checkpoint.h"
#include "core/error.h"
#include "crypto/keyring.h"
#include "crypto/signing.h"
#include "store/store.h"

namespace vigie::audit {

struct AuditVerifyReport {
  bool ok = true;
  uint64_t events = 0;  // events checked
  // The first event read: 0, or just below the checkpoint verified from.
  uint64_t first_event = 0;
  uint64_t bytes = 0;   // encoded event bytes checked
  uint64_t checkpoints = 0;
  uint64_t person_indexed_events = 0;       // events whose "who consulted" index was checked
  // The first events, vouched for by a trusted checkpoint; the rest (those
  // appended since the last checkpoint) by the chain and the tip alone.
  uint64_t signed_events = 0;
  std::optional<uint64_t> first_bad_event;  // when the problem is located at an event
  std::string problem;                      // empty when ok
};

// A checkpoint key as verification trusts it: its public half and, once
// retired (`vigie keys retire`), the largest tree size it signed. A
// checkpoint it signs beyond that size is a forgery made with the old key,
// and a log ending at or below it lost its end (a newer key had signed more).
struct CheckpointKey {
  CheckpointKey(const crypto::Ed25519PublicKey& key,  // NOLINT: implicit on purpose
                std::optional<uint64_t> retired = std::nullopt)
      : public_key(key), retired_after(retired) {}
  crypto::Ed25519PublicKey public_key;
  std::optional<uint64_t> retired_after;
};

// The "audit-signing" key with this id, or nullopt.
using CheckpointKeyLookup = std::function<std::optional<CheckpointKey>(uint32_t)>;

// Looks keys up in `keyring` (which must outlive the lookup).
CheckpointKeyLookup CheckpointKeysOf(const crypto::Keyring& keyring);
// The largest size a retired audit-signing key of `keyring` signed: the log
// must be longer (a newer key signed beyond it), whatever checkpoints remain.
std::optional<uint64_t> RetiredSigningFloor(const crypto::Keyring& keyring);

// `progress(done, total)` is called now and then while events are checked.
// `countersigned`: checkpoints the witness service countersigned (their
// cosignatures already checked by the caller), held to like the others.
// `retired_floor`: RetiredSigningFloor of the keys. `from_checkpoint`: see
// above; NotFound when no trusted checkpoint has that size.
Result<AuditVerifyReport> VerifyAuditLog(
    store::Connection& db, const CheckpointKeyLookup& keys, std::span<const Checkpoint> witness,
    const std::function<void(uint64_t done, uint64_t total)>& progress = {},
    std::span<const Checkpoint> countersigned = {},
    std::optional<uint64_t> retired_floor = std::nullopt,
    std::optional<uint64_t> from_checkpoint = std::nullopt);

}  // namespace vigie::audit
