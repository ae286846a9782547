// `vigie audit verify`: the whole log (or what follows a checkpoint) against its
// signed checkpoints and the witness file. `vigie audit prove`: RFC 9162 inclusion
// and consistency proofs anyone can check without Vigie (tools/audit-proof-check).

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>

#include "audit/audit.h"
#include "cli/commands.h"
#include "cli/installation.h"
#include "cli/operator_read.h"
#include "cli/progress.h"
#include "cli/witness_evidence.h"
#include "witness/checkpoint_publisher.h"

namespace vigie::cli {
namespace {

boost::json::array HexList(const std::vector<audit::Sha256Digest>& hashes) {
  boost::json::array list;
  for (const auto& hash : hashes) list.emplace_back(crypto::HexEncode(hash));
  return list;
}

// The proof for options.event, in the tree of the checkpoint that first
// covers it (so its root is signed), or of the whole log when none does yet.
Result<boost::json::object> InclusionJson(store::Connection& db, const crypto::Keyring& keyring,
                                          const AuditProveOptions& options) {
  ASSIGN_OR_RETURN(audit::StoredSubtreeSource leaves, audit::StoredSubtreeSource::Open(db));
  ASSIGN_OR_RETURN(std::vector<audit::Checkpoint> checkpoints, audit::ReadCheckpoints(db));
  const uint64_t index = *options.event;
  if (index >= leaves.Size()) {
    return Fail(ErrorCode::kNotFound, "the audit log has no event " + std::to_string(index));
  }
  std::optional<audit::Checkpoint> signed_root;
  for (const audit::Checkpoint& checkpoint : checkpoints) {
    if (checkpoint.tree_size > index) {
      signed_root = checkpoint;
      break;
    }
  }
  const uint64_t tree_size = signed_root ? signed_root->tree_size : leaves.Size();
  ASSIGN_OR_RETURN(std::vector<uint8_t> event, leaves.Event(index));
  ASSIGN_OR_RETURN(auto proof, audit::InclusionProof(leaves, index, tree_size));
  ASSIGN_OR_RETURN(audit::Sha256Digest root, audit::MerkleRootAt(leaves, tree_size));
  boost::json::object out{{"index", index},
                          {"tree_size", tree_size},
                          {"event", crypto::HexEncode(event)},
                          {"leaf_hash", crypto::HexEncode(audit::AuditEventLeafHash(event))},
                          {"inclusion_proof", HexList(proof)},
                          {"root", crypto::HexEncode(root)}};
  if (signed_root) {
    boost::json::object checkpoint =
        boost::json::parse(audit::WitnessLine(*signed_root)).as_object();
    // A convenience: an auditor checks against the key they were given.
    if (auto key = keyring.ById(signed_root->key_id);
        key && (*key)->purpose == crypto::kPurposeAuditSigning) {
      checkpoint["public_key"] =
          crypto::HexEncode(crypto::Ed25519KeyPair::FromSeed((*key)->bytes()).public_key());
    }
    out["checkpoint"] = std::move(checkpoint);
  }
  return out;
}

Result<boost::json::object> ConsistencyJson(store::Connection& db,
                                            const AuditProveOptions& options) {
  ASSIGN_OR_RETURN(audit::StoredSubtreeSource leaves, audit::StoredSubtreeSource::Open(db));
  const uint64_t old_size = *options.from, new_size = options.to.value_or(leaves.Size());
  ASSIGN_OR_RETURN(auto proof, audit::ConsistencyProof(leaves, old_size, new_size));
  ASSIGN_OR_RETURN(audit::Sha256Digest old_root, audit::MerkleRootAt(leaves, old_size));
  ASSIGN_OR_RETURN(audit::Sha256Digest new_root, audit::MerkleRootAt(leaves, new_size));
  return boost::json::object{{"old_size", old_size},
                             {"new_size", new_size},
                             {"old_root", crypto::HexEncode(old_root)},
                             {"new_root", crypto::HexEncode(new_root)},
                             {"consistency_proof", HexList(proof)}};
}

}  // namespace

int RunAuditProve(const std::filesystem::path& data_dir, const AuditProveOptions& options) {
  if (options.event.has_value() == options.from.has_value()) {
    return ReportError(Error(ErrorCode::kInvalidArgument,
                             "give either --event (inclusion) or --from (consistency)"));
  }
  auto installation = Installation::Open(data_dir);
  if (!installation) return ReportError(installation.error());
  auto db = store::Open(installation->AuditDatabaseUrl(), {.read_only = true});
  if (!db) return ReportError(db.error().WithContext("audit log"));
  if (auto read = (*db)->BeginRead(); !read) return ReportError(read.error());
  auto proof = options.event ? InclusionJson(**db, installation->keyring, options)
                             : ConsistencyJson(**db, options);
  (void)(*db)->Rollback();
  if (!proof) return ReportError(proof.error());
  // An inclusion proof prints the event whole: the read is recorded first.
  if (options.event) {
    SystemClock clock;
    if (auto recorded = RecordOperatorRead(*installation, clock,
                                           "audit prove: event " + std::to_string(*options.event));
        !recorded) {
      return ReportError(recorded.error());
    }
  }
  std::printf("%s\n", boost::json::serialize(*proof).c_str());
  return 0;
}

int RunAuditVerify(const std::filesystem::path& data_dir, const AuditVerifyOptions& options) {
  auto installation = Installation::Open(data_dir);
  if (!installation) return ReportError(installation.error());
  const Config& config = installation->config;
  std::filesystem::path witness_file = options.witness_file;
  if (witness_file.empty() && !config.audit.witness_file.empty()) {
    witness_file = config.Resolve(config.audit.witness_file);
  }
  std::vector<audit::Checkpoint> witness;
  if (!witness_file.empty()) {
    auto read = ReadWitnessFile(witness_file, !options.witness_file.empty());
    if (!read) return ReportError(read.error());
    witness = std::move(*read);
  }
  auto countersigned = GatherCountersigned(*installation);
  if (!countersigned) return ReportError(countersigned.error());
  auto db = store::Open(installation->AuditDatabaseUrl(),
                        {.busy_timeout_ms = config.store.busy_timeout_ms, .read_only = true});
  if (!db) return ReportError(db.error().WithContext("audit log"));

  const audit::CheckpointKeyLookup key_by_id = audit::CheckpointKeysOf(installation->keyring);
  ProgressLine progress("verifying");
  const auto started = std::chrono::steady_clock::now();
  auto report = audit::VerifyAuditLog(
      **db, key_by_id, witness,
      [&](uint64_t done, uint64_t total) { progress.Update(done, total, "events"); },
      countersigned->checkpoints, audit::RetiredSigningFloor(installation->keyring),
      options.from_checkpoint);
  progress.Finish();
  if (!report) return ReportError(report.error());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  if (options.json) {
    boost::json::object out{{"ok", report->ok},
                            {"events", report->events},
                            {"first_event", report->first_event},
                            {"bytes", report->bytes},
                            {"checkpoints", report->checkpoints},
                            {"person_indexed_events", report->person_indexed_events},
                            {"signed_events", report->signed_events},
                            {"witness_checkpoints", witness.size()},
                            {"cosigned_checkpoints", countersigned->in_file},
                            {"cosigned_size", countersigned->largest_size},
                            {"witness_consulted", countersigned->witness_consulted},
                            {"seconds", seconds}};
    if (options.from_checkpoint) out["from_checkpoint"] = *options.from_checkpoint;
    if (!report->ok) out["problem"] = report->problem;
    if (report->first_bad_event) out["first_bad_event"] = *report->first_bad_event;
    std::printf("%s\n", boost::json::serialize(out).c_str());
  } else if (report->ok) {
    if (options.from_checkpoint) {
      std::printf("audit log verified from the checkpoint at size %llu: events %llu on",
                  static_cast<unsigned long long>(*options.from_checkpoint),
                  static_cast<unsigned long long>(report->first_event));
    } else {
      std::printf("audit log verified: %llu events",
                  static_cast<unsigned long long>(report->events));
    }
    std::printf(", %llu checkpoints (%zu in the witness file",
                static_cast<unsigned long long>(report->checkpoints), witness.size());
    if (countersigned->largest_size > 0) {
      std::printf("; countersigned by the witness up to tree size %llu",
                  static_cast<unsigned long long>(countersigned->largest_size));
    }
    if (options.from_checkpoint) {
      std::printf("), person index left to a full verification, %.2f s\n", seconds);
    } else {
      std::printf("), person index checked for %llu events, %.2f s\n",
                  static_cast<unsigned long long>(report->person_indexed_events), seconds);
    }
    // Vouched for by the chain and the tip only: a witness (or the next
    // checkpoint) is what pins them against a rewrite of the whole tail.
    const uint64_t size = report->first_event + report->events;
    if (report->signed_events < size) {
      std::printf("the last %llu events (from %llu) are not yet signed by a checkpoint\n",
                  static_cast<unsigned long long>(size - report->signed_events),
                  static_cast<unsigned long long>(report->signed_events));
    }
    if (report->signed_events > 0) {
      std::printf("to verify only what comes next: --from %llu\n",
                  static_cast<unsigned long long>(report->signed_events));
    }
  } else {
    std::printf("AUDIT LOG DOES NOT VERIFY: %s\n", report->problem.c_str());
    if (report->first_bad_event) {
      std::printf("first bad event: %llu\n",
                  static_cast<unsigned long long>(*report->first_bad_event));
    }
  }
  return report->ok ? 0 : ExitCodeFor(ErrorCode::kDataLoss);
}

}  // namespace vigie::cli
