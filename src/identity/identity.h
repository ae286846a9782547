#pragma once
// identity: agents, units, roles, activation, passwords, TOTP factors and
// lock-out — who an agent is and how they prove it.
//
//   model.h            Unit, Agent, Role/RoleSet, AgentStatus, input validation
//   options.h          IdentityOptions (Argon2id, lifetimes, lock-out, TOTP)
//   agent_directory.h  AgentDirectory: units and agents, their life cycle,
//                      activation codes issued on creation and reset
//   activation_code.h  the code's typable form and its stored digest
//   password_policy.h  CommonPasswords (data/common-passwords.txt), PasswordPolicy
//   password_hasher.h  PasswordHasher: inline, or a bounded PasswordHasherPool
//   activation.h       Activation: code + new password -> TotpEnrolment (once)
//   totp_enrolment.h   the otpauth:// URI and its QR code (SVG)
//   login.h            Authenticator: password step, TOTP step
//   login_throttle.h   LoginThrottle: per-address limits before any hashing
//
// Ownership: every class that touches the database borrows a
// store::Connection (one per thread, owned by the caller) and a Clock. The
// "totp-seeds" crypto::DataKey and the PasswordHasher are borrowed too and
// must outlive their users.
// Thread-safety: database-bound classes are used by one thread at a time;
// PasswordHasherPool, LoginThrottle, CommonPasswords and PasswordPolicy are
// thread-safe. Internal details (internal/) are not part of the interface.
//
// Security: no secret this component handles (password, activation code,
// challenge token, TOTP seed) is logged or stored in clear: passwords as
// Argon2id PHC strings, codes and tokens as SHA-256 digests, seeds sealed with
// XChaCha20-Poly1305. Secrets given back to the caller (activation codes,
// challenge tokens, enrolments) are held in crypto::SecretBytes.

#include "identity/activation.h"       // IWYU pragma: export
#include "identity/activation_code.h"  // IWYU pragma: export
#include "identity/agent_directory.h"  // IWYU pragma: export
#include "identity/login.h"            // IWYU pragma: export
#include "identity/login_throttle.h"   // IWYU pragma: export
#include "identity/model.h"            // IWYU pragma: export
#include "identity/options.h"          // IWYU pragma: export
#include "identity/passkeys.h"         // IWYU pragma: export
#include "identity/password_hasher.h"  // IWYU pragma: export
#include "identity/password_policy.h"  // IWYU pragma: export
#include "identity/refusal_pricer.h"   // IWYU pragma: export
#include "identity/totp_enrolment.h"   // IWYU pragma: export
