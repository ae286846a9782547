#pragma once
// session: what exists after a completed login. Opaque access and refresh
// tokens (stored only as SHA-256 hashes), bound to the client's DPoP key
// (RFC 9449); rotation with reuse detection; idle timeout, absolute lifetime,
// logout and revocation that take effect on the next request; the use-notice
// acknowledgement; counting file openings for step-up.
//
// A request walks: VerifyDpopProof (dpop.h) -> DpopReplayCache::Use
// (replay_cache.h) -> SessionStore::Authenticate with the proof's jkt.
//
// Thread-safety: DPoP functions and DpopReplayCache are thread-safe (share
// one cache per process); SessionStore and StepUpTracker work on one
// store::Connection and are used by one thread at a time (one per thread).
// Ownership: the caller owns connections and clocks and keeps them alive
// longer than the stores built on them.
// Errors: see each header; every refusal of a credential is Unauthenticated.

#include "session/bearer_token.h"     // IWYU pragma: export
#include "session/dpop.h"             // IWYU pragma: export
#include "session/dpop_key_cache.h"   // IWYU pragma: export
#include "session/replay_cache.h"     // IWYU pragma: export
#include "session/session_options.h"  // IWYU pragma: export
#include "session/session_store.h"    // IWYU pragma: export
#include "session/step_up_tracker.h"  // IWYU pragma: export
