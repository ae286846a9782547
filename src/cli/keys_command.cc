// `vigie keys list|rotate|activate|retire`: rotating the data and signing
// keys without downtime (docs/operations.md, "Rotating keys"). In two steps,
// so that no node ever meets data sealed under a key it does not hold:
//   rotate:   new keys are added staged - every node that loads the file can
//             read with them, none writes with them yet;
//   activate: once every node has the file (a rolling restart), the staged
//             keys become current; old keys stay, so old data stays readable
//             and old checkpoints verifiable.
// Then, once the new signing key has signed a checkpoint:
//   retire:   an old signing key is held to the largest tree size it signed,
//             so that, leaked later, it cannot sign a rewritten or extended
//             log that verification or the witness would accept.

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <map>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "audit/audit_log.h"
#include "audit/audit_verifier.h"
#include "audit/checkpoint.h"
#include "cli/commands.h"
#include "cli/installation.h"
#include "cli/operator_read.h"
#include "crypto/hash.h"
#include "crypto/signing.h"
#include "identity/options.h"
#include "store/store.h"
#include "witness/checkpoint_publisher.h"
#include "witness/witness.h"

namespace vigie::cli {
namespace {

// What `rotate` renews. Not "search-index": its key makes every blind-index
// posting, so a new one means rebuilding the index from every record. Not
// "audit-terms": its keyed hash is how "who searched for this name" finds
// events, and events do not name the key their hash was made with.
constexpr std::string_view kRotated[] = {crypto::kPurposeRecords, identity::kPurposeTotpSeeds,
                                         crypto::kPurposeAuditSigning};

std::string_view StateOf(const crypto::Keyring& keyring, const crypto::DataKey& key) {
  if (key.staged) return "staged";
  if (key.retired_after) return "retired";
  auto current = keyring.Current(key.purpose);
  return current && (*current)->id == key.id ? "current" : "previous";
}

}  // namespace

int RunKeysList(const std::filesystem::path& data_dir) {
  auto installation = Installation::Open(data_dir);
  if (!installation) return ReportError(installation.error());
  const crypto::Keyring& keyring = installation->keyring;
  for (const crypto::DataKey& key : keyring.data_keys()) {
    std::printf("%-4u %-14s %s", key.id, key.purpose.c_str(), StateOf(keyring, key).data());
    if (key.retired_after) {
      std::printf(" (retired after tree size %llu)",
                  static_cast<unsigned long long>(*key.retired_after));
    }
    if (key.purpose == crypto::kPurposeAuditSigning) {
      // The public half, for the witness's list of log keys.
      std::printf("  %s", crypto::HexEncode(
                              crypto::Ed25519KeyPair::FromSeed(key.bytes()).public_key())
                              .c_str());
    }
    std::printf("\n");
  }
  return 0;
}

int RunKeysRotate(const std::filesystem::path& data_dir) {
  auto installation = Installation::OpenToChangeKeys(data_dir);
  if (!installation) return ReportError(installation.error());
  crypto::Keyring& keyring = installation->keyring;
  for (const crypto::DataKey& key : keyring.data_keys()) {
    if (key.staged) {
      return ReportError(Error(ErrorCode::kConflict,
                               "a rotation is already under way (key " + std::to_string(key.id) +
                                   " is staged): finish it with `vigie keys activate`"));
    }
  }
  // Staged in memory first, so a refusal (a full keyring) logs nothing; in
  // the log before the key file changes (no event, no rotation).
  crypto::SystemRandom random;
  std::vector<std::pair<uint32_t, std::string_view>> staged;
  for (std::string_view purpose : kRotated) {
    auto id = keyring.StageDataKey(purpose, random);
    if (!id) return ReportError(id.error());
    staged.emplace_back(*id, purpose);
  }
  SystemClock clock;
  if (auto recorded = RecordOperatorCommand(
          *installation, clock,
          "keys rotate: new keys staged for " + std::to_string(std::size(kRotated)) + " purposes");
      !recorded) {
    return ReportError(recorded.error());
  }
  const auto key_file = installation->config.Resolve(installation->config.crypto.key_file);
  if (auto saved = keyring.Save(key_file); !saved) return ReportError(saved.error());
  // Only once they are in the key file: ids printed before a failed save
  // would name keys that exist nowhere.
  std::printf("Staged new keys (readable now, written with after `vigie keys activate`):\n");
  for (const auto& [id, purpose] : staged) {
    std::printf("  %-4u %s\n", id, std::string(purpose).c_str());
  }
  std::printf(
      "Next:\n"
      "  1. copy %s to every node (securely) and restart them one at a time;\n"
      "  2. give the witness the lines of `vigie audit public-keys` (its log-keys.txt) and\n"
      "     restart it;\n"
      "  3. run `vigie keys activate` here, copy the file again, restart one at a time;\n"
      "  4. once the new signing key has signed a checkpoint, `vigie keys retire <old id>`.\n",
      key_file.c_str());
  return 0;
}

namespace {

// Security: the witness refuses a checkpoint signed by a key it does not
// list, so a staged signing key it does not know would, once active, have
// the log's every checkpoint refused. Checked against the witness itself
// (its log-keys.txt as it read it at start) when one is configured.
Result<void> CheckWitnessKnowsStagedKeys(const Installation& installation) {
  auto options = installation.WitnessPublisherOptions();
  if (!options || options->witness_url.empty()) return {};
  auto known = witness::FetchWitnessLogKeys(*options);
  if (!known) {
    // Not the configured witness (DataLoss) stays what it is; anything else
    // (a bad URL, a time-out) is a witness that cannot be asked.
    const ErrorCode code = known.error().code() == ErrorCode::kDataLoss ? ErrorCode::kDataLoss
                                                                        : ErrorCode::kUnavailable;
    return Fail(code,
                "cannot ask the witness which signing keys it knows (--without-witness-check "
                "to activate all the same): " +
                    known.error().message());
  }
  for (const crypto::DataKey& key : installation.keyring.data_keys()) {
    if (!key.staged || key.purpose != crypto::kPurposeAuditSigning) continue;
    const crypto::Ed25519PublicKey public_key =
        crypto::Ed25519KeyPair::FromSeed(key.bytes()).public_key();
    const bool listed = std::ranges::any_of(*known, [&](const witness::LogKey& listed_key) {
      return listed_key.key_id == key.id && listed_key.public_key == public_key &&
             !listed_key.retired_after;
    });
    if (!listed) {
      return Fail(ErrorCode::kConflict,
                  "the witness at " + options->witness_url + " does not know staged signing key " +
                      std::to_string(key.id) +
                      ": add `vigie audit public-keys`'s lines to its log-keys.txt, restart it, "
                      "then activate");
    }
  }
  return {};
}

}  // namespace

int RunKeysActivate(const std::filesystem::path& data_dir, bool check_witness) {
  auto installation = Installation::OpenToChangeKeys(data_dir);
  if (!installation) return ReportError(installation.error());
  crypto::Keyring& keyring = installation->keyring;
  const auto staged = std::ranges::count_if(keyring.data_keys(),
                                            [](const crypto::DataKey& key) { return key.staged; });
  if (staged == 0) {
    return ReportError(
        Error(ErrorCode::kNotFound, "no staged key: start a rotation with `vigie keys rotate`"));
  }
  if (check_witness) {
    if (auto known = CheckWitnessKnowsStagedKeys(*installation); !known) {
      return ReportError(known.error());
    }
  }
  // In the log before the key file changes, and before the signing key in
  // memory does: the checkpoint closing the log is signed with the key the
  // witness already knows.
  SystemClock clock;
  if (auto recorded = RecordOperatorCommand(
          *installation, clock, "keys activate: " + std::to_string(staged) + " staged keys");
      !recorded) {
    return ReportError(recorded.error());
  }
  const size_t activated = keyring.ActivateStagedKeys();
  const auto key_file = installation->config.Resolve(installation->config.crypto.key_file);
  if (auto saved = keyring.Save(key_file); !saved) return ReportError(saved.error());
  std::printf(
      "%zu keys are now current. Copy %s to every node and restart them one at a time;\n"
      "until a node restarts it keeps writing with the previous keys, which every node reads.\n",
      activated, key_file.c_str());
  return 0;
}

namespace {

// The largest tree size `key_id` signed, once a newer key has signed beyond
// it. Conflict while `key_id` still signs the log's latest checkpoint (a node
// not yet restarted with the activated keys, or no checkpoint since).
Result<uint64_t> LastSizeSignedBy(const Installation& installation, uint32_t key_id) {
  ASSIGN_OR_RETURN(auto db,
                   store::Open(installation.AuditDatabaseUrl(),
                               {.busy_timeout_ms = installation.config.store.busy_timeout_ms,
                                .read_only = true}));
  ASSIGN_OR_RETURN(std::vector<audit::Checkpoint> stored, audit::ReadCheckpoints(*db));
  // Security: only checkpoints whose signature holds count: a row planted
  // with a junk signature by whoever can write the database would otherwise
  // set a bound that retires nothing (a huge size "by" the old key).
  // The keys as verification finds them, each derived once.
  const audit::CheckpointKeyLookup key_by_id = audit::CheckpointKeysOf(installation.keyring);
  std::map<uint32_t, std::optional<audit::CheckpointKey>> keys;
  std::vector<audit::Checkpoint> checkpoints;
  size_t ignored = 0;
  for (audit::Checkpoint& checkpoint : stored) {
    auto [key, first_seen] = keys.try_emplace(checkpoint.key_id);
    if (first_seen) key->second = key_by_id(checkpoint.key_id);
    if (key->second && audit::CheckpointSignatureValid(checkpoint, key->second->public_key)) {
      checkpoints.push_back(std::move(checkpoint));
    } else {
      ++ignored;
    }
  }
  if (ignored > 0) {
    std::fprintf(stderr,
                 "vigie: warning: %zu checkpoints ignored: not signed by an audit-signing key "
                 "of the key file "
                 "(`vigie audit verify` names them)\n",
                 ignored);
  }
  // Nor does one the old key truly signed (it leaked: the usual reason to
  // retire it) count past the first a newer key signed: a node never signs
  // with a key once a newer one has (audit::AuditLog), so any such is forged.
  uint64_t first_newer = UINT64_MAX;
  for (const audit::Checkpoint& checkpoint : checkpoints) {
    if (checkpoint.key_id > key_id) first_newer = std::min(first_newer, checkpoint.tree_size);
  }
  uint64_t last = 0;
  for (const audit::Checkpoint& checkpoint : checkpoints) {
    if (checkpoint.key_id == key_id && checkpoint.tree_size < first_newer) {
      last = std::max(last, checkpoint.tree_size);
    }
  }
  const audit::Checkpoint* latest = nullptr;
  for (const audit::Checkpoint& checkpoint : checkpoints) {
    if (latest == nullptr || checkpoint.tree_size > latest->tree_size) latest = &checkpoint;
  }
  if (latest == nullptr) {
    return Fail(ErrorCode::kConflict,
                "the log holds no checkpoint yet: nothing to retire a key after");
  }
  if (latest->tree_size > last) return last;
  return Fail(ErrorCode::kConflict,
              "key " + std::to_string(key_id) +
                  " signed the latest checkpoint: restart every node with the activated keys and "
                  "retire it once a checkpoint signed by the new key follows");
}

}  // namespace

int RunKeysRetire(const std::filesystem::path& data_dir, uint32_t key_id) {
  auto installation = Installation::OpenToChangeKeys(data_dir);
  if (!installation) return ReportError(installation.error());
  crypto::Keyring& keyring = installation->keyring;
  auto key = keyring.ById(key_id);
  if (!key) return ReportError(key.error());
  if ((*key)->purpose != crypto::kPurposeAuditSigning) {
    return ReportError(Error(ErrorCode::kInvalidArgument,
                             "only audit-signing keys are retired: other old keys still open "
                             "the data sealed under them"));
  }
  if (auto current = keyring.Current(crypto::kPurposeAuditSigning);
      (*key)->staged || (current && (*current)->id == key_id)) {
    return ReportError(
        Error(ErrorCode::kConflict,
              "key " + std::to_string(key_id) +
                  " is still in use (current or staged): rotate and activate first"));
  }
  auto last = LastSizeSignedBy(*installation, key_id);
  if (!last) return ReportError(last.error());
  // Retired in memory first, so a refusal (retired already) logs nothing;
  // in the log before the key file changes: who retired which key, when.
  if (auto retired = keyring.Retire(key_id, *last); !retired) return ReportError(retired.error());
  SystemClock clock;
  if (auto recorded =
          RecordOperatorCommand(*installation, clock,
                                "keys retire: key " + std::to_string(key_id) +
                                    " retired after tree size " + std::to_string(*last));
      !recorded) {
    return ReportError(recorded.error());
  }
  const auto key_file = installation->config.Resolve(installation->config.crypto.key_file);
  if (auto saved = keyring.Save(key_file); !saved) return ReportError(saved.error());
  const witness::LogKey log_key{
      .key_id = key_id,
      .public_key = crypto::Ed25519KeyPair::FromSeed((*key)->bytes()).public_key(),
      .retired_after = *last};
  std::printf(
      "Key %u is retired after tree size %llu: a checkpoint it signs beyond that size is refused.\n"
      "Next:\n"
      "  1. give the witness this line in place of the key's line in its log-keys.txt, and\n"
      "     restart it:\n"
      "       %s\n"
      "  2. copy %s to every node (securely) and to wherever `vigie audit verify` runs.\n",
      key_id, static_cast<unsigned long long>(*last), witness::LogKeyLine(log_key).c_str(),
      key_file.c_str());
  return 0;
}

}  // namespace vigie::cli
