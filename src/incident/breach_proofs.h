#pragma once
// RFC 9162 inclusion proofs for many events of a stored audit log at once,
// against one tree size (a signed checkpoint's), for a breach report.
//
// The audit log stores the hash of every perfect subtree of 2^4 leaves or
// more (audit/subtree_table.h): Build reads the 2^kChunkLevel events around
// each chosen leaf (and the tree's last, partial chunk), and the O(log n)
// stored subtree hashes each audit path and the root need. Every proof is
// then computed from memory, without the database.
// Cost: ~2^kChunkLevel event reads and O(log n) row lookups per distinct
// chosen chunk; memory ~(kChunkLevel + log n) hashes per chosen leaf.
// A log whose table does not cover the tree (written by an older Vigie and
// not yet backfilled, see audit_log.h) is read whole, in one sequential scan,
// as before: n event reads and ~2n SHA-256, ~64 bytes per 2^kChunkLevel events.
//
// Thread-safety: Build uses `db`, and for many chunks or stored nodes other
// connections of `reading`'s, each on a thread of its own; a built value is
// immutable.
// Errors: InvalidArgument for a leaf not below tree_size; DataLoss when an
// event is missing from the log.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "audit/merkle_hash.h"
#include "audit/parallel_reading.h"
#include "audit/subtree_table.h"
#include "core/error.h"
#include "store/store.h"

namespace vigie::incident {

class BatchInclusionProofs {
 public:
  // Chunks end where stored levels begin.
  static constexpr uint32_t kChunkLevel = audit::kStoredSubtreeMinLevel;

  // Called with (events read, tree_size) during the scan.
  using Progress = std::function<void(uint64_t done, uint64_t total)>;

  // REQUIRES: a read transaction on `db` if the log may grow meanwhile.
  // `leaves`: the indices to prove, each < tree_size (any order, repeats ok).
  // `reading`: other connections reading parts of the chunks.
  static Result<BatchInclusionProofs> Build(store::Connection& db, uint64_t tree_size,
                                            std::span<const uint64_t> leaves,
                                            const Progress& progress = {},
                                            const audit::ParallelReading& reading = {});

  BatchInclusionProofs(BatchInclusionProofs&&) noexcept;
  BatchInclusionProofs& operator=(BatchInclusionProofs&&) noexcept;
  ~BatchInclusionProofs();

  uint64_t tree_size() const;
  // The Merkle Tree Hash of the tree: compare it with the checkpoint's root.
  const audit::Sha256Digest& root() const;
  // The audit path of `leaf`, deepest sibling first. InvalidArgument for a
  // leaf not given to Build.
  Result<std::vector<audit::Sha256Digest>> Prove(uint64_t leaf) const;
  // The leaf hash read from the log for `leaf` (one given to Build).
  Result<audit::Sha256Digest> LeafHash(uint64_t leaf) const;

  class Nodes;

 private:
  explicit BatchInclusionProofs(std::unique_ptr<Nodes> nodes);
  static Result<BatchInclusionProofs> BuildByScan(store::Connection& db,
                                                  std::unique_ptr<Nodes> nodes,
                                                  const Progress& progress);
  std::unique_ptr<Nodes> nodes_;
};

}  // namespace vigie::incident
