#pragma once
// DPoP proofs (RFC 9449): every API request carries a JWT signed by the
// client's own key, and every token is bound to that key's thumbprint, so a
// token lifted from a mailbox or a log is worthless without the private key.
//
// VerifyDpopProof checks one proof against the request it came with: compact
// JWS, header typ "dpop+jwt", alg ES256, an EC P-256 public "jwk" (a private
// "d" is refused), the signature, then the claims htm, htu, iat (within a
// window) and jti, and ath when an access token accompanies it. Replay of a
// jti is the caller's check (DpopReplayCache), after the signature is known good.
// Thread-safety: stateless functions.
// Errors: Unauthenticated with a short reason fit for the client (it names
// the failed check, never a secret).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace vigie::session {

struct DpopPolicy {
  int64_t max_age_seconds = 60;     // a proof older than this is refused
  int64_t max_future_seconds = 5;   // tolerated client clock advance
  size_t max_proof_bytes = 4096;
};

// What the server knows of the request the proof must match.
struct DpopRequest {
  std::string_view method;  // "GET", "POST", ...
  std::string_view url;     // absolute: scheme://host[:port]/path (query ignored)
  std::optional<std::string_view> access_token;
  int64_t now = 0;  // Unix seconds
};

struct CachedDpopKey;

struct DpopProof {
  std::string jkt;  // RFC 7638 SHA-256 thumbprint of the key, base64url
  std::string jti;
  int64_t iat = 0;
  // With a key cache: the proof's key when the cache does not hold it yet.
  // The caller hands it to DpopKeyCache::Remember once the credential the
  // proof came with checks, as it remembers the jti: anyone can make keys
  // and sign good proofs, and only keys of real sessions are worth keeping.
  std::shared_ptr<const CachedDpopKey> key_to_keep;
};

Result<DpopProof> VerifyDpopProof(std::string_view proof, const DpopRequest& request,
                                  const DpopPolicy& policy = {});

// What tells the request a proof came with from any other, for
// SessionStore::Refresh: its jti and its iat. A proof signed anew with a
// spent jti differs from the one that spent it, unless its iat is the same,
// and then it is accepted only as long as that one was.
std::string ProofIdentity(const DpopProof& proof);

class DpopKeyCache;
// The same, reusing keys parsed by earlier proofs (`keys` may be null).
Result<DpopProof> VerifyDpopProof(std::string_view proof, const DpopRequest& request,
                                  const DpopPolicy& policy, DpopKeyCache* keys);

// When to remember `proof` against replay: the later of when it was checked
// and `now`, the time of remembering. Security: the replay caches forget by
// their caller's clock, so a proof remembered late must still be acceptable
// then, or its first use may be forgotten already (Unauthenticated: the
// client signs a new one).
Result<int64_t> ReplayRememberTime(const DpopProof& proof, const DpopPolicy& policy,
                                   int64_t checked_at, int64_t now);

// The refusal of a DPoP proof: a failed check above, a replayed jti, a
// missing or repeated DPoP header. Made here and recognised here, so that the
// API can answer these - and only these - with error="invalid_dpop_proof"
// (RFC 9449 §7.1: sign a new proof), and every other refusal of a request
// that carried a token with "invalid_token" (get a new token).
Error InvalidDpopProof(std::string_view why);
bool IsInvalidDpopProof(const Error& error);

// RFC 7638 thumbprint of an EC P-256 key given its base64url coordinates.
std::string JwkThumbprint(std::string_view x, std::string_view y);

// The "ath" claim for an access token: base64url(SHA-256(token)).
std::string AccessTokenHash(std::string_view access_token);

// The URL form htu is compared in (RFC 9449 §4.3: without query and
// fragment; RFC 3986 §6 normalisation: scheme and host in lower case, the
// default port dropped, the path's percent-encodings in upper case, its
// unreserved characters decoded and its dot segments removed, an empty path
// as "/"). nullopt if not an absolute http(s) URL.
std::optional<std::string> NormaliseHtu(std::string_view url);

}  // namespace vigie::session
