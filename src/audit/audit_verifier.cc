#include "audit/audit_verifier.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <optional>
#include <string_view>
#include <thread>
#include <tuple>

#include "audit/audit_event_codec.h"
#include "audit/audit_log.h"
#include "audit/event_scan.h"
#include "audit/hash_chain.h"
#include "audit/log_tables.h"
#include "audit/merkle_frontier.h"
#include "audit/person_index_check.h"
#include "audit/subtree_table.h"
#include "audit/verification_batches.h"
#include "crypto/bytes.h"
#include "crypto/random.h"

namespace vigie::audit {
namespace {

using internal::BatchQueue;
using internal::CopiedColumns;
using internal::EventBatch;
using internal::HandedChunk;
using internal::ReadEvent;
using internal::StoredBytes;

AuditVerifyReport Bad(AuditVerifyReport report, std::string problem,
                      std::optional<uint64_t> event = std::nullopt) {
  report.ok = false;
  report.problem = std::move(problem);
  report.first_bad_event = event;
  return report;
}

std::string At(uint64_t size) { return "the checkpoint at size " + std::to_string(size); }

// Adds to the checkpoints the events are held to (the database's, then the
// witness file's and the witness's): each signed by a known key, agreeing
// wherever two have one.

std::optional<std::string> AddTrusted(std::span<const Checkpoint> source, std::string_view origin,
                                      const CheckpointKeyLookup& keys,
                                      std::map<uint64_t, Checkpoint>& trusted) {
  for (const Checkpoint& checkpoint : source) {
    std::string where = At(checkpoint.tree_size) + std::string(origin);
    auto key = keys(checkpoint.key_id);
    if (!key) return where + " is signed by unknown key " + std::to_string(checkpoint.key_id);
    if (!CheckpointSignatureValid(checkpoint, key->public_key)) {
      return where + " has an invalid signature";
    }
    if (key->retired_after && checkpoint.tree_size > *key->retired_after) {
      return where + " is signed by key " + std::to_string(checkpoint.key_id) +
             ", retired after size " + std::to_string(*key->retired_after) +
             ": a forgery with a leaked old key";
    }
    auto [it, added] = trusted.emplace(checkpoint.tree_size, checkpoint);
    if (!added &&
        (it->second.root != checkpoint.root || it->second.chain_hash != checkpoint.chain_hash)) {
      return where + " differs from the database's checkpoint of that size";
    }
  }
  return std::nullopt;
}

// Reading stage: every event in [first, total), in order, and the stored
// subtree rows of each batch (`with_subtrees`); the person index's chunks
// (if checked: `person_index`) are read as the scan passes their segments,
// a row at a time, and tallied here or handed to the chain stage while that
// one keeps up (so whichever stage is the idler takes them). The events'
// hashing is left to the chain stage.
Result<void> ReadEvents(store::Connection& db, uint64_t first, uint64_t total, bool with_subtrees,
                        StoredPersonIndex* person_index, BatchQueue& queue) {
  // A batch ends at 4 096 events or 16 MiB, and a row larger than any event
  // can be is a problem in itself; the chunks handed on with a batch stop at
  // 4 MiB, past which they are tallied here in place: a tampered log's huge
  // rows do not make the verifier hold gigabytes.
  constexpr size_t kBatchEvents = 4096;
  constexpr size_t kBatchBytes = size_t{16} << 20;
  constexpr size_t kHandedChunkBytes = size_t{4} << 20;
  // More batches waiting than this: the chain stage is the slower one.
  constexpr size_t kHandOffWhileWaiting = 2;
  EventBatch batch;
  uint64_t number = first;
  const StoredPersonIndex::HandOff hand_off = [&](uint64_t segment, const PersonChunkView& chunk) {
    if (batch.chunk_bytes.size() + chunk.pairs.size() > kHandedChunkBytes ||
        queue.waiting() > kHandOffWhileWaiting) {
      return false;
    }
    batch.chunks.push_back({.segment = segment,
                            .first_person = chunk.first_person,
                            .last_person = chunk.last_person,
                            .offset = batch.chunk_bytes.size(),
                            .length = chunk.pairs.size()});
    batch.chunk_bytes.insert(batch.chunk_bytes.end(), chunk.pairs.begin(), chunk.pairs.end());
    return true;
  };
  auto push = [&]() -> Result<void> {
    if (with_subtrees) {
      const uint64_t begin = batch.events.front().number;
      RETURN_IF_ERROR(ReadSubtreesCompletedIn(db, begin, number, batch.subtrees));
    }
    queue.Push(std::move(batch));
    batch = queue.Spare();
    if (person_index == nullptr) return Result<void>{};
    return person_index->ReadSegmentsBelow(db, number, hand_off);
  };
  Result<void> scanned = ScanEvents(
      db, EventColumns::kBoundedEventAndChainHash, first, total,
      [&](store::Statement& row) -> Result<bool> {
        ReadEvent read{.number = number};
        const auto sequence = static_cast<uint64_t>(row.ColumnInt(0));
        std::span<const uint8_t> encoded = row.ColumnBlob(1);
        const int64_t length = row.ColumnInt(3);
        if (sequence != number) {
          read.problem = "event " + std::to_string(number) + " is missing";
        } else if (length < 0) {
          read.problem = "event " + std::to_string(number) + " is not stored as bytes";
          encoded = {};
        } else if (length > static_cast<int64_t>(kMaxAuditEventSize)) {
          read.problem = "event " + std::to_string(number) + " holds " + std::to_string(length) +
                         " bytes, more than any event can";
          encoded = {};
        }
        read.offset = batch.bytes.size();
        read.length = encoded.size();
        batch.bytes.insert(batch.bytes.end(), encoded.begin(), encoded.end());
        std::span<const uint8_t> stored_chain = row.ColumnBlob(2);
        read.stored_chain_sized = stored_chain.size() == read.stored_chain.size();
        if (read.stored_chain_sized) {
          std::memcpy(read.stored_chain.data(), stored_chain.data(), stored_chain.size());
        }
        for (int i = 0; i < 5; ++i) {
          if (!row.ColumnIsNull(4 + i)) read.copied.integers[i] = row.ColumnInt(4 + i);
        }
        auto keep = [&](int column, bool text) {
          StoredBytes kept;
          if (row.ColumnIsNull(column)) return kept;
          std::span<const uint8_t> value =
              text ? crypto::AsBytes(row.ColumnText(column)) : row.ColumnBlob(column);
          kept = {.present = true, .offset = batch.bytes.size(), .length = value.size()};
          batch.bytes.insert(batch.bytes.end(), value.begin(), value.end());
          return kept;
        };
        read.copied.source_address = keep(9, /*text=*/true);
        read.copied.terms_hash = keep(10, /*text=*/false);
        read.copied.terms_hash_null = row.ColumnInt(11) != 0;
        const bool stop = !read.problem.empty();
        batch.events.push_back(std::move(read));
        ++number;
        if (batch.events.size() == kBatchEvents || batch.bytes.size() >= kBatchBytes || stop) {
          if (queue.abandoned()) return false;
          RETURN_IF_ERROR(push());
        }
        return !stop;
      });
  RETURN_IF_ERROR(scanned);
  if (!batch.events.empty()) RETURN_IF_ERROR(push());
  if (number < total || person_index == nullptr) return {};  // or stopped at a problem
  // The chunks handed on after the last events.
  if (!batch.chunks.empty()) queue.Push(std::move(batch));
  return person_index->ReadTheRest(db);
}

// The first column copied from `event` that does not hold its value, if any.
std::optional<std::string_view> ChangedCopy(const AuditEvent& event, const CopiedColumns& copied,
                                            const std::vector<uint8_t>& bytes) {
  const std::array<int64_t, 5> expected = {event.time_unix_micros, static_cast<int64_t>(event.type),
                                           event.actor.agent_id, event.actor.unit_id,
                                           event.session_id};
  static constexpr std::array<std::string_view, 5> kNames = {"time_us", "type", "agent_id",
                                                             "unit_id", "session_id"};
  for (size_t i = 0; i < expected.size(); ++i) {
    if (copied.integers[i] != expected[i]) return kNames[i];
  }
  auto view = [&](const StoredBytes& stored) {
    return std::string_view(reinterpret_cast<const char*>(bytes.data()) + stored.offset,
                            stored.length);
  };
  if (!copied.source_address.present || view(copied.source_address) != event.source_address) {
    return "source_address";
  }
  const std::string_view terms(reinterpret_cast<const char*>(event.query.terms_keyed_hash.data()),
                               event.query.terms_keyed_hash.size());
  const bool terms_match = terms.empty()
                               ? copied.terms_hash_null
                               : copied.terms_hash.present && view(copied.terms_hash) == terms;
  if (!terms_match) return "terms_hash";
  return std::nullopt;
}

std::string Subtree(uint32_t level, uint64_t index) {
  const uint64_t first = index << level;
  return "the stored Merkle subtree at level " + std::to_string(level) + " index " +
         std::to_string(index) + " (events " + std::to_string(first) + " to " +
         std::to_string(first + (uint64_t{1} << level) - 1) + ")";
}

// Where the chain stage starts: the empty log, or the state before event
// `size` as stored (unchecked until a signed checkpoint is reached).
struct StartingPoint {
  uint64_t size = 0;
  Sha256Digest chain = kGenesisChainHash;
  MerkleFrontier frontier;
};

// Chain stage: the chain links, the Merkle frontier, the stored subtree
// hashes and the signed checkpoints, strictly in order.
class ChainStage {
 public:
  // `subtrees_present`: the log has the subtree table; `covered_up_to`: the
  // events it is recorded complete for; `beyond`: a row in it that is no
  // subtree of the log (FindSubtreeBeyond).
  ChainStage(const std::map<uint64_t, Checkpoint>& trusted, bool subtrees_present,
             uint64_t covered_up_to, std::optional<CompletedSubtree> beyond,
             AuditVerifyReport report, uint64_t total,
             const std::function<void(uint64_t, uint64_t)>& progress,
             PersonAccessTally& person_accesses, uint64_t person_indexed, StartingPoint start)
      : trusted_(trusted),
        subtrees_present_(subtrees_present),
        covered_up_to_(covered_up_to),
        beyond_(std::move(beyond)),
        report_(std::move(report)),
        total_(total),
        progress_(progress),
        person_accesses_(person_accesses),
        person_indexed_(person_indexed),
        start_(start.size),
        size_(start.size),
        chain_(start.chain),
        frontier_(std::move(start.frontier)),
        verified_up_to_(start.size),
        next_checkpoint_(trusted_.lower_bound(start.size)) {
    report_.first_event = start_;
  }

