#pragma once
// AuditLog: the durable, append-only audit log, on its own database (so a
// records import or a vacuum never waits on it, and it can live on another
// disk). DESIGN invariant 1: Append returns only once the event is durable,
// and a caller hands out nothing until it has returned successfully.
//
// Group commit: one writer thread takes every event queued while the previous
// transaction was syncing (and, under concurrency, up to gather_delay more)
// and commits them together - each event gets its sequence number, its chain
// hash and its Merkle leaf, and many events share one fsync. Every N events
// or T milliseconds the same transaction adds a signed Checkpoint, also
// appended (and fsynced) to the witness file.
//
// Failing closed: when a commit fails (disk full, I/O error, database
// locked) the events of that batch are refused and nothing advances; each
// later batch tries again, and while no event comes the writer tries on its
// own every `recovery_probe_every`, so the log recovers by itself (and
// stats().failing clears: readiness, metrics) once the database is
// writable. The first batch written after an outage records it, ahead of its
// own events: an `audit_log_resumed` event saying since when the log failed
// and how many events it refused - even across a restart, through the
// outage mark. A caller never waits longer than `max_wait` for durability.
//
// Thread-safety: Append, AppendThen and stats may be called from any thread.
// Errors: Append returns Unavailable when the event cannot be made durable in
// time, InvalidArgument / ResourceExhausted when it cannot be encoded
// (see audit_event_codec.h). Open returns DataLoss when the stored tip does
// not match the stored events (run `vigie audit verify`).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "audit/audit_event.h"
#include "audit/checkpoint.h"
#include "audit/event_search.h"
#include "audit/foreign_event_cache.h"
#include "core/clock.h"
#include "core/error.h"
#include "crypto/keyring.h"
#include "store/connection_pool.h"
#include "store/store.h"

namespace vigie::audit {

struct AuditLogOptions {
  std::string url;                // e.g. "sqlite:/var/lib/vigie/audit.db"
  std::string node_id = "vigie";  // written into events that name none
  std::chrono::milliseconds max_wait{1000};
  std::chrono::milliseconds recovery_probe_every{1000};  // while failing and idle
  size_t max_batch = 16'384;   // events per transaction
  size_t max_queue = 262'144;  // events waiting; beyond, Append fails at once
  // Under concurrency (the last batch had more than one event), the writer
  // waits up to gather_delay for gather_events to queue before committing:
  // fewer, larger commits for a little latency, as PostgreSQL's commit_delay.
  // It stops early once gather_quiet brings no new event (the appenders left
  // are then likely all waiting on this batch); a lone appender never waits.
  std::chrono::microseconds gather_delay{1000};
  std::chrono::microseconds gather_quiet{250};
  size_t gather_events = 32;
  uint64_t checkpoint_every_events = 10'000;
  std::chrono::milliseconds checkpoint_every{10'000};
  std::filesystem::path witness_file;  // empty: none
  // Where an outage is remembered across a restart (see outage_mark.h);
  // empty: an outage a restart cuts short goes unrecorded.
  std::filesystem::path outage_mark;
  int64_t max_size_mib = 0;            // cap on the database size; 0: none
  // Also told of every checkpoint once it is durable; runs on the writer
  // thread once the batch's callers are told, so it holds back the next
  // batch: it must be quick and must not throw (one that may block, as
  // syslog(3) does, goes behind a CheckpointRelay).
  std::function<void(const Checkpoint&)> checkpoint_sink;
  // The public half of audit-signing key `key_id` as the key file holds it
  // now, or nullopt. Asked when the latest checkpoint is another key's (a
  // rotation this process was not restarted for): only one that key really
  // signed stops this process signing. Security: else one row anyone with
  // INSERT on the database could add stopped every checkpoint for good.
  // Unset: no other key's checkpoint is believed.
  std::function<std::optional<crypto::Ed25519PublicKey>(uint32_t key_id)> signing_key_of;
};

struct AuditLogStats {
  uint64_t size = 0;     // durable events
  uint64_t commits = 0;  // successful transactions (= fsyncs)
  uint64_t failed_commits = 0;
  uint64_t checkpoints = 0;  // issued by this process
  // The last commit failed, or an event has waited longer than max_wait (a
  // database that hangs): consultations are refused.
  bool failing = false;
};

// The audit database's schema (its own migrations, versioned apart from Vigie's).
std::span<const store::Migration> AuditLogSchema(store::Dialect dialect);

// Stored checkpoints, oldest first.
Result<std::vector<Checkpoint>> ReadCheckpoints(store::Connection& db);
// The stored checkpoint with the largest tree size, if any; at most
// `at_most` (a writer's tip: a row beyond the log, which whoever can INSERT
// may add, must not hide the latest real one).
Result<std::optional<Checkpoint>> ReadLatestCheckpoint(
    store::Connection& db, uint64_t at_most = std::numeric_limits<int64_t>::max());

class AuditLog {
 public:
  // Opens (creating if needed) the log at options.url; checkpoints are signed
  // with `signing_key` (an "audit-signing" data key used as an Ed25519 seed).
  static Result<std::unique_ptr<AuditLog>> Open(AuditLogOptions options,
                                                const crypto::DataKey& signing_key,
                                                const Clock& clock);
  // Commits what is queued, issues a final checkpoint, stops the writer.
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Makes `event` durable and returns the sequence number it was given
  // (event.sequence is ignored; an empty node_id takes the log's).
  Result<uint64_t> Append(AuditEvent event);

  // As Append, without waiting: `done` is called once with the outcome -
  // on the writer thread once the event's batch committed or failed, or at
  // once on this thread when the event cannot be queued. `done` must be
  // quick and must not throw (it holds up the next batch). It has no
  // deadline: a caller answering someone applies max_wait() itself, and
  // returns false when told of a durable event after it had stopped waiting
  // (its request refused): the log records such events once they stop
  // (audit_log_resumed's late_events), as the stall of a database that hung.
  using Done = std::function<bool(Result<uint64_t>)>;
  void AppendThen(AuditEvent event, Done done);
  // How long Append waits for durability before refusing.
  std::chrono::milliseconds max_wait() const;

  // Appends many events in one hand-off (generators, imports) and waits until
  // all are durable, however long that takes; returns how many. The first
  // error when any was refused (the others may be durable).
  Result<uint64_t> AppendAll(std::vector<AuditEvent> events);

  AuditLogStats stats() const;

  // Events matching `filter` (see event_search.h), read on a pooled
  // read-only connection apart from the writer's, so reads never wait on it
  // (and, on PostgreSQL, detection's frequent reads cost no new session).
  Result<std::vector<AuditEvent>> Find(const EventFilter& filter) const;

  // The events of `agent_id` that other nodes or processes appended with
  // after < sequence < before (foreign_appends.h), each of their batches
  // read once for every agent (foreign_event_cache.h): empty without a read
  // when there are none; nullopt when that stretch is not known here (read
  // the agent's events with Find instead). For detection on a shared log.
  Result<std::optional<std::vector<AuditEvent>>> ForeignEventsOf(int64_t agent_id,
                                                                 uint64_t after,
                                                                 uint64_t before) const;

  // Changes the size cap (0: none) without a restart, e.g. after an operator
  // made room; the next batch uses it.
  void SetMaxSizeMib(int64_t mib);

  class Writer;

 private:
  AuditLog(std::unique_ptr<Writer> writer, std::string url);
  std::unique_ptr<Writer> writer_;
  std::string url_;
  mutable store::ConnectionPool readers_;
  mutable ForeignEventCache foreign_events_;
};

}  // namespace vigie::audit
