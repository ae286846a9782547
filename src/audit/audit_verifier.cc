#include "audit/audit_verifier.h"

#include <map>

#include "audit/audit_event_codec.h"
#include "audit/audit_log.h"
#include "audit/hash_chain.h"
#include "audit/merkle_frontier.h"

namespace vigie::audit {
namespace {

AuditVerifyReport Bad(AuditVerifyReport report, std::string problem,
                      std::optional<uint64_t> event = std::nullopt) {
  report.ok = false;
  report.problem = std::move(problem);
  report.first_bad_event = event;
  return report;
}

std::string At(uint64_t size) { return "the checkpoint at size " + std::to_string(size); }

// Adds to the checkpoints the events are held to (the database's and the
// witness file's): each signed by a known key, agreeing wherever both have one.

std::optional<std::string> AddTrusted(std::span<const Checkpoint> source, std::string_view origin,
                                      const CheckpointKeyLookup& keys,
                                      std::map<uint64_t, Checkpoint>& trusted) {
  for (const Checkpoint& checkpoint : source) {
    std::string where = At(checkpoint.tree_size) + std::string(origin);
    auto key = keys(checkpoint.key_id);
    if (!key) return where + " is signed by unknown key " + std::to_string(checkpoint.key_id);
    if (!CheckpointSignatureValid(checkpoint, *key)) return where + " has an invalid signature";
    auto [it, added] = trusted.emplace(checkpoint.tree_size, checkpoint);
    if (!added &&
        (it->second.root != checkpoint.root || it->second.chain_hash != checkpoint.chain_hash)) {
      return At(checkpoint.tree_size) + " differs between the database and the witness file";
    }
  }
  return std::nullopt;
}

}  // namespace

Result<AuditVerifyReport> VerifyAuditLog(
    store::Connection& db, const CheckpointKeyLookup& keys, std::span<const Checkpoint> witness,
    const std::function<void(uint64_t done, uint64_t total)>& progress) {
  AuditVerifyReport report;
  RETURN_IF_ERROR(db.BeginRead());
  struct EndRead {
    store::Connection& db;
    ~EndRead() { (void)db.Rollback(); }
  } end_read{db};

  ASSIGN_OR_RETURN(std::vector<Checkpoint> stored, ReadCheckpoints(db));
  std::map<uint64_t, Checkpoint> trusted;
  if (auto problem = AddTrusted(stored, "", keys, trusted)) return Bad(report, *problem);
  if (auto problem = AddTrusted(witness, " in the witness file", keys, trusted)) {
    return Bad(report, *problem);
  }
  report.checkpoints = trusted.size();

  ASSIGN_OR_RETURN(store::Statement * count,
                   db.Prepare("SELECT coalesce(max(sequence) + 1, 0) FROM audit_event"));
  ASSIGN_OR_RETURN(bool counted, count->Step());
  const uint64_t total = counted ? static_cast<uint64_t>(count->ColumnInt(0)) : 0;

  ASSIGN_OR_RETURN(store::Statement * row,
                   db.Prepare("SELECT sequence, event, chain_hash FROM audit_event "
                              "ORDER BY sequence"));
  Sha256Digest chain = kGenesisChainHash;
  MerkleFrontier frontier;
  uint64_t verified_up_to = 0;  // events covered by a matching checkpoint
  auto next_checkpoint = trusted.begin();
  while (true) {
    ASSIGN_OR_RETURN(bool more, row->Step());
    if (!more) break;
    const uint64_t expected = report.events;
    const auto sequence = static_cast<uint64_t>(row->ColumnInt(0));
    if (sequence != expected) {
      return Bad(report, "event " + std::to_string(expected) + " is missing", expected);
    }
    std::span<const uint8_t> encoded = row->ColumnBlob(1);
    auto event = DecodeAuditEvent(encoded);
    if (!event) {
      return Bad(
          report,
          "event " + std::to_string(expected) + " does not decode: " + event.error().message(),
          expected);
    }
    if (event->sequence != expected) {
      return Bad(report,
                 "event " + std::to_string(expected) + " holds event " +
                     std::to_string(event->sequence) + " (moved or reordered)",
                 expected);
    }
    chain = ChainHash(chain, encoded);
    std::span<const uint8_t> stored_chain = row->ColumnBlob(2);
    if (!std::equal(stored_chain.begin(), stored_chain.end(), chain.begin(), chain.end())) {
      return Bad(report,
                 "event " + std::to_string(expected) +
                     " does not match its chain hash (the event or the chain was changed)",
                 expected);
    }
    frontier.Append(AuditEventLeafHash(encoded));
    ++report.events;
    report.bytes += encoded.size();
    if (next_checkpoint != trusted.end() && next_checkpoint->first == report.events) {
      const Checkpoint& signed_one = next_checkpoint->second;
      if (frontier.Root() != signed_one.root || chain != signed_one.chain_hash) {
        // Someone rewrote events and recomputed their chain: the signature
        // pins the history, the earlier matching checkpoint bounds the edit.
        return Bad(report,
                   "events " + std::to_string(verified_up_to) + " to " +
                       std::to_string(report.events - 1) + " do not match " +
                       At(signed_one.tree_size) + ": history was rewritten",
                   verified_up_to);
      }
      verified_up_to = report.events;
      ++next_checkpoint;
    }
    if (progress && report.events % 65536 == 0) progress(report.events, total);
  }
  if (progress) progress(report.events, total);
  if (next_checkpoint != trusted.end()) {
    return Bad(report,
               "the log has " + std::to_string(report.events) + " events but " +
                   At(next_checkpoint->first) + " vouches for more: it was truncated",
               report.events);
  }
  return report;
}

}  // namespace vigie::audit