  // Holds the starting state to a checkpoint of its size, if any. False
  // when it does not match.
  bool Start() { return HoldToCheckpoint(); }

  // False once a problem is found (the rest is not looked at).
  bool Consume(const EventBatch& batch) {
    for (const ReadEvent& read : batch.events) {
      if (!read.problem.empty()) return Stop(read.problem, read.number);
      std::span<const uint8_t> encoded(batch.bytes.data() + read.offset, read.length);
      const Result<AuditEvent> event = DecodeAuditEvent(encoded);
      if (!event) {
        return Stop("event " + std::to_string(read.number) +
                        " does not decode: " + event.error().message(),
                    read.number);
      }
      if (event->sequence != read.number) {
        return Stop("event " + std::to_string(read.number) + " holds event " +
                        std::to_string(event->sequence) + " (moved or reordered)",
                    read.number);
      }
      chain_ = ChainHash(chain_, encoded);
      if (!read.stored_chain_sized || read.stored_chain != chain_) {
        if (!anchored_ && read.number == start_) {
          // The chain hash started from is stored too: it may be the change.
          return Stop("event " + std::to_string(read.number) +
                          " does not match its chain hash (the event, its chain hash, or that of "
                          "event " +
                          std::to_string(read.number - 1) +
                          " the verification starts from was changed: verify in full to locate "
                          "it)",
                      std::nullopt);
        }
        return Stop("event " + std::to_string(read.number) +
                        " does not match its chain hash (the event or the chain was changed)",
                    read.number);
      }
      if (auto changed = ChangedCopy(*event, read.copied, batch.bytes)) {
        return Stop("event " + std::to_string(read.number) + "'s " + std::string(*changed) +
                        " column does not hold the event's value (changed: searches by it "
                        "would miss or misplace the event)",
                    read.number);
      }
      if (read.number < person_indexed_) person_accesses_.AddEvent(*event);
      ++size_;
      completed_.clear();
      frontier_.Append(AuditEventLeafHash(encoded), kStoredSubtreeMinLevel, completed_);
      if (subtrees_present_) {
        // Derived data, but proofs are served from it: recompute and compare.
        for (const CompletedSubtree& subtree : completed_) {
          const Sha256Digest* stored = StoredHash(batch, subtree);
          // Rows below the older lowest level, past the recorded coverage,
          // are not written yet (an older node appended those events).
          const bool optional = subtree.level < kStoredSubtreeMinLevelBeforeV3 &&
                                (subtree.index + 1) << subtree.level > covered_up_to_;
          if (stored == nullptr && optional) continue;
          if (stored == nullptr || *stored != subtree.hash) {
            // The events a matching signed checkpoint covers are proven: the
            // first that may be bad comes after them.
            return Stop(Subtree(subtree.level, subtree.index) +
                            (stored ? " does not match its events (the row or one of those "
                                      "events was changed)"
                                    : " is missing"),
                        std::max(subtree.index << subtree.level, verified_up_to_));
          }
        }
      }
      ++report_.events;
      report_.bytes += encoded.size();
      if (!HoldToCheckpoint()) return false;
      if (progress_ && size_ % 65536 == 0) progress_(size_, total_);
    }
    return true;
  }

