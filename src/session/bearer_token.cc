#include "session/bearer_token.h"

#include <algorithm>
#include <string>

#include "session/internal/base64url_text.h"

namespace vigie::session {

std::string_view TokenPrefix(TokenKind kind) {
  switch (kind) {
    case TokenKind::kAccess:
      return "va_";
    case TokenKind::kRefresh:
      return "vr_";
  }
  return "v?_";
}

BearerToken BearerToken::Generate(TokenKind kind) {
  crypto::SecretBytes random = crypto::SecretBytes::Random(kTokenRandomBytes);
  std::string text(TokenPrefix(kind));
  text += crypto::Base64UrlEncode(random.view());
  crypto::SecretBytes secret_text(crypto::AsBytes(text));
  TokenDigest digest = crypto::Sha256(text);
  // Security: best effort on the transient copy; the SecretBytes copy is the
  // one that lives on.
  std::fill(text.begin(), text.end(), '\0');
  return BearerToken(std::move(secret_text), digest);
}

Result<TokenDigest> DigestPresentedToken(TokenKind kind, std::string_view text) {
  // Security: shape checks reveal nothing secret (prefix and length are
  // public), so plain comparisons are fine here; the secret part is only ever
  // hashed, and looked up by its hash.
  if (text.size() != kTokenLength || !text.starts_with(TokenPrefix(kind))) {
    return Fail(ErrorCode::kUnauthenticated, "malformed token");
  }
  if (!internal::IsBase64UrlText(text.substr(TokenPrefix(kind).size()))) {
    return Fail(ErrorCode::kUnauthenticated, "malformed token");
  }
  return crypto::Sha256(text);
}

}  // namespace vigie::session
