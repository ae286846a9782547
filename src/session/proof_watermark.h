#pragma once
// What a lone node knows, when it starts, of the DPoP proofs its previous
// process accepted. On SQLite the node's memory of used proofs is the only
// one (DpopReplayCache) and a restart empties it; without this, a proof
// captured just before a restart could be sent again after it (RFC 9449
// §11.1), the more so from a client whose clock runs ahead.
//
// A file in the data directory records, appended durably, "serving" when a
// process starts and "stopped <iat>" - the latest iat it accepted - when it
// stops gracefully. At the next start, from its last line:
//   - no file: no process served before (or one of an earlier release,
//     which judged the same way): proofs made from now on are accepted;
//   - "stopped H": proofs made from max(now, H + 1) on;
//   - "serving" or anything else (a crash, a kill, a torn line): proofs
//     made from now + max_future_seconds + 1 on, past every proof the
//     previous process could have accepted.
// `vigie serve` serves the API only from that second on, so a client whose
// clock is right meets no refusal; a proof dated before is answered 503
// with Retry-After (DpopReplayCache::CheckMadeSinceBegun), not 401.
// A clock set back between two processes could make "H + 1" hours away;
// the wait is never longer than after a crash (and the start says so).
//
// Thread-safety: one object per serving process, used by one thread.
// Errors: Unavailable when the file cannot be read or appended to.

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "core/error.h"

namespace vigie::session {

class ProofWatermark {
 public:
  static constexpr std::string_view kFileName = "dpop-proofs.log";

  // Reads the last record of `data_dir`'s file, then appends "serving".
  static Result<ProofWatermark> Open(const std::filesystem::path& data_dir, int64_t now,
                                     int64_t max_future_seconds);

  // The first iat this process may accept (DpopReplayCache's accept_from).
  int64_t accept_from() const { return accept_from_; }
  // Why accept_from is later than the start, for the operator; empty if not.
  std::string_view wait_reason() const { return wait_reason_; }

  // At a graceful stop, after the last request was answered: appends
  // "stopped <iat>", `latest_accepted_iat` or, if no proof was accepted,
  // the second before accept_from.
  Result<void> RecordStop(int64_t latest_accepted_iat);

 private:
  ProofWatermark(std::filesystem::path file, int64_t accept_from, std::string_view wait_reason)
      : file_(std::move(file)), accept_from_(accept_from), wait_reason_(wait_reason) {}

  std::filesystem::path file_;
  int64_t accept_from_;
  std::string_view wait_reason_;
};

}  // namespace vigie::session
