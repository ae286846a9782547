#pragma once
// Lock-out bookkeeping: each failed password or TOTP code is a login_failure
// row; `threshold` failures within `window` lock an active account for
// `duration`. A lock sets agent.failure_count_since to its end, so failures
// made during the lock do not count after it; a successful login, a
// reinstatement or a reset forgets the agent's failures (ForgetLoginFailures).
// Rows older than the window are pruned as new ones arrive: these rows serve
// lock-out only; the audit log is the lasting record of authentications.
// Thread-safety: as store::Connection. Callers hold a write transaction: a
// serializable one, or one queued (store::Transaction::BeginQueued) behind
// the agent's other password refusals. (A second-factor failure, serializable,
// and a password failure, queued, made at the same moment for one agent can
// miss each other's row: the lock then comes one failure later.)

#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "identity/options.h"
#include "store/store.h"

namespace vigie::identity::internal {

enum class Factor { kPassword, kTotp, kPasskey };

struct RecordedFailure {
  bool counted = false;                   // the agent counts failures: active, or its lock lapsed
  bool locked = false;                    // this failure reached the threshold and locked it
  int64_t locked_until = 0;               // when locked: the lock's end
  int64_t prior_failure_count_since = 0;  // when counted: as it was before
  int64_t at = 0;                         // when counted: the time it is dated
};

// Records one failure and locks the agent if it is active and this failure
// reaches the threshold. The failure of an active agent is dated no earlier
// than its last success (failure_count_since), which another node may have
// dated by a clock ahead of `now`: dated before it, it would not count (a
// right password refused, wrong codes guessed without limit).
Result<RecordedFailure> RecordLoginFailure(store::Connection& db, int64_t agent_id, Factor factor,
                                           std::string_view source_address, int64_t now,
                                           const IdentityOptions& options);

// Takes back a password failure recorded (`failure`) from `source_address`
// before its hash was checked (login.cc), once the password proved right:
// one such row goes, and the lock `failure` made, if it is still that lock.
Result<void> WithdrawPasswordFailure(store::Connection& db, int64_t agent_id,
                                     const RecordedFailure& failure,
                                     std::string_view source_address, int64_t now);

// Records a failed login that names no agent that can be found (unknown or
// malformed service number). Security: this is the write a failure against a
// real agent makes, in a transaction of its own, so both refusals cost one
// commit and their timing does not tell which service numbers exist. A plain
// insert: no read of the shared table, so refusals for different service
// numbers never wait for each other.
Result<void> RecordUnknownLoginFailure(store::Connection& db, std::string_view source_address,
                                       int64_t now);

// Drops those records older than the lock-out window: called by successful
// logins, whose timing tells nothing.
Result<void> PruneUnknownLoginFailures(store::Connection& db, int64_t now,
                                       const IdentityOptions& options);

// How many second-factor failures (TOTP codes, passkeys: made by someone
// holding a session or a password, not by password guesses) the lock the
// agent is under, ending at `locked_until`, counted, those since included.
Result<int64_t> SecondFactorFailuresInLock(store::Connection& db, int64_t agent_id,
                                           int64_t locked_until, const IdentityOptions& options);

// Starts a new count for the agent.
Result<void> ForgetLoginFailures(store::Connection& db, int64_t agent_id);

}  // namespace vigie::identity::internal