  // `tip`: the stored tip, read in the same snapshot as the events.
  AuditVerifyReport Finish(const Tip& tip) {
    if (!report_.ok) return report_;
    if (progress_) progress_(size_, total_);
    // Truncation first: it also leaves the lost events' subtree rows behind.
    if (next_checkpoint_ != trusted_.end()) {
      return Bad(report_,
                 "the log has " + std::to_string(size_) + " events but " +
                     At(next_checkpoint_->first) + " vouches for more: it was truncated",
                 size_);
    }
    if (const auto& extra = beyond_) {
      return Bad(report_,
                 Subtree(extra->level, extra->index) + " is not a stored subtree of the log's " +
                     std::to_string(size_) + " events",
                 std::nullopt);
    }
    // What the next append extends: events cut or rewritten under a tip left
    // as it was (or a tip rewritten) would pass here, and then every writer
    // opening the log would refuse it (CheckTipMatchesLastEvents).
    const uint64_t tip_size = tip.frontier.size();
    if (tip_size != size_ || tip.chain_hash != chain_ ||
        (tip_size > 0 && tip.frontier.Root() != frontier_.Root())) {
      return Bad(
          report_,
          "the log's tip (" + std::to_string(tip_size) + " events) does not match its events (" +
              std::to_string(size_) + "): its end was cut, extended or rewritten",
          tip_size != size_ ? std::optional<uint64_t>(std::min(tip_size, size_)) : std::nullopt);
    }
    report_.signed_events = verified_up_to_;
    return report_;
  }

