#include "incident/breach_proofs.h"

#include <algorithm>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "audit/event_scan.h"
#include "audit/hash_chain.h"
#include "audit/leaf_hash_source.h"
#include "audit/merkle_proof.h"
#include "audit/stored_subtree_source.h"
#include "audit/subtree_table.h"

namespace vigie::incident {

using audit::Sha256Digest;

// The nodes kept for the proofs, served as a LeafHashSource so the proofs
// themselves come from audit::InclusionProver (one implementation of RFC
// 9162).
class BatchInclusionProofs::Nodes final : public audit::LeafHashSource {
 public:
  explicit Nodes(uint64_t size) : size_(size) {}

  uint64_t Size() const override { return size_; }
  Result<Sha256Digest> LeafHash(uint64_t index) const override {
    return PerfectSubtreeHash(0, index);
  }
  Result<Sha256Digest> PerfectSubtreeHash(uint32_t level, uint64_t index) const override {
    if (level >= kChunkLevel) {
      const size_t high = level - kChunkLevel;
      if (high < high_.size() && index < high_[high].size()) return high_[high][index];
      if (auto it = stored_.find(Key(level, index)); it != stored_.end()) return it->second;
      if (recording_ != nullptr && level <= 63) {
        recording_->push_back({level, index, {}});
        return Sha256Digest{};  // a placeholder: which nodes are asked for depends on positions only
      }
      if (stored_source_ != nullptr && level <= 63) {
        ASSIGN_OR_RETURN(Sha256Digest hash, stored_source_->PerfectSubtreeHash(level, index));
        stored_.emplace(Key(level, index), hash);
        return hash;
      }
    } else if (auto it = low_.find(Key(level, index)); it != low_.end()) {
      return it->second;
    }
    return Fail(ErrorCode::kInvalidArgument, "Merkle node " + std::to_string(index) + " at level " +
                                                 std::to_string(level) +
                                                 " was not kept for these proofs");
  }

  // One chunk of up to 2^kChunkLevel leaf hashes starting at leaf `base`
  // (a multiple of 2^kChunkLevel); `chosen` are offsets of leaves to prove.
  // A partial chunk can only be the last one: all its nodes are kept, since
  // the right edge of the tree is built from them.
  // `scan`: chunks come in order from leaf 0 and their hashes build every
  // node above chunk level; otherwise those come from the stored subtrees.
  void AddChunk(uint64_t base, std::vector<Sha256Digest> leaves,
                std::span<const uint64_t> chosen_offsets, bool scan) {
    std::vector<std::vector<Sha256Digest>> tree;
    tree.push_back(std::move(leaves));
    for (uint32_t level = 0; level < kChunkLevel && tree.back().size() >= 2; ++level) {
      const std::vector<Sha256Digest>& below = tree.back();
      std::vector<Sha256Digest> above(below.size() / 2);
      for (size_t j = 0; j < above.size(); ++j)
        above[j] = audit::MerkleNodeHash(below[2 * j], below[2 * j + 1]);
      tree.push_back(std::move(above));
    }
    const bool full = tree.front().size() == (uint64_t{1} << kChunkLevel);
    if (full) {
      if (scan) PushHigh(0, tree[kChunkLevel][0]);
    } else {
      for (uint32_t level = 0; level < tree.size(); ++level) {
        for (size_t j = 0; j < tree[level].size(); ++j) {
          low_[Key(level, (base >> level) + j)] = tree[level][j];
        }
      }
    }
    for (uint64_t offset : chosen_offsets) {
      low_[Key(0, base + offset)] = tree[0][offset];
      for (uint32_t level = 0; level < kChunkLevel && level < tree.size(); ++level) {
        const uint64_t sibling = (offset >> level) ^ 1;
        if (sibling < tree[level].size()) {
          low_[Key(level, (base >> level) + sibling)] = tree[level][sibling];
        }
      }
    }
  }

  // Until stopped (nullptr), nodes above chunk level that are not kept are
  // appended to `wanted` instead of read, and answered with a placeholder.
  void RecordWanted(std::vector<audit::CompletedSubtree>* wanted) { recording_ = wanted; }
  void Keep(std::span<const audit::CompletedSubtree> stored) {
    for (const audit::CompletedSubtree& node : stored) stored_[Key(node.level, node.index)] = node.hash;
  }

  // Sets `prover` and `root`.
  Result<void> MakeProver() {
    ASSIGN_OR_RETURN(audit::InclusionProver made, audit::InclusionProver::Create(*this, size_));
    root = made.root();
    prover.emplace(std::move(made));
    return {};
  }

  // MakeProver, then every chosen leaf proved once, which asks for every node
  // their proofs need. The proofs themselves are not kept: a report of
  // millions of events holds its own copy of each.
  Result<void> ProveChosen() {
    RETURN_IF_ERROR(MakeProver());
    for (uint64_t leaf : chosen) RETURN_IF_ERROR(prover->Prove(leaf));
    return {};
  }

