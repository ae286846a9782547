#pragma once
// The witness's HTTP API (served by `vigie witness serve`):
//   GET  /v1/latest       -> {"witness_public_key": hex, "cosignature": {...} | null}
//   GET  /v1/log-keys     -> {"witness_public_key": hex,
//                             "log_keys": ["<key id> <hex> [retired-after N]", ...]}
//   POST /v1/checkpoints  {"checkpoint": {...}, "from_size": N, "consistency_proof": [hex],
//                          "signature": base64}  (witness/submission.h)
//                         -> 200 {"cosignature": {...}}
// Refusals are RFC 9457 problems: 400 malformed, 403 not the log's key (the
// checkpoint's or the submission's signature),
// 409 stale from_size (with "latest_size"), 422 inconsistent (truncated or
// forked log). Format: docs/formats/witness.md.
//
// Thread-safety: the handler is thread-safe (Witness is).

#include "http/message.h"
#include "witness/witness.h"

namespace vigie::witness {

// The largest request body the witness reads: a checkpoint, a proof of at
// most 64 hashes and a signature fit in well under 8 KiB.
inline constexpr size_t kMaxSubmissionBytes = 8 * 1024;

http::Handler WitnessHandler(Witness& witness);

}  // namespace vigie::witness
