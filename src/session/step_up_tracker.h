#pragma once
// StepUpTracker: counts the full files opened in a session so that, after
// StepUpRule::files of them within StepUpRule::window_seconds, the agent
// must present a fresh TOTP code before opening another. The caller (app)
// verifies the code through identity; this class only keeps the counts and
// the time of the last step-up (in the session row; the login counts as one).
//
// Counting is a sliding window over a small table of opening times per
// session (session_file_opening), pruned to the window on every write and
// emptied by each step-up, so it holds at most about `files` rows per
// session. Security: a sliding window, not fixed buckets, so a burst across a
// bucket boundary cannot open twice the limit without a step-up.
//
// Usage per file opening:  StepUpRequired? -> (TOTP, RecordStepUp) -> read
// the file -> RecordFileOpening (false: the limit was reached meanwhile, by
// openings running at the same time; nothing leaves).
//
// Thread-safety: one thread at a time, like its Connection (the caller owns
// it and the clock, and keeps them alive). REQUIRES: no transaction open on
// the connection (each call runs its own).
// Errors: NotFound (no such session), Unauthenticated (the session has
// ended), store errors.

#include <cstdint>
#include <optional>

#include "core/clock.h"
#include "core/error.h"
#include "session/session_options.h"
#include "store/store.h"

namespace vigie::session {

class StepUpTracker {
 public:
  StepUpTracker(store::Connection& db, const Clock& clock, StepUpRule rule = {})
      : db_(db), clock_(clock), rule_(rule) {}

  // Counts one full file opened now, unless the files opened within the
  // window since the last step-up have reached the limit: then nothing is
  // counted and false comes back. The count and the record are one write
  // transaction, so openings sent at once cannot all pass on one count.
  Result<bool> RecordFileOpening(int64_t session_id);

  // True when the files opened within the window since the last step-up have
  // reached the rule's limit: the next opening needs a fresh TOTP first.
  Result<bool> StepUpRequired(int64_t session_id);

  // The session's standing demand (below), as read before a code is
  // verified: what that code can meet. nullopt when there is none.
  // Unauthenticated for an ended session (before a code is spent on it).
  Result<std::optional<int64_t>> Demanded(int64_t session_id);

  // A fresh TOTP code was verified: the count starts again from zero, and
  // the demand read before it (`demand_met`, from Demanded) is met.
  // Security: a demand made since — detection judging the step-up itself,
  // or the session's last consultations — stands: an earlier code cannot
  // meet it. Told apart by value, not by clock (nodes' clocks differ).
  Result<void> RecordStepUp(int64_t session_id, std::optional<int64_t> demand_met);

  // A detection rule demands a fresh TOTP code in every live session of the
  // agent before any further consultation (Session::step_up_demanded). Each
  // demand stores a new value: a second later at least than the last one,
  // standing or met, so no code checked before it can meet it.
  Result<void> DemandForAgent(int64_t agent_id);

 private:
  Result<void> RequireLiveSession(int64_t session_id);
  // Files opened within the window ending at `now` (seconds).
  Result<int64_t> OpenedInWindow(int64_t session_id, int64_t now);

  store::Connection& db_;
  const Clock& clock_;
  const StepUpRule rule_;
};

}  // namespace vigie::session
