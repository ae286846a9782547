#pragma once
// SessionStore: the sessions that exist after a completed login (password and
// TOTP), and the DPoP-bound access and refresh tokens that carry them.
//
//   Create        login done: a new session, its first token pair; older
//                 sessions of the agent beyond the limit end ("superseded")
//   Authenticate  every request: access token + the jkt of its verified DPoP
//                 proof -> the session, or Unauthenticated
//   Refresh       trade a refresh token for a new pair (rotation); a refresh
//                 token presented twice with the session's key ends the
//                 whole session (with another key: refused, session kept)
//   Logout, Revoke, RevokeAllForAgent, EndAllForAgentInTransaction, List,
//   AcknowledgeNotice
//
// Every check reads the database (no cache), so a revocation takes effect on
// the very next request, on every node sharing the database.
// Time comes from the injected Clock, read once per call.
//
// Thread-safety: a SessionStore is used by one thread at a time, like the
// Connection it works on (one per thread; the caller owns both and keeps them
// alive). Several stores on several connections may share one database.
// REQUIRES: no transaction open on the connection (each call that writes runs
// its own, so a call is all-or-nothing).
// Errors: Unauthenticated for any token that does not open a live session
// (the message says which check failed, for logs; never return it to the
// client verbatim); InvalidArgument for a malformed jkt or reason; NotFound
// for an unknown session or agent; Unavailable / Internal / DataLoss from
// the store.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "session/bearer_token.h"
#include "session/session_options.h"
#include "store/store.h"

namespace vigie::session {

// Why a session ended (Session::end_reason). Revoke() also accepts reasons
// of the caller's own, e.g. "suspended" or "containment".
inline constexpr std::string_view kEndLogout = "logout";
inline constexpr std::string_view kEndSuperseded = "superseded";  // a newer login
inline constexpr std::string_view kEndRefreshTokenReuse = "refresh_token_reuse";
inline constexpr std::string_view kEndIdleTimeout = "idle_timeout";
inline constexpr std::string_view kEndExpired = "expired";  // absolute lifetime reached

// A session as stored. Times are Unix seconds.
struct Session {
  int64_t id = 0;
  int64_t agent_id = 0;
  std::string jkt;  // RFC 7638 thumbprint of the DPoP key it is bound to
  int64_t created_at = 0;
  int64_t last_seen_at = 0;  // coarse: see SessionOptions::last_seen_resolution_seconds
  int64_t expires_at = 0;    // end of the absolute lifetime
  std::optional<int64_t> notice_acknowledged_at;
  int64_t last_step_up_at = 0;  // the login's TOTP, then each RecordStepUp
  std::optional<int64_t> ended_at;
  std::string end_reason;  // empty while live
  // A detection rule asked for a fresh second factor (StepUpTracker::Demand).
  std::optional<int64_t> step_up_demanded_at;

  bool live() const { return !ended_at.has_value(); }
  // No consultation until a fresh TOTP code is presented (RecordStepUp).
  bool step_up_demanded() const { return step_up_demanded_at.has_value(); }
  bool notice_acknowledged() const { return notice_acknowledged_at.has_value(); }
};

// A token pair, to hand to the client once.
struct IssuedTokens {
  int64_t session_id = 0;
  BearerToken access_token;
  int64_t access_expires_at = 0;
  BearerToken refresh_token;
  int64_t refresh_expires_at = 0;
};

class SessionStore {
 public:
  SessionStore(store::Connection& db, const Clock& clock, SessionOptions options = {})
      : db_(db), clock_(clock), options_(options) {}

  // Opens a session for `agent_id`, bound to `jkt`, after the caller has
  // verified the password, the TOTP code and the agent's status. Ends the
  // agent's oldest live sessions beyond max_sessions_per_agent
  // ("superseded"). `admit`, if given, runs first inside the creating
  // transaction: its error refuses the session and writes nothing (the
  // caller's bars, read where a concurrent suspension or containment
  // cannot slip between the check and the session). `before_commit`, if
  // given, runs last, with the tokens, before the commit (the login's audit
  // event): its error refuses the session too, the older ones left open.
  // Errors: InvalidArgument (jkt not a base64url SHA-256 thumbprint),
  // NotFound (no such agent), `admit`'s and `before_commit`'s, store errors.
  Result<IssuedTokens> Create(
      int64_t agent_id, std::string_view jkt, const std::function<Result<void>()>& admit = {},
      const std::function<Result<void>(const IssuedTokens&)>& before_commit = {});

  // The live session the access token belongs to. `jkt` is the thumbprint of
  // the key that signed this request's DPoP proof, already verified (with
  // its ath) by the caller. Refused (Unauthenticated): a malformed or unknown
  // token, an expired token, an ended session, an idle or too-old session
  // (which this call then ends), or a key other than the session's.
  // Moves last_seen (at most one write per resolution period). kPeek only
  // reads: nothing moved, a lapsed session refused but not ended (a check
  // made ahead of the request, which then authenticates for real).
  enum class Access { kUse, kPeek };
  Result<Session> Authenticate(std::string_view access_token, std::string_view jkt,
                               Access access = Access::kUse);

