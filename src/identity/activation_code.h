#pragma once
// Activation codes: the one-time secret an administrator hands to an agent in
// person to activate (or re-activate) an account.
//
// Form: 28 symbols of Crockford's Base32 (0-9, A-Z without I, L, O, U) in 7
// groups of 4, e.g. "7K3M-Q9XD-...": 140 bits from the OS CSPRNG. Typing is
// forgiving: case is ignored, '-' and spaces are ignored, O reads as 0 and
// I or L as 1.
//
// Thread-safety: pure functions (Generate reads the thread-safe OS CSPRNG).

#include <string>
#include <string_view>

#include "core/error.h"
#include "crypto/hash.h"
#include "crypto/secret_bytes.h"

namespace vigie::identity {

inline constexpr size_t kActivationCodeSymbols = 28;
inline constexpr size_t kActivationCodeGroup = 4;

// A fresh code in its display form (with '-' between groups). Held in
// SecretBytes so it is wiped after use and cannot be printed by accident.
crypto::SecretBytes GenerateActivationCode();

// The canonical form (28 upper-case Crockford symbols, no separators) of a
// code as typed. InvalidArgument: a character outside the alphabet, or the
// wrong number of symbols (the message never repeats the input).
Result<crypto::SecretBytes> CanonicalActivationCode(std::string_view typed);

// The digest stored in the database for a canonical code.
// Security: a fast hash suffices here (no Argon2): the code carries 140 bits
// from a CSPRNG, so nobody holding the digest can search the code space,
// unlike a human-chosen password. The digest is domain-separated from every
// other SHA-256 use in Vigie.
crypto::Sha256Digest HashActivationCode(const crypto::SecretBytes& canonical);

}  // namespace vigie::identity