 private:
  static const Sha256Digest* StoredHash(const EventBatch& batch, const CompletedSubtree& subtree) {
    auto it = std::lower_bound(batch.subtrees.begin(), batch.subtrees.end(), subtree,
                               [](const CompletedSubtree& a, const CompletedSubtree& b) {
                                 return std::tie(a.level, a.index) < std::tie(b.level, b.index);
                               });
    if (it == batch.subtrees.end() || it->level != subtree.level || it->index != subtree.index) {
      return nullptr;
    }
    return &it->hash;
  }

  // At a trusted checkpoint's size, the recomputed root and chain hash must
  // be the signed ones. False when they are not.
  bool HoldToCheckpoint() {
    if (next_checkpoint_ == trusted_.end() || next_checkpoint_->first != size_) return true;
    const Checkpoint& signed_one = next_checkpoint_->second;
    if (frontier_.Root() != signed_one.root || chain_ != signed_one.chain_hash) {
      if (!anchored_) {
        // Not yet anchored: the stored state started from may be the change.
        return Stop("the stored Merkle subtrees and chain hash before event " +
                        std::to_string(start_) +
                        (size_ > start_ ? ", or events " + std::to_string(start_) + " to " +
                                              std::to_string(size_ - 1) + ","
                                        : std::string()) +
                        " do not match " + At(signed_one.tree_size) +
                        ": history was rewritten (verify in full to locate it)",
                    std::nullopt);
      }
      // Someone rewrote events and recomputed their chain: the signature
      // pins the history, the earlier matching checkpoint bounds the edit.
      return Stop("events " + std::to_string(verified_up_to_) + " to " + std::to_string(size_ - 1) +
                      " do not match " + At(signed_one.tree_size) + ": history was rewritten",
                  verified_up_to_);
    }
    verified_up_to_ = size_;
    anchored_ = true;
    ++next_checkpoint_;
    return true;
  }

