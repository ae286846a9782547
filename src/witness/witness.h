#pragma once
// Witness: the core of `vigie witness serve`, a small service run under
// another authority (an inspection body, the data-protection authority). It
// receives each audit checkpoint of one Vigie log, checks that it is signed
// by the log's key and consistent with the last checkpoint it countersigned
// (RFC 9162 consistency proof), countersigns it and keeps it. Whoever runs
// Vigie then cannot truncate or fork the log unseen: the witness holds a
// signed root their rewritten log no longer extends.
//
// The witness directory holds witness.key (its Ed25519 seed, hex, mode 0600),
// log-keys.txt (the log's public checkpoint keys, "<key id> <hex>" per line,
// a retired one's followed by "retired-after <tree size>")
// and cosignatures.jsonl (every countersigned checkpoint, appended and
// fsynced before the answer). Format: docs/formats/witness.md.
//
// Thread-safety: Submit and Latest may be called from any thread.
// Errors of Submit: InvalidArgument (sizes or proof malformed),
// PermissionDenied (the checkpoint or the submission not signed by a key of
// this log, or by a retired key beyond the size it was retired after), Conflict (from_size is
// not the size the witness holds: ask Latest and retry), DataLoss (the
// checkpoint contradicts what the witness countersigned: a truncated or
// forked log - the alarm this service exists for), Unavailable (the store
// cannot be written; nothing was countersigned).

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "audit/merkle_hash.h"
#include "core/clock.h"
#include "core/error.h"
#include "witness/cosignature.h"
#include "witness/submission.h"

namespace vigie::witness {

struct LogKey {
  uint32_t key_id = 0;
  crypto::Ed25519PublicKey public_key{};
  // A retired key (`vigie keys retire`): the largest tree size it may sign.
  std::optional<uint64_t> retired_after;
};

// "<key id> <64 hex digits> [retired-after <tree size>]" lines (as `vigie
// audit public-keys` prints them).
Result<std::vector<LogKey>> ParseLogKeys(std::string_view text);
// One such line, without its newline.
std::string LogKeyLine(const LogKey& key);

class Witness {
 public:
  // Creates `dir` (mode 0700; a directory already there keeps its own) with
  // a new witness key, the log's keys and an empty store, all or none, the
  // key last; returns the witness's public key. Conflict if `dir` already
  // holds a witness, or a store of countersignatures without its key (a
  // link in either place counts as one); InvalidArgument if `dir` was there
  // but is not this user's directory closed to others' writes. What an init
  // cut short by a crash left (no key, an empty store) is made again.
  static Result<crypto::Ed25519PublicKey> Init(const std::filesystem::path& dir,
                                               std::span<const LogKey> log_keys);
  // Loads the key, the log's keys and every stored cosignature (each checked
  // against the witness's own key, sizes never decreasing): DataLoss if not.
  static Result<std::unique_ptr<Witness>> Open(const std::filesystem::path& dir,
                                               const Clock& clock);
  ~Witness();

  // Countersigns the submission's checkpoint if it extends the latest
  // countersigned one: `from_size` must be that one's tree size (0 when there
  // is none) and the proof the consistency proof from it to the checkpoint's
  // size. The same checkpoint again returns the stored cosignature. The
  // submission must be signed by the checkpoint's own key.
  Result<Cosignature> Submit(const Submission& submission);

  std::optional<Cosignature> Latest() const;
  const crypto::Ed25519PublicKey& public_key() const;
  // The log's keys this witness accepts (log-keys.txt as read at start).
  const std::vector<LogKey>& log_keys() const;

 private:
  struct State;
  explicit Witness(std::unique_ptr<State> state);
  Result<void> Persist(const Cosignature& cosignature);
  std::unique_ptr<State> state_;
};

}  // namespace vigie::witness
