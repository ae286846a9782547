#pragma once
// What a lone node knows, when it starts, of the DPoP proofs its previous
// process accepted. On SQLite the node's memory of used proofs is the only
// one (DpopReplayCache) and a restart empties it; without this, a proof
// captured just before a restart could be sent again after it (RFC 9449
// §11.1), the more so from a client whose clock runs ahead.
//
// A file in the data directory records, appended durably, "initialised" when
// `vigie init` creates the installation, "serving" when a process starts and
// "stopped <iat>" - the latest iat it accepted - when it stops gracefully,
// and "accepted-up-to <iat>" while it serves if its clock is found set back
// behind the proofs it accepted (or, at its start, behind the floor it
// inherited). At the next start, from its last line:
//   - "initialised": no process served before: proofs made from now on;
//   - "stopped H": proofs made from max(now, H + 1) on - even when a clock
//     set back makes that later than any wait below (up to a day; a record
//     further ahead is judged as none);
//   - "accepted-up-to H" (a process that found its clock set back, then
//     died): from max(H + 1, now + max_future_seconds + 1), up to a day
//     ahead as for a stop;
//   - "serving", nothing or anything else (a crash, a kill, a failed start,
//     a release before this record, a removed file, a torn line): from
//     now + max_future_seconds + 1, past every proof the previous process
//     could have accepted.
// `vigie serve` serves the API only from that second on (or, after a clock
// set back, a minute at most), so a client whose clock is right meets no
// refusal; a proof dated before is answered 503 with Retry-After
// (DpopReplayCache::CheckMadeSinceBegun), not 401.
//
// The file stays locked (flock) for the process's life: a second process
// on the same installation waits for the first to finish draining, or is
// refused (Conflict), so their records never interleave and two memories
// of used proofs never serve side by side.
//
// Thread-safety: one object per serving process, used by one thread at a
// time.
// Errors: Unavailable when the file cannot be read, locked or appended to;
// Conflict when another process holds it past `patience`.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string_view>

#include "core/clock.h"
#include "core/error.h"

namespace vigie::session {

class ProofWatermark {
 public:
  static constexpr std::string_view kFileName = "dpop-proofs.log";

  // For `vigie init`: the installation has never served.
  static Result<void> RecordInitialised(const std::filesystem::path& data_dir);

  // Locks `data_dir`'s file, reads its last record, then appends "serving".
  // `clock` is read at the call; a wait for the lock moves that reading on
  // by the time waited, or to the clock read again if that is later.
  static Result<ProofWatermark> Open(const std::filesystem::path& data_dir, const Clock& clock,
                                     int64_t max_future_seconds,
                                     std::chrono::seconds patience = std::chrono::seconds(30));
  // For `vigie migrate-store`: the latest iat a previous process may have
  // accepted, judged as Open judges it, but appending nothing (no process
  // serves here); INT64_MIN when none served. Locks the file meanwhile.
  static Result<int64_t> AcceptedUpTo(const std::filesystem::path& data_dir, const Clock& clock,
                                      int64_t max_future_seconds,
                                      std::chrono::seconds patience = std::chrono::seconds(30));
  ProofWatermark(ProofWatermark&& other) noexcept;
  ProofWatermark& operator=(ProofWatermark&&) = delete;
  ~ProofWatermark();  // lets go of the file

  // The first iat this process may accept (DpopReplayCache's accept_from).
  int64_t accept_from() const { return accept_from_; }
  // The latest iat a previous process may have accepted; INT64_MIN when
  // none served.
  int64_t accepted_up_to() const { return accepted_up_to_; }
  // Why accept_from is later than the start, for the operator; empty if not.
  std::string_view wait_reason() const { return wait_reason_; }

  // While serving, every second or so: if `now` is behind
  // `latest_accepted_iat` by more than a client may be ahead (the clock was
  // set back), appends "accepted-up-to <iat>" (once per value), so that a
  // crash does not reopen those proofs. Whether it appended.
  Result<bool> NoteClock(int64_t latest_accepted_iat, int64_t now);

  // At a graceful stop, after the last request was answered: appends
  // "stopped <iat>", `latest_accepted_iat` or, if no proof was accepted,
  // the second before accept_from.
  Result<void> RecordStop(int64_t latest_accepted_iat);

 private:
  // Open without its "serving" record.
  static Result<ProofWatermark> Judge(const std::filesystem::path& data_dir, const Clock& clock,
                                      int64_t max_future_seconds, std::chrono::seconds patience);
  ProofWatermark(std::filesystem::path file, int fd, int64_t max_future_seconds)
      : file_(std::move(file)), fd_(fd), max_future_seconds_(max_future_seconds) {}

  std::filesystem::path file_;
  int fd_ = -1;  // holds the lock
  int64_t max_future_seconds_ = 0;
  int64_t accept_from_ = 0;
  int64_t noted_up_to_ = INT64_MIN;
  int64_t accepted_up_to_ = INT64_MIN;
  int64_t after_any_ = 0;  // past every proof a process stopped at the start accepted
  std::string_view wait_reason_;
};

}  // namespace vigie::session
