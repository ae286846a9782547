#pragma once
// How long sessions and their tokens live, how many an agent may hold, and
// when opening files calls for a fresh second factor. Defaults follow the
// issue; the deployment's values come from vigie.toml [session] (core/config).
// Thread-safety: a plain value.

#include <cstdint>

namespace vigie::session {

// After `files` full files opened within `window_seconds` (and since the
// last step-up), the agent must present a fresh TOTP code.
struct StepUpRule {
  int64_t files = 10;
  int64_t window_seconds = 600;
};

struct SessionOptions {
  // Security: short-lived, so a token lifted from a log or a mailbox expires
  // quickly even if the DPoP binding were somehow bypassed.
  int64_t access_ttl_seconds = 600;
  int64_t idle_timeout_seconds = 1800;        // since the last authenticated request
  int64_t absolute_lifetime_seconds = 43200;  // since login, whatever the activity
  // A new login ends the oldest live sessions beyond this (values < 1 count as 1).
  int64_t max_sessions_per_agent = 1;
  // last_seen is written only when it would move by at least this much, so
  // the hot path reads without writing; the idle timeout may therefore end a
  // session up to this much early (never late).
  int64_t last_seen_resolution_seconds = 30;
  StepUpRule step_up;
};

}  // namespace vigie::session