  // Rotation: marks the refresh token used and issues a new pair (the old
  // access token stays valid until it expires). A refresh token already
  // used ends the session (kEndRefreshTokenReuse) when the proof's key is the
  // session's; under another key it is refused, the session kept. The new tokens never
  // outlive the session's absolute lifetime; the refresh token also lapses
  // after the idle timeout (or the access token's life, if longer: idleness
  // is judged from the session's last request). Errors: Unauthenticated as for Authenticate.
  // `admit`, if given, runs inside the rotation's transaction once token,
  // key and session are good, before anything changes: its error refuses
  // the refresh and rotates nothing (the caller's own bars: an agent
  // suspended or contained, a lock-down).
  // `seen`, if given, tells what the token named, refused or not: for the
  // audit trail, a reuse (the strongest sign of a stolen token) must name
  // the agent and the session it ended.
  // `proof_identity`, the request's DPoP proof's (ProofIdentity), is kept
  // with the spent token: the very request that spent it, sent again (a
  // captured one replayed; one sent twice before its proof was remembered),
  // is refused as a replay, the session kept, not taken for a reuse. Empty:
  // not kept.
  using Admit = std::function<Result<void>(const Session&)>;
  struct RefreshSeen {
    int64_t session_id = 0;  // 0: the token names no session
    int64_t agent_id = 0;
    // The token had been used: the session was ended, unless the proof's key
    // was another's (`stranger_key`).
    bool reused = false;
    bool stranger_key = false;
  };
  Result<IssuedTokens> Refresh(std::string_view refresh_token, std::string_view jkt,
                               const Admit& admit = {}, RefreshSeen* seen = nullptr,
                               std::string_view proof_identity = {});
  // The session Refresh would act on for this token now, if any: a session
  // not ended nor expired, the token used or not (a used one is reuse, which
  // Refresh must hear to end the session or record it). One read, nothing written or
  // recorded. Not a decision: Refresh checks everything again (its key, the
  // agent's bars).
  // With `bound_to` (a checked proof's JWK thumbprint), only a session bound
  // to that key.
  Result<std::optional<int64_t>> LiveRefreshSession(
      std::string_view refresh_token, std::optional<std::string_view> bound_to = std::nullopt);
  // The session of an access token if that session is not ended nor
  // expired (the token itself may have expired: its holder will refresh).
  // One read, nothing written. Not a decision: Authenticate checks
  // everything (the key, the token's expiry, idleness). With `bound_to` (a
  // checked proof's JWK thumbprint), only a session bound to that key.
  Result<std::optional<int64_t>> LiveAccessSession(
      std::string_view access_token, std::optional<std::string_view> bound_to = std::nullopt);

  // Ends the session (kEndLogout). Idempotent. Errors: NotFound.
  Result<void> Logout(int64_t session_id);

  // Ends the session with `reason` (1 to 64 characters of [a-z0-9_]) and
  // deletes its tokens. A session already ended keeps its first reason.
  // Errors: InvalidArgument (reason), NotFound.
  Result<void> Revoke(int64_t session_id, std::string_view reason);

  // Ends every live session of the agent (suspension, containment). Returns
  // how many were ended. Errors: InvalidArgument (reason).
  Result<int64_t> RevokeAllForAgent(int64_t agent_id, std::string_view reason);
  // The same inside the caller's open write transaction (no commit, no retry:
  // the caller's transaction runs again), so that a change of status and the
  // end of the sessions it forbids stand or fall together.
  Result<int64_t> EndAllForAgentInTransaction(int64_t agent_id, std::string_view reason);

  // The agent's sessions, newest first, at most `limit`. A session that has
  // lapsed but was not yet marked shows as ended (kEndIdleTimeout /
  // kEndExpired) without being written.
  Result<std::vector<Session>> List(int64_t agent_id, int64_t limit = 100);

  // Records that the agent acknowledged the use notice in this session (the
  // first acknowledgement is kept). `before_commit`, if set, runs inside the
  // transaction of a first acknowledgement (its audit event): its error
  // leaves the notice unacknowledged. Errors: NotFound, Unauthenticated (the
  // session has ended).
  Result<void> AcknowledgeNotice(int64_t session_id,
                                 const std::function<Result<void>()>& before_commit = {});

 private:
  Result<IssuedTokens> IssuePair(int64_t session_id, int64_t now, int64_t session_expires_at);
  // The session `sql` ($1: the token's digest, $2: now; columns: its id, its
  // key) finds for a token of `kind`; nullopt for none, one not bound to
  // `bound_to` if given, or text not shaped like such a token.
  Result<std::optional<int64_t>> LiveSessionOf(TokenKind kind, std::string_view token,
                                               std::optional<std::string_view> bound_to,
                                               std::string_view sql);

  store::Connection& db_;
  const Clock& clock_;
  const SessionOptions options_;
};

}  // namespace vigie::session
