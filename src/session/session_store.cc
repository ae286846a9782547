#include "session/session_store.h"

#include <algorithm>
#include <string>
#include <utility>

#include "crypto/bytes.h"
#include "crypto/hash.h"
#include "crypto/secret_bytes.h"
#include "session/internal/base64url_text.h"
#include "session/internal/session_rows.h"
#include "store/retry.h"

namespace vigie::session {
namespace {

using internal::EndSession;
using internal::LapseReason;

Error Refused(std::string message) {
  return Error(ErrorCode::kUnauthenticated, std::move(message));
}

// Security: compared in constant time. A thumbprint is not secret, but this
// is the check that stops a stolen token, and constant time costs nothing.
bool SameKey(std::string_view session_jkt, std::string_view proof_jkt) {
  return crypto::ConstantTimeEquals(crypto::AsBytes(session_jkt), crypto::AsBytes(proof_jkt));
}

// The agent's sessions not yet marked ended, newest first.
Result<std::vector<Session>> UnendedSessions(store::Connection& db, int64_t agent_id) {
  static const std::string kSql = "SELECT " + std::string(internal::kSessionColumns) +
                                  " FROM session s WHERE s.agent_id = $1 AND s.ended_at IS NULL"
                                  " ORDER BY s.id DESC";
  ASSIGN_OR_RETURN(store::Statement * select, db.Prepare(kSql));
  select->BindInt(1, agent_id);
  std::vector<Session> sessions;
  while (true) {
    ASSIGN_OR_RETURN(bool row, select->Step());
    if (!row) break;
    sessions.push_back(internal::ReadSession(*select));
  }
  return sessions;
}

// Marks lapsed sessions ended with their lapse reason; returns the others.
Result<std::vector<Session>> EndLapsed(store::Connection& db, std::vector<Session> sessions,
                                       int64_t now, const SessionOptions& options) {
  std::vector<Session> live;
  for (Session& session : sessions) {
    if (auto lapse = LapseReason(session, now, options)) {
      RETURN_IF_ERROR(EndSession(db, session.id, now, *lapse));
    } else {
      live.push_back(std::move(session));
    }
  }
  return live;
}

// Ends a lapsed session in its own transaction (the caller holds none).
Result<void> EndLapsedNow(store::Connection& db, int64_t id, int64_t now, std::string_view reason) {
  return store::RetryOnConflict([&]() -> Result<void> {
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(db));
    RETURN_IF_ERROR(EndSession(db, id, now, reason));
    return tx.Commit();
  });
}

}  // namespace

Result<IssuedTokens> SessionStore::IssuePair(int64_t session_id, int64_t now,
                                             int64_t session_expires_at) {
  IssuedTokens tokens{
      .session_id = session_id,
      .access_token = BearerToken::Generate(TokenKind::kAccess),
      .access_expires_at = std::min(now + options_.access_ttl_seconds, session_expires_at),
      .refresh_token = BearerToken::Generate(TokenKind::kRefresh),
      // Idleness is judged from the last request (LapseReason); the token's
      // own life must only outlast the access token's, or an agent at work
      // whose access tokens live longer than the idle timeout would be sent
      // back to log in at each refresh.
      .refresh_expires_at =
          std::min(now + std::max(options_.idle_timeout_seconds, options_.access_ttl_seconds),
                   session_expires_at),
  };
  // Security: only the SHA-256 digests reach the database.
  ASSIGN_OR_RETURN(store::Statement * access,
                   db_.Prepare("INSERT INTO access_token (token_hash, session_id, expires_at) "
                               "VALUES ($1, $2, $3)"));
  access->BindBlob(1, tokens.access_token.digest())
      .BindInt(2, session_id)
      .BindInt(3, tokens.access_expires_at);
  RETURN_IF_ERROR(access->Run());
  ASSIGN_OR_RETURN(store::Statement * refresh,
                   db_.Prepare("INSERT INTO refresh_token (token_hash, session_id, expires_at) "
                               "VALUES ($1, $2, $3)"));
  refresh->BindBlob(1, tokens.refresh_token.digest())
      .BindInt(2, session_id)
      .BindInt(3, tokens.refresh_expires_at);
  RETURN_IF_ERROR(refresh->Run());
  return tokens;
}

