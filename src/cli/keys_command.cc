// `vigie keys list|rotate|activate`: rotating the data and signing keys
// without downtime (docs/operations.md, "Rotating keys"). In two steps, so
// that no node ever meets data sealed under a key it does not hold:
//   rotate:   new keys are added staged - every node that loads the file can
//             read with them, none writes with them yet;
//   activate: once every node has the file (a rolling restart), the staged
//             keys become current; old keys stay, so old data stays readable
//             and old checkpoints verifiable.

#include <algorithm>
#include <cstdio>
#include <iterator>

#include "cli/commands.h"
#include "cli/installation.h"
#include "cli/operator_read.h"
#include "crypto/hash.h"
#include "crypto/signing.h"
#include "identity/options.h"

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
  auto installation = Installation::Open(data_dir);
  if (!installation) return ReportError(installation.error());
  crypto::Keyring& keyring = installation->keyring;
  for (const crypto::DataKey& key : keyring.data_keys()) {
    if (key.staged) {
      return ReportError(Error(ErrorCode::kConflict,
                               "a rotation is already under way (key " + std::to_string(key.id) +
                                   " is staged): finish it with `vigie keys activate`"));
    }
  }
  // In the log before the key file changes (no event, no rotation).
  SystemClock clock;
  if (auto recorded = RecordOperatorCommand(
          *installation, clock,
          "keys rotate: new keys staged for " + std::to_string(std::size(kRotated)) + " purposes");
      !recorded) {
    return ReportError(recorded.error());
  }
  crypto::SystemRandom random;
  std::printf("Staged new keys (readable now, written with after `vigie keys activate`):\n");
  for (std::string_view purpose : kRotated) {
    auto id = keyring.StageDataKey(purpose, random);
    if (!id) return ReportError(id.error());
    std::printf("  %-4u %s\n", *id, std::string(purpose).c_str());
  }
  const auto key_file = installation->config.Resolve(installation->config.crypto.key_file);
  if (auto saved = keyring.Save(key_file); !saved) return ReportError(saved.error());
  std::printf(
      "Next:\n"
      "  1. copy %s to every node (securely) and restart them one at a time;\n"
      "  2. give the witness the new audit-signing public key (`vigie keys list`);\n"
      "  3. run `vigie keys activate` here, copy the file again, restart one at a time.\n",
      key_file.c_str());
  return 0;
}

int RunKeysActivate(const std::filesystem::path& data_dir) {
  auto installation = Installation::Open(data_dir);
  if (!installation) return ReportError(installation.error());
  crypto::Keyring& keyring = installation->keyring;
  const auto staged = std::ranges::count_if(keyring.data_keys(),
                                            [](const crypto::DataKey& key) { return key.staged; });
  if (staged == 0) {
    return ReportError(
        Error(ErrorCode::kNotFound, "no staged key: start a rotation with `vigie keys rotate`"));
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

}  // namespace vigie::cli
