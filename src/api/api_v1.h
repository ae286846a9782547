#pragma once
// API v1: the JSON-over-HTTPS adapter onto app::Portal. It checks DPoP
// proofs, reads strict JSON bodies, calls one use case per route and turns
// its result or error into a response (RFC 9457 problems for errors). It
// holds no business rule.
//
// Authentication: every route but the public ones (openapi, use notice,
// activation, login steps) needs `Authorization: DPoP <access token>` and a
// `DPoP` proof (RFC 9449) signed by the key the session is bound to, made
// for this method and URL, with the token's `ath`, fresh and never seen
// before (DESIGN invariant 3). The second login step and refresh need a
// proof too: it names the key the session is bound to.
//
// Thread-safety: Handle may be called from several threads at once.

#include <atomic>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "app/portal.h"
#include "http/message.h"
#include "identity/login_throttle.h"
#include "session/dpop.h"
#include "session/dpop_key_cache.h"
#include "session/replay_cache.h"
#include "session/shared_replay_guard.h"
#include "webauthn/webauthn.h"

namespace vigie::api {

struct ApiOptions {
  // The URL clients reach the server by, without a trailing slash, e.g.
  // "https://vigie.interieur.example": proofs' htu must match it.
  std::string public_url;
  session::DpopPolicy dpop;
  size_t replay_capacity = 1'000'000;  // proofs remembered within their lifetime
  // Of those, one key's at most: ~1 000 requests a second for a minute,
  // far beyond a person's, well short of refusing everyone else.
  size_t replay_per_key = 65'536;
  // Several nodes on one database: what they remember together, so a proof
  // replayed on another node is refused too. nullptr = one node.
  session::SharedProofReplayGuard* shared_replay = nullptr;
  // One node: the first iat it may accept (session::ProofWatermark, from
  // what its previous process recorded); unset, the most cautious (its
  // start + the future skew + 1). Ignored beside a shared guard.
  std::optional<int64_t> accept_proofs_from;
  // The routes whose credential is not a session (second login step,
  // refresh, passkey login): past this bucket of failures an address is
  // refused (429) before its proof costs a signature check, unless its
  // request names a live refresh token or login challenge (heard_credentials
  // bounds those). Only failures count.
  identity::LoginThrottleOptions failed_credentials{.burst = 30,
                                                    .refill_interval = std::chrono::seconds(2)};
  // Several nodes on one database: that bucket, counted there (so N nodes do
  // not give an address N of them). nullptr = one node: counted here.
  identity::AddressThrottle* shared_failed_credentials = nullptr;
  // With that bucket spent, how often one live credential is still heard:
  // its holder's retries, not unlimited signature checks with bad proofs.
  identity::LoginThrottleOptions heard_credentials{.burst = 3,
                                                   .refill_interval = std::chrono::seconds(60)};
  // Every route behind a session: past this bucket of refused access tokens
  // and proofs an address is refused (429) before its proof costs a
  // signature check, unless its token opens a live session (heard_sessions
  // bounds those, per session and address). Only failures count; per node (the CPU it
  // protects is the node's).
  identity::LoginThrottleOptions failed_sessions{.burst = 120,
                                                 .refill_interval = std::chrono::milliseconds(500)};
  identity::LoginThrottleOptions heard_sessions{.burst = 10,
                                                .refill_interval = std::chrono::seconds(6)};
  // Passkeys: the relying party (see api/relying_party.h) and its display name.
  webauthn::RelyingParty relying_party;
  std::string rp_name = "Vigie";
};

// One route, as the OpenAPI document lists it.
struct RouteInfo {
  std::string_view method;
  std::string_view path;  // with {placeholders}
  bool authenticated;
  bool refused_when_flagged;  // 403 while detection demands a step-up of the session
};

class ApiV1 {
 public:
  ApiV1(app::Portal& portal, ApiOptions options);

  // Answers requests under /api/v1/; anything else is a 404 problem.
  http::Response Handle(const http::Request& request);