Result<IssuedTokens> SessionStore::Create(
    int64_t agent_id, std::string_view jkt, const std::function<Result<void>()>& admit,
    const std::function<Result<void>(const IssuedTokens&)>& before_commit) {
  return store::RetryOnConflict([&]() -> Result<IssuedTokens> {
    if (!internal::IsJwkThumbprint(jkt)) {
      return Fail(ErrorCode::kInvalidArgument, "jkt is not a base64url SHA-256 JWK thumbprint");
    }
    const int64_t now = UnixSeconds(clock_.Now());
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(db_));
    if (admit) RETURN_IF_ERROR(admit());

    ASSIGN_OR_RETURN(store::Statement * agent, db_.Prepare("SELECT 1 FROM agent WHERE id = $1"));
    agent->BindInt(1, agent_id);
    ASSIGN_OR_RETURN(bool agent_exists, agent->Step());
    if (!agent_exists) return Fail(ErrorCode::kNotFound, "no agent " + std::to_string(agent_id));
    RETURN_IF_ERROR(agent->Run());

    // Security: one live session per agent by default, so a new login (the
    // agent's own, or an intruder's, which the agent then notices) ends the
    // older session instead of leaving it open somewhere.
    ASSIGN_OR_RETURN(auto unended, UnendedSessions(db_, agent_id));
    ASSIGN_OR_RETURN(auto live, EndLapsed(db_, std::move(unended), now, options_));
    const size_t keep =
        static_cast<size_t>(std::max<int64_t>(options_.max_sessions_per_agent, 1) - 1);
    for (size_t i = keep; i < live.size(); ++i) {
      RETURN_IF_ERROR(EndSession(db_, live[i].id, now, kEndSuperseded));
    }

    const int64_t expires_at = now + options_.absolute_lifetime_seconds;
    ASSIGN_OR_RETURN(store::Statement * insert,
                     db_.Prepare("INSERT INTO session (agent_id, jkt, created_at, last_seen_at, "
                                 "expires_at, step_up_at) VALUES ($1, $2, $3, $3, $4, $3) "
                                 "RETURNING id"));
    insert->BindInt(1, agent_id).BindText(2, jkt).BindInt(3, now).BindInt(4, expires_at);
    ASSIGN_OR_RETURN(bool inserted, insert->Step());
    if (!inserted) return Fail(ErrorCode::kInternal, "session insert returned no id");
    const int64_t session_id = insert->ColumnInt(0);
    RETURN_IF_ERROR(insert->Run());

    ASSIGN_OR_RETURN(IssuedTokens tokens, IssuePair(session_id, now, expires_at));
    if (before_commit) RETURN_IF_ERROR(before_commit(tokens));
    RETURN_IF_ERROR(tx.Commit());
    return tokens;
  });
}

