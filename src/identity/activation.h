#pragma once
// Activation: an agent turns the one-time code handed over in person into a
// password and an enrolled TOTP factor. Nothing secret travels otherwise.
//
// Activate(code, password):
//   1. the code must be well formed, known, unexpired and unused;
//   2. the agent must be pending activation;
//   3. the password must satisfy the PasswordPolicy;
//   4. then, in one transaction: the password's Argon2id hash and a fresh
//      20-byte TOTP seed (sealed under the "totp-seeds" data key) are stored,
//      the agent becomes active and the code is spent.
// A refused password does not spend the code. The TotpEnrolment is returned
// once; the seed cannot be read back through this component afterwards.
//
// Thread-safety: one Activation per connection, used by one thread at a time.
// The DataKey, policy and hasher must outlive it.

#include <functional>
#include <string_view>

#include "core/clock.h"
#include "core/error.h"
#include "crypto/keyring.h"
#include "identity/model.h"
#include "identity/options.h"
#include "identity/password_hasher.h"
#include "identity/password_policy.h"
#include "identity/totp_enrolment.h"
#include "store/store.h"

namespace vigie::identity {

struct ActivationResult {
  Agent agent;
  TotpEnrolment enrolment;
};

class Activation {
 public:
  Activation(store::Connection& db, const Clock& clock, const crypto::DataKey& totp_seed_key,
             const PasswordPolicy& policy, PasswordHasher& hasher,
             const IdentityOptions& options = {})
      : db_(&db),
        clock_(&clock),
        totp_seed_key_(&totp_seed_key),
        policy_(&policy),
        hasher_(&hasher),
        options_(options) {}

  // InvalidArgument: malformed code, or a password the policy refuses (the
  //   message says which rule).
  // Unauthenticated: no such code, or it has expired or been used, or its
  //   agent is not pending activation (suspended or disabled: refused as an
  //   unknown code is, so that its holder does not learn they were noticed).
  // Conflict: the agent's status changed while the activation ran.
  // ResourceExhausted/Unavailable: the hasher pool is full or stopping.
  // `before_commit`, when given, runs inside the transaction once everything
  // is written and before it commits (the caller makes its audit event
  // durable there); its error rolls the activation back, the code unspent.
  // `admit`, when given, runs once the code names an agent pending
  // activation, before the password is checked or hashed (the caller's
  // bars: a containment, a lock-down): its error refuses the activation as
  // early and as cheaply as a dead code is, the code unspent. A bar that
  // must still hold at the commit is checked in `before_commit` too.
  using BeforeCommit = std::function<Result<void>(const Agent&)>;
  using Admit = std::function<Result<void>(const Agent&)>;
  Result<ActivationResult> Activate(std::string_view code, std::string_view new_password,
                                    const BeforeCommit& before_commit = {},
                                    const Admit& admit = {});

 private:
  store::Connection* db_;
  const Clock* clock_;
  const crypto::DataKey* totp_seed_key_;
  const PasswordPolicy* policy_;
  PasswordHasher* hasher_;
  IdentityOptions options_;
};

}  // namespace vigie::identity