  // Nodes above chunk level are read from `source` (and kept) until Seal.
  void ReadStoredFrom(const audit::LeafHashSource& source) { stored_source_ = &source; }
  void Seal() { stored_source_ = nullptr; }

  Sha256Digest root;
  std::vector<uint64_t> chosen;  // sorted, distinct
  std::optional<audit::InclusionProver> prover;  // over these nodes, once built

 private:
  static uint64_t Key(uint32_t level, uint64_t index) {
    return (uint64_t{level} << 58) | index;  // logs stay far below 2^58 events
  }

  // Appends a perfect subtree hash at (relative) level `high` and folds
  // completed pairs upwards, so every perfect subtree above chunk level is kept.
  void PushHigh(size_t high, Sha256Digest hash) {
    while (true) {
      if (high_.size() <= high) high_.resize(high + 1);
      std::vector<Sha256Digest>& row = high_[high];
      row.push_back(hash);
      if (row.size() % 2 != 0) return;
      hash = audit::MerkleNodeHash(row[row.size() - 2], row.back());
      ++high;
    }
  }

  uint64_t size_;
  std::vector<std::vector<Sha256Digest>> high_;  // [level - kChunkLevel][index]
  std::unordered_map<uint64_t, Sha256Digest> low_;
  // Nodes above chunk level read from the stored subtrees (only during Build).
  mutable std::unordered_map<uint64_t, Sha256Digest> stored_;
  const audit::LeafHashSource* stored_source_ = nullptr;
  std::vector<audit::CompletedSubtree>* recording_ = nullptr;
};

namespace {

constexpr uint64_t kChunk = uint64_t{1} << BatchInclusionProofs::kChunkLevel;

// InvalidArgument unless `leaf` is in `chosen` (sorted).
Result<void> CheckChosen(const std::vector<uint64_t>& chosen, uint64_t leaf) {
  if (!std::binary_search(chosen.begin(), chosen.end(), leaf)) {
    return Fail(ErrorCode::kInvalidArgument,
                "event " + std::to_string(leaf) + " was not among the events to prove");
  }
  return {};
}

std::unexpected<Error> Missing(uint64_t sequence) {
  return Fail(ErrorCode::kDataLoss,
              "audit event " + std::to_string(sequence) + " is missing; run `vigie audit verify`");
}

// The leaf hashes of the events of `chunks` (sorted, distinct; chunk c holds
// events [c * kChunk, min((c + 1) * kChunk, tree_size))), in that order.
//
// PostgreSQL: a batch of chunks per statement, their first events in an
// array (each statement is a round trip, which cost more than reading a
// chunk), and the server hashes the events itself (RFC 9162: SHA-256 of 0x00
// then the event): 32 bytes per event cross the connection, not the event
// in hex. LIMIT keeps the planner from turning the lateral range reads into
// a join over the whole log. SQLite: one range per statement (no round
// trips; its planner scans the table for OR-ed ranges of parameters).
Result<std::vector<std::vector<Sha256Digest>>> ReadChunkLeafHashes(
    store::Connection& db, std::span<const uint64_t> chunks, uint64_t tree_size) {
  static_assert(kChunk == 16, "the LIMIT below");
  const bool postgres = db.dialect() == store::Dialect::kPostgres;
  constexpr size_t kChunksPerPostgresQuery = 256;
  const size_t per_query = postgres ? kChunksPerPostgresQuery : 1;
  auto begin_of = [](uint64_t chunk) { return chunk * kChunk; };
  auto end_of = [&](uint64_t chunk) { return std::min(chunk * kChunk + kChunk, tree_size); };
  std::vector<std::vector<Sha256Digest>> leaves(chunks.size());
  auto complete = [&](size_t i) -> Result<void> {
    if (begin_of(chunks[i]) + leaves[i].size() != end_of(chunks[i])) {
      return Missing(begin_of(chunks[i]) + leaves[i].size());
    }
    return {};
  };
  std::vector<int64_t> firsts;
  for (size_t first = 0; first < chunks.size(); first += per_query) {
    const size_t last = std::min(first + per_query, chunks.size());  // exclusive
    store::Statement* rows = nullptr;
    if (postgres) {
      ASSIGN_OR_RETURN(rows, db.Prepare(
          "SELECT e.sequence, sha256('\\x00'::bytea || e.event) FROM unnest($1::bigint[]) AS "
          "c(first) CROSS JOIN LATERAL (SELECT sequence, event FROM audit_event WHERE sequence "
          ">= c.first AND sequence < c.first + 16 AND sequence < $2 LIMIT 16) e "
          "ORDER BY e.sequence"));
      firsts.clear();
      for (size_t i = first; i < last; ++i) firsts.push_back(static_cast<int64_t>(begin_of(chunks[i])));
      rows->BindText(1, store::PostgresArrayLiteral(firsts))
          .BindInt(2, static_cast<int64_t>(tree_size));
    } else {
      ASSIGN_OR_RETURN(rows, db.Prepare("SELECT sequence, event FROM audit_event WHERE "
                                        "sequence >= $1 AND sequence < $2 ORDER BY sequence"));
      rows->BindInt(1, static_cast<int64_t>(begin_of(chunks[first])))
          .BindInt(2, static_cast<int64_t>(end_of(chunks[first])));
    }
    size_t at = first;  // the chunk being filled
    while (true) {
      ASSIGN_OR_RETURN(bool more, rows->Step());
      if (!more) break;
      const auto sequence = static_cast<uint64_t>(rows->ColumnInt(0));
      while (at < last && end_of(chunks[at]) <= sequence) RETURN_IF_ERROR(complete(at++));
      const uint64_t expected = at < last ? begin_of(chunks[at]) + leaves[at].size() : sequence;
      if (at == last || sequence != expected) return Missing(expected);
      if (postgres) {
        const std::span<const uint8_t> hash = rows->ColumnBlob(1);
        if (hash.size() != sizeof(Sha256Digest)) return Fail(ErrorCode::kInternal, "bad sha256()");
        leaves[at].emplace_back();
        std::copy(hash.begin(), hash.end(), leaves[at].back().begin());
      } else {
        leaves[at].push_back(audit::AuditEventLeafHash(rows->ColumnBlob(1)));
      }
    }
    for (; at < last; ++at) RETURN_IF_ERROR(complete(at));
  }
  return leaves;
}

}  // namespace

BatchInclusionProofs::BatchInclusionProofs(std::unique_ptr<Nodes> nodes)
    : nodes_(std::move(nodes)) {}
BatchInclusionProofs::BatchInclusionProofs(BatchInclusionProofs&&) noexcept = default;
BatchInclusionProofs& BatchInclusionProofs::operator=(BatchInclusionProofs&&) noexcept = default;
BatchInclusionProofs::~BatchInclusionProofs() = default;

Result<BatchInclusionProofs> BatchInclusionProofs::Build(store::Connection& db, uint64_t tree_size,
                                                         std::span<const uint64_t> leaves,
                                                         const Progress& progress,
                                                         const audit::ParallelReading& reading) {
  auto nodes = std::make_unique<Nodes>(tree_size);
  nodes->chosen.assign(leaves.begin(), leaves.end());
  std::sort(nodes->chosen.begin(), nodes->chosen.end());
  nodes->chosen.erase(std::unique(nodes->chosen.begin(), nodes->chosen.end()), nodes->chosen.end());
  if (!nodes->chosen.empty() && nodes->chosen.back() >= tree_size) {
    return Fail(ErrorCode::kInvalidArgument, "event " + std::to_string(nodes->chosen.back()) +
                                                 " is not below tree size " +
                                                 std::to_string(tree_size));
  }
  if (tree_size == 0) {
    nodes->root = audit::MerkleEmptyRoot();
    return BatchInclusionProofs(std::move(nodes));
  }
  ASSIGN_OR_RETURN(bool stored, audit::SubtreesCover(db, tree_size));
  if (!stored) return BuildByScan(db, std::move(nodes), progress);
  // Only the chunks holding a chosen leaf, and the last, partial one (the
  // right edge of the tree); every node above comes from audit_subtree.
  std::vector<uint64_t> chunks;
  for (uint64_t leaf : nodes->chosen) {
    if (chunks.empty() || chunks.back() != leaf / kChunk) chunks.push_back(leaf / kChunk);
  }
  if (tree_size % kChunk != 0 && (chunks.empty() || chunks.back() != tree_size / kChunk)) {
    chunks.push_back(tree_size / kChunk);
  }
  ASSIGN_OR_RETURN(std::vector<std::vector<Sha256Digest>> chunk_leaves,
                   audit::ReadInParts<std::vector<Sha256Digest>>(
                       db, chunks.size(), chunks.size() * kChunk, reading,
                       [&](store::Connection& connection, size_t first, size_t last) {
                         return ReadChunkLeafHashes(
                             connection, std::span(chunks).subspan(first, last - first), tree_size);
                       }));
  std::vector<uint64_t> chosen_offsets;
  auto next_chosen = nodes->chosen.begin();
  for (size_t i = 0; i < chunks.size(); ++i) {
    const uint64_t base = chunks[i] * kChunk, end = std::min(base + kChunk, tree_size);
    chosen_offsets.clear();
    while (next_chosen != nodes->chosen.end() && *next_chosen < end) {
      chosen_offsets.push_back(*next_chosen++ - base);
    }
    nodes->AddChunk(base, std::move(chunk_leaves[i]), chosen_offsets, /*scan=*/false);
  }
  // Which stored nodes the root and the proofs ask for depends on positions
  // only: a first walk records them, they are read in batches (one query per
  // node was ~1 ms per proven event on PostgreSQL), and the second walk
  // computes for real, reading any node still missing one by one.
  std::vector<audit::CompletedSubtree> wanted;
  nodes->RecordWanted(&wanted);
  RETURN_IF_ERROR(nodes->ProveChosen());
  nodes->RecordWanted(nullptr);
  auto position = [](const audit::CompletedSubtree& node) {
    return std::pair(node.level, node.index);
  };
  std::sort(wanted.begin(), wanted.end(),
            [&](const auto& a, const auto& b) { return position(a) < position(b); });
  wanted.erase(
      std::unique(wanted.begin(), wanted.end(),
                  [&](const auto& a, const auto& b) { return position(a) == position(b); }),
      wanted.end());
  // Sorted and distinct (as ReadSubtrees would make them) before they are cut
  // in parts: each connection looks up a range of its own. A node
  // another connection does not find is read on `db` by the second walk.
  ASSIGN_OR_RETURN(std::vector<audit::CompletedSubtree> stored_nodes,
                   audit::ReadInParts<audit::CompletedSubtree>(
                       db, wanted.size(), wanted.size(), reading,
                       [&](store::Connection& connection, size_t first,
                           size_t last) -> Result<std::vector<audit::CompletedSubtree>> {
                         std::vector<audit::CompletedSubtree> found;
                         RETURN_IF_ERROR(audit::ReadSubtrees(
                             connection, std::span(wanted).subspan(first, last - first), found));
                         return found;
                       }));
  nodes->Keep(stored_nodes);
  ASSIGN_OR_RETURN(audit::StoredSubtreeSource source, audit::StoredSubtreeSource::Open(db));
  nodes->ReadStoredFrom(source);
  RETURN_IF_ERROR(nodes->ProveChosen());
  nodes->Seal();
  if (progress) progress(tree_size, tree_size);
  return BatchInclusionProofs(std::move(nodes));
}

// For a log whose audit_subtree table does not cover the tree (not yet
// backfilled): every leaf, once, in one sequential scan.
Result<BatchInclusionProofs> BatchInclusionProofs::BuildByScan(store::Connection& db,
                                                               std::unique_ptr<Nodes> nodes,
                                                               const Progress& progress) {
  const uint64_t tree_size = nodes->Size();
  std::vector<Sha256Digest> chunk;
  chunk.reserve(kChunk);
  std::vector<uint64_t> chosen_offsets;
  auto next_chosen = nodes->chosen.begin();
  uint64_t expected = 0;
  auto flush = [&] {
    const uint64_t base = expected - chunk.size();
    chosen_offsets.clear();
    while (next_chosen != nodes->chosen.end() && *next_chosen < expected) {
      chosen_offsets.push_back(*next_chosen++ - base);
    }
    nodes->AddChunk(base, std::move(chunk), chosen_offsets, /*scan=*/true);
    chunk.clear();
    chunk.reserve(kChunk);
  };
  RETURN_IF_ERROR(audit::ScanEvents(
      db, audit::EventColumns::kEvent, 0, tree_size, [&](store::Statement& row) -> Result<bool> {
        if (static_cast<uint64_t>(row.ColumnInt(0)) != expected) return Missing(expected);
        chunk.push_back(audit::AuditEventLeafHash(row.ColumnBlob(1)));
        ++expected;
        if (chunk.size() == kChunk) {
          flush();
          if (progress && expected % (uint64_t{1} << 16) == 0) progress(expected, tree_size);
        }
        return true;
      }));
  if (expected != tree_size) return Missing(expected);
  if (!chunk.empty()) flush();
  if (progress) progress(expected, tree_size);
  RETURN_IF_ERROR(nodes->MakeProver());  // the scan kept every node
  return BatchInclusionProofs(std::move(nodes));
}

uint64_t BatchInclusionProofs::tree_size() const { return nodes_->Size(); }

const Sha256Digest& BatchInclusionProofs::root() const { return nodes_->root; }

Result<std::vector<Sha256Digest>> BatchInclusionProofs::Prove(uint64_t leaf) const {
  RETURN_IF_ERROR(CheckChosen(nodes_->chosen, leaf));
  return nodes_->prover->Prove(leaf);
}

Result<Sha256Digest> BatchInclusionProofs::LeafHash(uint64_t leaf) const {
  RETURN_IF_ERROR(CheckChosen(nodes_->chosen, leaf));
  return nodes_->LeafHash(leaf);
}

}  // namespace vigie::incident