  static std::span<const RouteInfo> Routes();
  // The routes that take a file (a leaked sample): their bodies may grow to
  // the server's upload limit (http::ServerOptions::upload_paths).
  static std::span<const std::string_view> UploadPaths();
  // Whether the sender of `head` (an upload path's request, no body yet) may
  // send a file that large: a valid proof, a live session, and a caller the
  // use case would accept (http::ServerOptions::upload_admission). The proof
  // is not remembered: Handle checks it again and remembers it.
  bool AdmitsUpload(const http::Request& head);
  // The routes whose handler waits on a password hash (activation, login's
  // first step), for a worker pool of their own
  // (http::ServerOptions::waiting_paths).
  static std::span<const std::string_view> PasswordHashingPaths();

  // For metrics: DPoP proofs remembered against replay, client keys cached.
  size_t remembered_proofs() const { return replay_.size(); }
  size_t cached_keys() const { return keys_.size(); }
  // The latest iat of the proofs this node accepted; INT64_MIN if none.
  int64_t latest_proof_accepted() const {
    return latest_proof_accepted_.load(std::memory_order_relaxed);
  }

 private:
  // What the live refresh token or login challenge the body of a request to
  // `route_path` (a route spending a credential) names opens ("session N", "agent
  // N"); nullopt if it names none (with `bound_to`, a refresh token of a
  // session bound to another key names none).
  Result<std::optional<std::string>> LiveCredentialOf(
      std::string_view route_path, const http::Request& request,
      std::optional<std::string_view> bound_to = std::nullopt);
  // Charges an attempt with a credential (a login challenge, a refresh
  // token) to its sender's address (see Handle); `charged`: a token was
  // taken, to give back unless the attempt is refused.
  Result<void> AdmitCredentialAttempt(std::string_view route_path, const http::Request& request,
                                      int64_t& retry_after, bool& charged);
  // What a request behind a session took from the budgets of refused ones
  // (see AdmitSessionAttempt), to give back unless it was refused.
  struct SessionCharge {
    bool address = false;
    std::string session;  // heard with its address's bucket empty: "session N at address"
  };
  // Charges a request presenting `access_token` to its sender's address;
  // with the address's bucket empty, it is heard only if the token opens a
  // live session that has not spent its own allowance.
  Result<void> AdmitSessionAttempt(const http::Request& request, std::string_view access_token,
                                   SessionCharge& charge, int64_t& retry_after);
  // Whether a session request refused with `error` keeps what
  // AdmitSessionAttempt took: refused for what it sent, or `too_early`
  // (its proof, from key `jkt`, dated before this process may judge it)
  // with a token of no live session bound to that key.
  bool KeepsCharge(const Error& error, bool too_early, std::string_view access_token,
                   std::string_view jkt);
  // Whether the body of a request to `route_path`, with a proof from key
  // `jkt`, names a live credential (see LiveCredentialOf); false when that
  // cannot be read.
  bool HoldsLiveCredential(std::string_view route_path, const http::Request& request,
                           std::string_view jkt);
  // Gives back what AdmitSessionAttempt took: the request was authenticated,
  // or refused for a fault of ours.
  void GiveBack(const http::Request& request, const SessionCharge& charge);
  // Whether this node may judge the proof alone since it started (see
  // DpopReplayCache::CheckMadeSinceBegun); if not, how long to wait.
  Result<void> MadeSinceBegun(const session::DpopProof& proof, int64_t& retry_after) const;
  // Whether the proof's jti is unused, on this node and, if shared, on all
  // (RFC 9449 §11.1); only a check, RememberProof records the use.
  Result<void> CheckProofUnused(const session::DpopProof& proof, int64_t now);
  // After the credential the proof came with is known good (see Handle).
  Result<void> RememberProof(const session::DpopProof& proof, int64_t checked_at);

  app::Portal& portal_;
  const ApiOptions options_;
  session::DpopKeyCache keys_;
  session::DpopReplayCache replay_;
  std::atomic<int64_t> latest_proof_accepted_{INT64_MIN};
  identity::LoginThrottle local_failed_credentials_;
  identity::AddressThrottle* failed_credentials_;  // the shared one, or the local one
  identity::LoginThrottle heard_credentials_;      // by session or agent and address, per node
  identity::LoginThrottle failed_sessions_;        // by address, per node
  identity::LoginThrottle heard_sessions_;         // by session and address, per node
};

}  // namespace vigie::api