  bool Stop(std::string problem, std::optional<uint64_t> event) {
    report_ = Bad(report_, std::move(problem), event);
    return false;
  }

  const std::map<uint64_t, Checkpoint>& trusted_;
  const bool subtrees_present_;
  const uint64_t covered_up_to_;
  const std::optional<CompletedSubtree> beyond_;
  std::vector<CompletedSubtree> completed_;
  AuditVerifyReport report_;
  const uint64_t total_;
  const std::function<void(uint64_t, uint64_t)>& progress_;
  PersonAccessTally& person_accesses_;  // of the events the person index covers
  const uint64_t person_indexed_;
  const uint64_t start_;  // the first event read
  uint64_t size_;         // the events behind chain_ and frontier_
  Sha256Digest chain_;
  MerkleFrontier frontier_;
  uint64_t verified_up_to_;      // events covered by a matching checkpoint
  bool anchored_ = start_ == 0;  // the state started from is the events'
  std::map<uint64_t, Checkpoint>::const_iterator next_checkpoint_;
};

}  // namespace

CheckpointKeyLookup CheckpointKeysOf(const crypto::Keyring& keyring) {
  return [&keyring](uint32_t id) -> std::optional<CheckpointKey> {
    auto key = keyring.ById(id);
    if (!key || (*key)->purpose != crypto::kPurposeAuditSigning) return std::nullopt;
    return CheckpointKey(crypto::Ed25519KeyPair::FromSeed((*key)->bytes()).public_key(),
                         (*key)->retired_after);
  };
}

std::optional<uint64_t> RetiredSigningFloor(const crypto::Keyring& keyring) {
  std::optional<uint64_t> floor;
  for (const crypto::DataKey& key : keyring.data_keys()) {
    if (key.purpose == crypto::kPurposeAuditSigning && key.retired_after) {
      floor = std::max(floor.value_or(0), *key.retired_after);
    }
  }
  return floor;
}

namespace {

// "no signed checkpoint at tree size N (the nearest: A and B)".
Error NoCheckpointAt(uint64_t size, const std::map<uint64_t, Checkpoint>& trusted) {
  std::string nearest;
  auto after = trusted.lower_bound(size);
  if (after != trusted.begin()) nearest = std::to_string(std::prev(after)->first);
  if (after != trusted.end()) {
    nearest += (nearest.empty() ? "" : " and ") + std::to_string(after->first);
  }
  return Error(ErrorCode::kNotFound,
               "no signed checkpoint at tree size " + std::to_string(size) +
                   (nearest.empty() ? " (there is none)" : " (the nearest: " + nearest + ")"));
}

// The state before event `size` as stored: the Merkle frontier from the
// subtree rows (every piece of 2^level leaves or more: `size` is a multiple
// of 2^level) and the chain hash of event size - 1. DataLoss when a row is
// missing or malformed.
Result<StartingPoint> StoredStateBefore(store::Connection& db, uint64_t size, uint32_t level) {
  StartingPoint start{.size = size};
  if (size == 0) return start;
  std::vector<Sha256Digest> nodes;
  uint64_t first = 0;  // of the next piece, largest first
  for (uint32_t piece = 64; piece-- > level;) {
    if ((size >> piece & 1) == 0) continue;
    ASSIGN_OR_RETURN(std::optional<Sha256Digest> hash, ReadSubtree(db, piece, first >> piece));
    if (!hash) {
      return Fail(ErrorCode::kDataLoss, Subtree(piece, first >> piece) +
                                            ", which verifying from size " + std::to_string(size) +
                                            " starts from, is missing");
    }
    nodes.push_back(*hash);
    first += uint64_t{1} << piece;
  }
  ASSIGN_OR_RETURN(start.frontier, MerkleFrontier::FromNodes(size, std::move(nodes)));
  bool found = false;
  RETURN_IF_ERROR(ScanEvents(db, EventColumns::kBoundedEventAndChainHash, size - 1, size,
                             [&](store::Statement& row) -> Result<bool> {
                               std::span<const uint8_t> chain = row.ColumnBlob(2);
                               found = chain.size() == start.chain.size();
                               if (found)
                                 std::memcpy(start.chain.data(), chain.data(), chain.size());
                               return false;
                             }));
  if (!found) {
    return Fail(ErrorCode::kDataLoss,
                "event " + std::to_string(size - 1) + ", whose chain hash verifying from size " +
                    std::to_string(size) + " starts from, is missing or malformed");
  }
  return start;
}

Result<AuditVerifyReport> VerifyStored(
    store::Connection& db, const CheckpointKeyLookup& keys, std::span<const Checkpoint> witness,
    const std::function<void(uint64_t done, uint64_t total)>& progress,
    std::span<const Checkpoint> countersigned, std::optional<uint64_t> retired_floor,
    std::optional<uint64_t> from_checkpoint) {
  AuditVerifyReport report;
  RETURN_IF_ERROR(db.BeginRead());
  struct EndRead {
    store::Connection& db;
    ~EndRead() { (void)db.Rollback(); }
  } end_read{db};

  ASSIGN_OR_RETURN(std::vector<Checkpoint> stored, ReadCheckpoints(db));
  ASSIGN_OR_RETURN(const Tip tip, ReadTip(db));
  std::map<uint64_t, Checkpoint> trusted;
  if (auto problem = AddTrusted(stored, "", keys, trusted)) return Bad(report, *problem);
  if (auto problem = AddTrusted(witness, " in the witness file", keys, trusted)) {
    return Bad(report, *problem);
  }
  if (auto problem = AddTrusted(countersigned, " countersigned by the witness", keys, trusted)) {
    return Bad(report, *problem);
  }
  report.checkpoints = trusted.size();
  if (from_checkpoint && !trusted.contains(*from_checkpoint)) {
    return Fail(NoCheckpointAt(*from_checkpoint, trusted));
  }

  // The scan below starts at 0: a row numbered below it, or where the
  // size would overflow, is named rather than counted.
  ASSIGN_OR_RETURN(store::Statement * lowest,
                   db.Prepare("SELECT coalesce(min(sequence), 0) FROM audit_event"));
  ASSIGN_OR_RETURN(bool any, lowest->Step());
  const int64_t lowest_sequence = any ? lowest->ColumnInt(0) : 0;
  RETURN_IF_ERROR(lowest->Run());
  if (lowest_sequence < 0) {
    return Bad(report, "a stored event has sequence " + std::to_string(lowest_sequence) +
                           ", which no event of the log has (it was inserted)");
  }
  Result<uint64_t> event_count = StoredEventCount(db);
  if (!event_count && event_count.error().code() == ErrorCode::kDataLoss) {
    return Bad(report, event_count.error().message());
  }
  RETURN_IF_ERROR(event_count);
  const uint64_t total = *event_count;
  // A key was retired only once a newer one had signed beyond its last size:
  // a log that ends there lost what came after (its end cut, its tip
  // rewritten), whether or not the retired key's checkpoints were kept.
  for (const auto& [size, checkpoint] : trusted) {
    auto key = keys(checkpoint.key_id);
    if (key && key->retired_after)
      retired_floor = std::max(retired_floor.value_or(0), *key->retired_after);
  }
  if (retired_floor && total <= *retired_floor) {
    return Bad(report, "the log ends at size " + std::to_string(total) +
                           ", but a signing key was retired after size " +
                           std::to_string(*retired_floor) +
                           " once a newer key had signed more: its end was removed");
  }
  ASSIGN_OR_RETURN(bool subtrees_present, HasSubtreeTable(db));
  std::optional<CompletedSubtree> beyond;
  uint64_t covered_up_to = 0;
  if (subtrees_present) {
    ASSIGN_OR_RETURN(beyond, FindSubtreeBeyond(db, total));
    ASSIGN_OR_RETURN(covered_up_to, SubtreesCoveredUpTo(db));
  }
  StartingPoint start;
  if (from_checkpoint) {
    if (!subtrees_present) {
      return Fail(ErrorCode::kConflict,
                  "this log has no stored subtrees yet (written by an older version, not opened "
                  "since): verify it in full");
    }
    if (*from_checkpoint > total) {
      return Bad(report,
                 "the log has " + std::to_string(total) + " events but " + At(*from_checkpoint) +
                     " vouches for more: it was truncated",
                 total);
    }
    // The lower stored levels may be missing past the recorded coverage
    // (kStoredSubtreeMinLevelBeforeV3): then start lower still.
    const uint32_t level =
        *from_checkpoint <= covered_up_to ? kStoredSubtreeMinLevel : kStoredSubtreeMinLevelBeforeV3;
    const uint64_t first = *from_checkpoint >> level << level;
    ASSIGN_OR_RETURN(start, StoredStateBefore(db, first, level));
  }

  // The person index is tallied on both sides under a key of this run's own
  // (person_index_check.h).
  std::array<uint8_t, crypto::SearchKeyHasher::kKeySize> tally_key;
  crypto::SystemRandom().Fill(tally_key);
  const crypto::SearchKeyHasher tally_hasher(tally_key);
  // From a checkpoint, the index is not checked: its digests span the log.
  std::optional<StoredPersonIndex> person_index;
  if (!from_checkpoint) {
    Result<StoredPersonIndex> opened = StoredPersonIndex::Open(db, tally_hasher, total);
    RETURN_IF_ERROR(opened);
    person_index.emplace(std::move(*opened));
  }
  PersonAccessTally person_accesses(tally_hasher);

  // Two stages on two cores: this thread reads, and tallies the stored person
  // index's chunks it does not hand on; the chain stage decodes, hashes,
  // links the chain and grows the Merkle frontier, in order, and tallies the
  // chunks handed to it.
  BatchQueue queue;
  const uint64_t first = start.size;
  ChainStage chain_stage(trusted, subtrees_present, covered_up_to, std::move(beyond), report, total,
                         progress, person_accesses, person_index ? person_index->indexed() : 0,
                         std::move(start));
  if (!chain_stage.Start()) return chain_stage.Finish(tip);
  ChunkTally handed_chunks =
      person_index ? person_index->HandedTally() : ChunkTally(tally_hasher, 0);
  std::thread chain_thread([&] {
    while (std::optional<EventBatch> batch = queue.Pop()) {
      if (!chain_stage.Consume(*batch)) queue.Abandon();
      for (const HandedChunk& chunk : batch->chunks) {
        handed_chunks.Add(chunk.segment,
                          {chunk.first_person, chunk.last_person,
                           std::span(batch->chunk_bytes).subspan(chunk.offset, chunk.length)});
      }
      queue.GiveBack(std::move(*batch));
    }
  });
  Result<void> read = ReadEvents(db, first, total, subtrees_present,
                                 person_index ? &*person_index : nullptr, queue);
  queue.Close();
  chain_thread.join();
  RETURN_IF_ERROR(read);
  report = chain_stage.Finish(tip);
  if (!report.ok || !person_index) return report;
  person_index->Absorb(handed_chunks);
  // The events are whole: now whether the index built from them is.
  if (const auto& problem = person_index->problem()) return Bad(report, *problem);
  if (auto differs = PersonAccessTally::FirstDifference(person_accesses, person_index->tally())) {
    ASSIGN_OR_RETURN(
        std::string problem,
        person_index->DescribeDifference(db, *differs, *differs + PersonAccessTally::kRangeEvents));
    return Bad(report, std::move(problem));
  }
  report.person_indexed_events = person_index->indexed();
  return report;
}

}  // namespace

Result<AuditVerifyReport> VerifyAuditLog(
    store::Connection& db, const CheckpointKeyLookup& keys, std::span<const Checkpoint> witness,
    const std::function<void(uint64_t done, uint64_t total)>& progress,
    std::span<const Checkpoint> countersigned, std::optional<uint64_t> retired_floor,
    std::optional<uint64_t> from_checkpoint) {
  Result<AuditVerifyReport> report =
      VerifyStored(db, keys, witness, progress, countersigned, retired_floor, from_checkpoint);
  // A row the log could not have written (a hash of the wrong size) is
  // tampering to report, not a failure to verify.
  if (!report && report.error().code() == ErrorCode::kDataLoss) {
    return Bad(AuditVerifyReport{}, report.error().message());
  }
  return report;
}

}  // namespace vigie::audit