Result<Session> SessionStore::Authenticate(std::string_view access_token, std::string_view jkt,
                                           Access access) {
  ASSIGN_OR_RETURN(TokenDigest digest, DigestPresentedToken(TokenKind::kAccess, access_token));
  const int64_t now = UnixSeconds(clock_.Now());

  // Security: looked up by the token's SHA-256, not compared: the lookup's
  // timing can only tell an attacker about digests, and finding a token for a
  // chosen digest means inverting SHA-256. No cache: every request reads the
  // session row, so a revocation holds from the next request on, everywhere.
  static const std::string kSql =
      "SELECT a.expires_at, " + std::string(internal::kSessionColumns) +
      " FROM access_token a JOIN session s ON s.id = a.session_id WHERE a.token_hash = $1";
  ASSIGN_OR_RETURN(store::Statement * select, db_.Prepare(kSql));
  select->BindBlob(1, digest);
  ASSIGN_OR_RETURN(bool found, select->Step());
  if (!found) return Fail(Refused("unknown access token"));
  const int64_t token_expires_at = select->ColumnInt(0);
  Session session = internal::ReadSession(*select, 1);
  RETURN_IF_ERROR(select->Run());

  if (!session.live()) return Fail(Refused("session ended: " + session.end_reason));
  if (!SameKey(session.jkt, jkt)) {
    // Security: a stolen token presented with another key. Refused but the
    // session is left alone: whoever holds the token without the key cannot
    // use it, and must not be able to end the owner's session with it.
    return Fail(Refused("DPoP key does not match the session's"));
  }
  if (now >= token_expires_at) return Fail(Refused("access token expired"));
  if (auto lapse = LapseReason(session, now, options_)) {
    if (access == Access::kUse) RETURN_IF_ERROR(EndLapsedNow(db_, session.id, now, *lapse));
    return Fail(Refused("session ended: " + std::string(*lapse)));
  }

  // Kept cheap: a write (and its fsync) at most once per resolution period;
  // the read above is all most requests cost.
  if (access == Access::kUse &&
      now - session.last_seen_at >= options_.last_seen_resolution_seconds) {
    ASSIGN_OR_RETURN(store::Statement * touch,
                     db_.Prepare("UPDATE session SET last_seen_at = $2 "
                                 "WHERE id = $1 AND ended_at IS NULL AND last_seen_at < $2"));
    touch->BindInt(1, session.id).BindInt(2, now);
    RETURN_IF_ERROR(touch->Run());
    session.last_seen_at = now;
  }
  return session;
}

Result<std::optional<int64_t>> SessionStore::LiveSessionOf(TokenKind kind, std::string_view token,
                                                           std::optional<std::string_view> bound_to,
                                                           std::string_view sql) {
  auto digest = DigestPresentedToken(kind, token);
  if (!digest) return std::optional<int64_t>();  // not even shaped like one
  ASSIGN_OR_RETURN(store::Statement * select, db_.Prepare(sql));
  select->BindBlob(1, *digest).BindInt(2, UnixSeconds(clock_.Now()));
  ASSIGN_OR_RETURN(bool found, select->Step());
  std::optional<int64_t> session;
  if (found && (!bound_to || SameKey(select->ColumnText(1), *bound_to))) {
    session = select->ColumnInt(0);
  }
  RETURN_IF_ERROR(select->Run());
  return session;
}

Result<std::optional<int64_t>> SessionStore::LiveRefreshSession(
    std::string_view refresh_token, std::optional<std::string_view> bound_to) {
  return LiveSessionOf(TokenKind::kRefresh, refresh_token, bound_to,
                       "SELECT s.id, s.jkt FROM refresh_token r JOIN session s ON s.id = "
                       "r.session_id WHERE r.token_hash = $1 AND s.ended_at IS NULL AND "
                       "s.expires_at > $2 AND (r.used_at IS NOT NULL OR r.expires_at > $2)");
}

Result<std::optional<int64_t>> SessionStore::LiveAccessSession(
    std::string_view access_token, std::optional<std::string_view> bound_to) {
  return LiveSessionOf(TokenKind::kAccess, access_token, bound_to,
                       "SELECT s.id, s.jkt FROM access_token a JOIN session s ON s.id = "
                       "a.session_id WHERE a.token_hash = $1 AND s.ended_at IS NULL "
                       "AND s.expires_at > $2");
}

