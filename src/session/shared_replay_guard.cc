#include "session/shared_replay_guard.h"

#include <string_view>

#include "session/dpop.h"
#include "session/replay_cache.h"

namespace vigie::session {
namespace {

// Pairs forgotten at most this often (seconds): one DELETE by the expiry
// index, rather than one per proof.
constexpr int64_t kPurgeEvery = 60;

// How long after its expiry, by the purging node's clock, a pair is purged
// (seconds). Security: a node whose clock is ahead would otherwise forget a
// pair that a node with a correct clock still accepts a proof for: nodes'
// clocks may differ by up to this much (NTP keeps them within far less).
constexpr int64_t kPurgeLagSeconds = 60;
static_assert(kPurgeLagSeconds >= kReplayForgetLagSeconds);

// Security: the purge's bound is the earlier of this node's clock and the
// database server's. A node whose clock jumped ahead after its start-up check
// would otherwise forget pairs the nodes on time still refuse replays of.
std::string_view PurgeStatement(store::Dialect dialect) {
  if (dialect == store::Dialect::kPostgres) {
    return "DELETE FROM dpop_proof_seen WHERE expires_at < "
           "LEAST($1, CAST(floor(extract(epoch FROM clock_timestamp())) AS BIGINT)) - $2";
  }
  return "DELETE FROM dpop_proof_seen WHERE expires_at < "
         "min($1, CAST(strftime('%s','now') AS INTEGER)) - $2";
}

}  // namespace

Result<void> SharedProofReplayGuard::Use(std::string_view jkt, std::string_view jti, int64_t now) {
  const crypto::Sha256Digest digest = DpopProofDigest(jkt, jti);
  ASSIGN_OR_RETURN(auto db, pool_.Borrow());
  int64_t due = next_purge_.load();
  // Also when the clock was set back: the purge planned by its time ahead
  // would otherwise wait that long.
  const bool purge_due = now >= due || due - now > kPurgeEvery;
  if (purge_due && next_purge_.compare_exchange_strong(due, now + kPurgeEvery)) {
    ASSIGN_OR_RETURN(store::Statement * purge, db->Prepare(PurgeStatement(db->dialect())));
    purge->BindInt(1, now).BindInt(2, kPurgeLagSeconds);
    RETURN_IF_ERROR(purge->Run());
  }
  // Each statement commits on its own: two nodes racing on one pair are
  // ordered by the primary key, and exactly one of them inserts it. A row
  // left past its expiry second (not purged yet) is taken over, not a
  // replay; at its expiry second it still refuses, as the local cache does.
  ASSIGN_OR_RETURN(
      store::Statement * remember,
      db->Prepare("INSERT INTO dpop_proof_seen (digest, expires_at) VALUES ($1, $2) "
                  "ON CONFLICT (digest) DO UPDATE SET expires_at = excluded.expires_at "
                  "WHERE dpop_proof_seen.expires_at < $3"));
  remember->BindBlob(1, digest).BindInt(2, now + remember_seconds_).BindInt(3, now);
  ASSIGN_OR_RETURN(int64_t inserted, remember->Run());
  if (inserted == 0) {
    return std::unexpected(InvalidDpopProof("jti already used"));
  }
  return {};
}

Result<void> SharedProofReplayGuard::CheckUnused(std::string_view jkt, std::string_view jti,
                                                 int64_t now) {
  const crypto::Sha256Digest digest = DpopProofDigest(jkt, jti);
  ASSIGN_OR_RETURN(auto db, pool_.Borrow());
  ASSIGN_OR_RETURN(store::Statement * seen,
                   db->Prepare("SELECT count(*) FROM dpop_proof_seen WHERE digest = $1 AND "
                               "expires_at >= $2"));
  seen->BindBlob(1, digest).BindInt(2, now);
  ASSIGN_OR_RETURN(bool row, seen->Step());
  const bool used = row && seen->ColumnInt(0) != 0;
  RETURN_IF_ERROR(seen->Run());
  if (used) return std::unexpected(InvalidDpopProof("jti already used"));
  return {};
}

}  // namespace vigie::session
