#pragma once
// Opaque bearer tokens handed to a client after login: an access token
// ("va_…", sent with every request) and a refresh token ("vr_…", traded for a
// new pair). Each is a kind prefix followed by the unpadded base64url of 32
// random bytes from the OS CSPRNG (256 bits), 46 characters in all. The
// server keeps only TokenDigest, the SHA-256 of the whole text.
//
// Thread-safety: free functions are thread-safe; a BearerToken is a value.
// Errors: DigestPresentedToken returns Unauthenticated for anything that is
// not a well-formed token of the expected kind.

#include <cstddef>
#include <string_view>
#include <utility>

#include "core/error.h"
#include "crypto/bytes.h"
#include "crypto/hash.h"
#include "crypto/secret_bytes.h"

namespace vigie::session {

enum class TokenKind { kAccess, kRefresh };

// What the database stores and looks tokens up by.
using TokenDigest = crypto::Sha256Digest;

inline constexpr size_t kTokenRandomBytes = 32;
inline constexpr size_t kTokenLength = 3 + 43;  // prefix + base64url(32 bytes)

// "va_" or "vr_".
std::string_view TokenPrefix(TokenKind kind);

class BearerToken {
 public:
  // A fresh token. Security: always the OS CSPRNG (never injectable), so no
  // configuration or test double can make production tokens guessable.
  static BearerToken Generate(TokenKind kind);

  // The text to hand to the client, once. Never log it.
  std::string_view reveal() const { return crypto::AsText(text_.view()); }
  const TokenDigest& digest() const { return digest_; }

 private:
  BearerToken(crypto::SecretBytes text, const TokenDigest& digest)
      : text_(std::move(text)), digest_(digest) {}

  // Security: held in SecretBytes so it is wiped when dropped and has no
  // printing operator.
  crypto::SecretBytes text_;
  TokenDigest digest_;
};

// The digest of a token a client presented, after checking its shape (kind
// prefix, length, base64url alphabet) so malformed input never reaches the
// database. Errors: Unauthenticated.
Result<TokenDigest> DigestPresentedToken(TokenKind kind, std::string_view text);

}  // namespace vigie::session
