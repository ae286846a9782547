#pragma once
// crypto: the only component that touches libsodium and OpenSSL. It provides
// randomness, hashes and HMAC, encodings, keyed hashes for blind indexes,
// Argon2id password hashing, Ed25519 and ES256 signatures, TOTP codes, XChaCha20-Poly1305 for data at
// rest, and the keyring with its key file. No libsodium or OpenSSL type appears
// in these headers.
// Thread-safety and errors: see each header.

#include "crypto/aead.h"          // IWYU pragma: export
#include "crypto/bytes.h"         // IWYU pragma: export
#include "crypto/ecdsa.h"         // IWYU pragma: export
#include "crypto/hash.h"          // IWYU pragma: export
#include "crypto/key_file.h"      // IWYU pragma: export
#include "crypto/keyed_hash.h"    // IWYU pragma: export
#include "crypto/keyring.h"       // IWYU pragma: export
#include "crypto/password.h"      // IWYU pragma: export
#include "crypto/random.h"        // IWYU pragma: export
#include "crypto/secret_bytes.h"  // IWYU pragma: export
#include "crypto/signing.h"       // IWYU pragma: export
#include "crypto/totp.h"          // IWYU pragma: export