Result<IssuedTokens> SessionStore::Refresh(std::string_view refresh_token, std::string_view jkt,
                                           const Admit& admit, RefreshSeen* seen,
                                           std::string_view proof_identity) {
  std::optional<crypto::Sha256Digest> proof_digest;
  if (!proof_identity.empty()) proof_digest = crypto::Sha256(proof_identity);
  return store::RetryOnConflict([&]() -> Result<IssuedTokens> {
    ASSIGN_OR_RETURN(TokenDigest digest, DigestPresentedToken(TokenKind::kRefresh, refresh_token));
    const int64_t now = UnixSeconds(clock_.Now());
    // Security: a write transaction from the first read, so two concurrent
    // uses of one refresh token are serialised: exactly one rotates, the other
    // is seen as reuse.
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(db_));

    static const std::string kSql =
        "SELECT r.expires_at, r.used_at IS NOT NULL, r.spent_by_proof, " +
        std::string(internal::kSessionColumns) +
        " FROM refresh_token r JOIN session s ON s.id = r.session_id WHERE r.token_hash = $1";
    ASSIGN_OR_RETURN(store::Statement * select, db_.Prepare(kSql));
    select->BindBlob(1, digest);
    ASSIGN_OR_RETURN(bool found, select->Step());
    if (!found) return Fail(Refused("unknown refresh token"));
    const int64_t token_expires_at = select->ColumnInt(0);
    const bool used = select->ColumnInt(1) != 0;
    const bool spent_by_this_proof =
        proof_digest && !select->ColumnIsNull(2) &&
        crypto::ConstantTimeEquals(select->ColumnBlob(2), *proof_digest);
    Session session = internal::ReadSession(*select, 3);
    RETURN_IF_ERROR(select->Run());
    if (seen != nullptr) *seen = {.session_id = session.id, .agent_id = session.agent_id};

    if (!session.live()) return Fail(Refused("session ended: " + session.end_reason));
    if (used) {
      // The request that spent it, sent again: only the owner's key signed
      // its proof, and a replay brings nothing new (its iat window bounds
      // it). Refused; the session is its owner's still.
      if (spent_by_this_proof && SameKey(session.jkt, jkt)) {
        return Fail(Refused("refresh request replayed"));
      }
      if (seen != nullptr) {
        seen->reused = true;
        seen->stranger_key = !SameKey(session.jkt, jkt);
      }
      // Security: a refresh token is single use, so a second presentation
      // means two parties hold it. Under another key than the session's, the
      // token leaked without the key, and its holder cannot use it: refused,
      // the session left to its owner (else anyone who finds a spent token
      // could log its agent out). Under the session's key, both token and
      // key are in two hands (or a client lost the race), and we cannot tell
      // which is the owner: the session ends for both.
      if (!SameKey(session.jkt, jkt)) {
        return Fail(Refused("refresh token reused with another DPoP key"));
      }
      RETURN_IF_ERROR(EndSession(db_, session.id, now, kEndRefreshTokenReuse));
      RETURN_IF_ERROR(tx.Commit());
      return Fail(Refused("refresh token reused: session ended"));
    }
    if (!SameKey(session.jkt, jkt)) return Fail(Refused("DPoP key does not match the session's"));
    if (auto lapse = LapseReason(session, now, options_)) {
      RETURN_IF_ERROR(EndSession(db_, session.id, now, *lapse));
      RETURN_IF_ERROR(tx.Commit());
      return Fail(Refused("session ended: " + std::string(*lapse)));
    }
    if (now >= token_expires_at) return Fail(Refused("refresh token expired"));
    if (admit) RETURN_IF_ERROR(admit(session));

    ASSIGN_OR_RETURN(store::Statement * mark,
                     db_.Prepare("UPDATE refresh_token SET used_at = $2, spent_by_proof = $3 "
                                 "WHERE token_hash = $1 AND used_at IS NULL"));
    mark->BindBlob(1, digest).BindInt(2, now);
    if (proof_digest) {
      mark->BindBlob(3, *proof_digest);
    } else {
      mark->BindNull(3);
    }
    ASSIGN_OR_RETURN(int64_t marked, mark->Run());
    if (marked != 1) return Fail(ErrorCode::kInternal, "refresh token changed under a write lock");

    ASSIGN_OR_RETURN(
        store::Statement * prune,
        db_.Prepare("DELETE FROM access_token WHERE session_id = $1 AND expires_at <= $2"));
    prune->BindInt(1, session.id).BindInt(2, now);
    RETURN_IF_ERROR(prune->Run());
    // Only forwards, as Authenticate's: a node whose clock lags must not
    // move the session's last activity back (an early idle timeout).
    ASSIGN_OR_RETURN(
        store::Statement * touch,
        db_.Prepare("UPDATE session SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2"));
    touch->BindInt(1, session.id).BindInt(2, now);
    RETURN_IF_ERROR(touch->Run());

    ASSIGN_OR_RETURN(IssuedTokens tokens, IssuePair(session.id, now, session.expires_at));
    RETURN_IF_ERROR(tx.Commit());
    return tokens;
  });
}

