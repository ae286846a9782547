#include "audit/node_claim.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "core/log.h"
#include "store/advisory_key.h"

namespace vigie::audit {
namespace {

// Whether this session holds the lock `key` now.
Result<bool> HoldsLock(store::Connection& db, int64_t key) {
  ASSIGN_OR_RETURN(store::Statement * held,
                   db.Prepare("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND "
                              "classid = $1::integer::oid AND objid = $2::integer::oid AND "
                              "objsubid = 2 AND granted AND pid = pg_backend_pid()"));
  held->BindInt(1, store::AdvisoryKeyHigh(key)).BindInt(2, store::AdvisoryKeyLow(key));
  ASSIGN_OR_RETURN(bool row, held->Step());
  const bool holds = row && held->ColumnInt(0) != 0;
  RETURN_IF_ERROR(held->Run());
  return holds;
}

Result<bool> TryLock(store::Connection& db, int64_t key) {
  // Until the server ends a vanished node's session (within seconds: every
  // session sets store::kSessionKeepalives), its claim would keep the
  // restarted node from serving.
  ASSIGN_OR_RETURN(store::Statement * lock,
                   db.Prepare("SELECT pg_try_advisory_lock($1::integer, $2::integer)"));
  lock->BindInt(1, store::AdvisoryKeyHigh(key)).BindInt(2, store::AdvisoryKeyLow(key));
  ASSIGN_OR_RETURN(bool row, lock->Step());
  const bool taken = row && lock->ColumnInt(0) != 0;
  RETURN_IF_ERROR(lock->Run());
  return taken;
}

}  // namespace

struct NodeClaim::Keeper {
  std::unique_ptr<store::Connection> db;  // the session holding the lock; the thread's
  int64_t key = 0;
  std::string node_id;
  std::chrono::milliseconds every{0};
  std::atomic<bool> held{true};
  std::mutex mutex;
  std::condition_variable stop;
  bool stopping = false;  // guarded by mutex
  std::thread thread;

  void Run() {
    std::unique_lock lock(mutex);
    while (!stop.wait_for(lock, every, [this] { return stopping; })) {
      lock.unlock();
      Check();
      lock.lock();
    }
  }

  // The claim as the database sees it: still ours, ours again, or not ours.
  void Check() {
    const bool was = held.load();
    Result<bool> ours = HoldsLock(*db, key);  // reconnects first if the session is gone
    if (ours && !*ours) {
      held.store(false);  // known lost, whatever taking it again gives
      ours = TryLock(*db, key);
    }
    if (!ours) {
      // Unknown (the database unreachable): the log fails closed meanwhile;
      // the claim stays as last seen.
      Log(LogLevel::kWarn, "audit_node_claim_unchecked", {{"error", ours.error().message()}});
      if (was && !held.load()) {
        Log(LogLevel::kError, "audit_node_claim_lost", {{"node_id", node_id}});
      }
      return;
    }
    held.store(*ours);
    if (was && !*ours) {
      Log(LogLevel::kError, "audit_node_claim_lost",
          {{"node_id", node_id},
           {"effect", "not ready: another running server writes the log under this node id"}});
    } else if (!was && *ours) {
      Log(LogLevel::kWarn, "audit_node_claim_taken_again", {{"node_id", node_id}});
    }
  }
};

NodeClaim::NodeClaim(std::unique_ptr<Keeper> keeper) : keeper_(std::move(keeper)) {}
NodeClaim::NodeClaim(NodeClaim&&) noexcept = default;

NodeClaim::~NodeClaim() {
  if (!keeper_) return;
  {
    std::lock_guard lock(keeper_->mutex);
    keeper_->stopping = true;
  }
  keeper_->stop.notify_one();
  if (keeper_->thread.joinable()) keeper_->thread.join();
}

bool NodeClaim::held() const { return !keeper_ || keeper_->held.load(); }

Result<NodeClaim> NodeClaim::Take(const std::string& audit_url, std::string_view node_id,
                                  std::chrono::milliseconds recheck_every) {
  ASSIGN_OR_RETURN(std::unique_ptr<store::Connection> db, store::Open(audit_url));
  if (db->dialect() != store::Dialect::kPostgres) return NodeClaim(nullptr);
  ASSIGN_OR_RETURN(store::Statement * schema, db->Prepare("SELECT current_schema()"));
  ASSIGN_OR_RETURN(bool named, schema->Step());
  const std::string log_schema(named ? schema->ColumnText(0) : "");
  RETURN_IF_ERROR(schema->Run());
  // Per log: several logs (schemas) may share one database, each with its nodes.
  const int64_t key = store::AdvisoryKey("audit-node-id", log_schema + "\n" + std::string(node_id));
  ASSIGN_OR_RETURN(bool taken, TryLock(*db, key));
  if (!taken) {
    // Who holds it, for an operator who knows that node is gone.
    ASSIGN_OR_RETURN(store::Statement * holder,
                     db->Prepare("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND "
                                 "classid = $1::integer::oid AND objid = $2::integer::oid AND "
                                 "objsubid = 2 AND granted"));
    holder->BindInt(1, store::AdvisoryKeyHigh(key)).BindInt(2, store::AdvisoryKeyLow(key));
    ASSIGN_OR_RETURN(bool found, holder->Step());
    const std::string pid = found ? std::to_string(holder->ColumnInt(0)) : "?";
    RETURN_IF_ERROR(holder->Run());
    return Fail(ErrorCode::kConflict,
                "another running server writes the shared audit log as node '" +
                    std::string(node_id) + "' (PostgreSQL session " + pid +
                    "): give each node its own [audit] node_id (detection tells the nodes' "
                    "events apart by it); if that node is gone, its session ends within "
                    "seconds, or end it with pg_terminate_backend(" + pid + ")");
  }
  auto keeper = std::make_unique<Keeper>();
  keeper->db = std::move(db);
  keeper->key = key;
  keeper->node_id = std::string(node_id);
  keeper->every = recheck_every;
  keeper->thread = std::thread([raw = keeper.get()] { raw->Run(); });
  return NodeClaim(std::move(keeper));
}

}  // namespace vigie::audit