Result<void> SessionStore::Logout(int64_t session_id) { return Revoke(session_id, kEndLogout); }

Result<void> SessionStore::Revoke(int64_t session_id, std::string_view reason) {
  return store::RetryOnConflict([&]() -> Result<void> {
    if (!internal::IsValidEndReason(reason)) {
      return Fail(ErrorCode::kInvalidArgument, "invalid revocation reason");
    }
    const int64_t now = UnixSeconds(clock_.Now());
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(db_));
    ASSIGN_OR_RETURN(auto session, internal::FindSession(db_, session_id));
    if (!session) return Fail(ErrorCode::kNotFound, "no session " + std::to_string(session_id));
    RETURN_IF_ERROR(EndSession(db_, session_id, now, reason));
    return tx.Commit();
  });
}

Result<int64_t> SessionStore::RevokeAllForAgent(int64_t agent_id, std::string_view reason) {
  return store::RetryOnConflict([&]() -> Result<int64_t> {
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(db_));
    ASSIGN_OR_RETURN(int64_t ended, EndAllForAgentInTransaction(agent_id, reason));
    RETURN_IF_ERROR(tx.Commit());
    return ended;
  });
}

Result<int64_t> SessionStore::EndAllForAgentInTransaction(int64_t agent_id,
                                                          std::string_view reason) {
  if (!internal::IsValidEndReason(reason)) {
    return Fail(ErrorCode::kInvalidArgument, "invalid revocation reason");
  }
  const int64_t now = UnixSeconds(clock_.Now());
  ASSIGN_OR_RETURN(auto unended, UnendedSessions(db_, agent_id));
  ASSIGN_OR_RETURN(auto live, EndLapsed(db_, std::move(unended), now, options_));
  for (const Session& session : live) {
    RETURN_IF_ERROR(EndSession(db_, session.id, now, reason));
  }
  return static_cast<int64_t>(live.size());
}

Result<std::vector<Session>> SessionStore::List(int64_t agent_id, int64_t limit) {
  const int64_t now = UnixSeconds(clock_.Now());
  static const std::string kSql = "SELECT " + std::string(internal::kSessionColumns) +
                                  " FROM session s WHERE s.agent_id = $1"
                                  " ORDER BY s.id DESC LIMIT $2";
  ASSIGN_OR_RETURN(store::Statement * select, db_.Prepare(kSql));
  select->BindInt(1, agent_id).BindInt(2, std::clamp<int64_t>(limit, 1, 1000));
  std::vector<Session> sessions;
  while (true) {
    ASSIGN_OR_RETURN(bool row, select->Step());
    if (!row) break;
    Session session = internal::ReadSession(*select);
    if (session.live()) {
      if (auto lapse = LapseReason(session, now, options_)) {
        session.ended_at = *lapse == kEndExpired
                               ? session.expires_at
                               : session.last_seen_at + options_.idle_timeout_seconds;
        session.end_reason = std::string(*lapse);
      }
    }
    sessions.push_back(std::move(session));
  }
  return sessions;
}

Result<void> SessionStore::AcknowledgeNotice(int64_t session_id,
                                             const std::function<Result<void>()>& before_commit) {
  return store::RetryOnConflict([&]() -> Result<void> {
    const int64_t now = UnixSeconds(clock_.Now());
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(db_));
    ASSIGN_OR_RETURN(auto session, internal::FindSession(db_, session_id));
    if (!session) return Fail(ErrorCode::kNotFound, "no session " + std::to_string(session_id));
    if (!session->live() || LapseReason(*session, now, options_)) {
      return Fail(Refused("session ended"));
    }
    if (session->notice_acknowledged()) return {};
    ASSIGN_OR_RETURN(store::Statement * ack,
                     db_.Prepare("UPDATE session SET notice_acknowledged_at = $2 WHERE id = $1"));
    ack->BindInt(1, session_id).BindInt(2, now);
    RETURN_IF_ERROR(ack->Run());
    if (before_commit) RETURN_IF_ERROR(before_commit());
    return tx.Commit();
  });
}

}  // namespace vigie::session
