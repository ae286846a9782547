#include "audit/audit_log.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "audit/audit_event_codec.h"
#include "audit/foreign_appends.h"
#include "audit/hash_chain.h"
#include "audit/log_opening.h"
#include "audit/log_outage.h"
#include "audit/log_tables.h"
#include "audit/merkle_frontier.h"
#include "audit/pending_event.h"
#include "audit/person_index_upkeep.h"
#include "audit/subtree_table.h"
#include "core/durable_file.h"
#include "core/log.h"

namespace vigie::audit {
namespace {

// What a blocking caller and its Done share: the answer, and who came
// first - the answer, or the caller giving up at max_wait.
struct Fulfilment {
  std::promise<Result<uint64_t>> promise;
  std::atomic<bool> claimed{false};
};

}  // namespace

class AuditLog::Writer {
 public:
  Writer(AuditLogOptions options, const crypto::DataKey& signing_key, const Clock& clock,
         std::unique_ptr<store::Connection> db)
      : options_(std::move(options)),
        clock_(clock),
        key_id_(signing_key.id),
        signing_key_(crypto::Ed25519KeyPair::FromSeed(signing_key.bytes())),
        db_(std::move(db)),
        max_size_mib_(options_.max_size_mib) {}

  Result<void> Load() {
    ASSIGN_OR_RETURN(OpenedLog opened, OpenStoredLog(*db_));
    last_checkpoint_size_ = opened.last_checkpoint_size;
    person_index_.Opened(opened.person_indexed);
    last_checkpoint_time_ = clock_.Now();
    stats_.size = opened.size;
    written_size_ = opened.size;
    foreign_.Opened(opened.size);
    RETURN_IF_ERROR(ApplySizeCap(max_size_mib_));
    // An outage a restart cut short: the first commit that passes records
    // it (Run tries one at once) - unless it is recorded already.
    outage_.Load();
    if (outage_.ongoing() && outage_.since_unix_micros() != 0) {
      if (std::optional<uint64_t> record = FindOutageRecord(*db_, outage_, options_.node_id)) {
        Log(LogLevel::kWarn, "audit_outage_already_recorded", {{"sequence", *record}});
        outage_.Recorded();
      }
    }
    thread_ = std::thread([this] { Run(); });
    return {};
  }

  ~Writer() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    work_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

  Result<uint64_t> Append(AuditEvent event) {
    auto fulfilment = std::make_shared<Fulfilment>();
    std::future<Result<uint64_t>> done = fulfilment->promise.get_future();
    Done fulfil = [fulfilment](Result<uint64_t> outcome) {
      const bool given_up = fulfilment->claimed.exchange(true);
      fulfilment->promise.set_value(std::move(outcome));
      return !given_up;
    };
    if (auto queued = Enqueue(std::move(event), fulfil); !queued) {
      return std::unexpected(queued.error());
    }
    if (done.wait_for(options_.max_wait) != std::future_status::ready &&
        !fulfilment->claimed.exchange(true)) {
      // Fail closed: the event may still become durable later, which only
      // over-reports; handing the data out unrecorded is what must not happen.
      return Fail(ErrorCode::kUnavailable, "the audit log did not confirm the event in time");
    }
    return done.get();  // answered first, if only just
  }

  void AppendThen(AuditEvent event, Done done) {
    if (auto queued = Enqueue(std::move(event), done); !queued) {
      (void)done(std::unexpected(queued.error()));
    }
  }

  std::chrono::milliseconds max_wait() const { return options_.max_wait; }

  // For imports and generators: one hand-off for many events, which then
  // fill whole batches; they wait without a deadline (nobody is being
  // answered). One tally for the hand-off, not a promise per event: those
  // cost the writer a tenth of a bulk append (docs/benchmarks.md).
  Result<uint64_t> AppendAll(std::vector<AuditEvent> events) {
    struct Tally {
      std::mutex mutex;
      std::condition_variable settled;
      size_t outstanding = 0;
      uint64_t appended = 0;
      std::optional<Error> first_error;
    };
    // Shared with the writer's callbacks, the last of which may still hold
    // the lock when the caller wakes.
    auto tally = std::make_shared<Tally>();
    tally->outstanding = events.size();
    auto count = [tally](Result<uint64_t> outcome) {
      std::lock_guard lock(tally->mutex);
      if (outcome) {
        ++tally->appended;
      } else if (!tally->first_error) {
        tally->first_error = outcome.error();
      }
      if (--tally->outstanding == 0) tally->settled.notify_one();
      return true;  // no deadline: never late
    };
    {
      std::lock_guard lock(mutex_);
      for (AuditEvent& event : events) queue_.push_back(PendingEvent{std::move(event), count});
      if (!events.empty()) NoteWaiting();
    }
    work_.notify_one();
    std::unique_lock lock(tally->mutex);
    tally->settled.wait(lock, [&] { return tally->outstanding == 0; });
    if (tally->first_error) return std::unexpected(*tally->first_error);
    return tally->appended;
  }

  AuditLogStats stats() const {
    std::lock_guard lock(mutex_);
    AuditLogStats stats = stats_;
    // A log that keeps events waiting past max_wait refuses consultations as
    // surely as one that fails: a database that hangs (a lost synchronous
    // standby, stalled storage) instead of answering with an error.
    if (waiting_since_ && std::chrono::steady_clock::now() - *waiting_since_ > options_.max_wait) {
      stats.failing = true;
    }
    return stats;
  }

  void SetMaxSizeMib(int64_t mib) { max_size_mib_.store(mib); }

  const ForeignAppends& foreign() const { return foreign_; }

 private:
  // Queues one event for the next batch; `done` is moved from only then.
  Result<void> Enqueue(AuditEvent event, Done& done) {
    {
      std::lock_guard lock(mutex_);
      if (queue_.size() >= options_.max_queue) {
        // Refused without reaching the log: the outage's record counts it.
        if (unqueued_.refused++ == 0) unqueued_.first_unix_micros = UnixMicros(clock_.Now());
        work_.notify_one();
        return Fail(ErrorCode::kUnavailable, "the audit log is not keeping up");
      }
      queue_.push_back(PendingEvent{std::move(event), std::move(done),
                                    std::chrono::steady_clock::now() + options_.max_wait});
      NoteWaiting();
      // A gathering writer wakes for a full batch, not for each event.
      if (gathering_ && queue_.size() < options_.gather_events) return {};
    }
    work_.notify_one();
    return {};
  }

  // Under mutex_, after queueing.
  void NoteWaiting() {
    if (!waiting_since_) waiting_since_ = std::chrono::steady_clock::now();
  }

  void Run() {
    std::vector<PendingEvent> batch;
    Unqueued unqueued;
    while (true) {
      bool stopping = false;
      bool probe = false;
      bool catch_up = false;
      {
        std::unique_lock lock(mutex_);
        while (queue_.empty() && !stopping_) {
          if (unqueued_.refused > 0) break;  // counted below, then recorded
          if (outage_.ongoing() && !stats_.failing) {
            probe = true;  // an outage from before a restart: record it now
            break;
          }
          if (!stats_.failing && person_index_.Behind(written_size_)) {
            catch_up = true;  // idle: a long unindexed stretch gets indexed now
            break;
          }
          if (stats_.failing) {
            // Idle while failing: no caller's batch will find the log
            // writable again, so a batch of its own does (the outage event).
            probe = work_.wait_for(lock, options_.recovery_probe_every) == std::cv_status::timeout;
            if (probe) break;
          } else if (stats_.size > last_checkpoint_size_) {
            // Waits on the real clock; the injected one only dates checkpoints.
            auto left = std::max<std::chrono::nanoseconds>(
                options_.checkpoint_every - SinceLastCheckpoint(), std::chrono::milliseconds(1));
            if (work_.wait_for(lock, left) == std::cv_status::timeout) break;
          } else {
            work_.wait(lock);
          }
        }
        stopping = stopping_;
        if (!stopping && !catch_up && last_batch_ > 1 && queue_.size() < options_.gather_events) {
          Gather(lock);
          stopping = stopping_;
        }
        size_t take = std::min(queue_.size(), options_.max_batch);
        last_batch_ = take;
        batch.assign(std::make_move_iterator(queue_.begin()),
                     std::make_move_iterator(queue_.begin() + static_cast<ptrdiff_t>(take)));
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(take));
        unqueued = std::exchange(unqueued_, {});
      }
      if (unqueued.refused > 0) outage_.Refused(unqueued.refused, unqueued.first_unix_micros);
      bool drained = stopping && batch.empty();
      if (!batch.empty() || probe || CheckpointDue(stats_size(), drained)) {
        CommitBatch(batch, drained);
      }
      const size_t batch_size = batch.size();
      batch.clear();
      if (batch_size > 0) {
        // Those still queued came while this batch was written: counted from
        // now, which understates their wait by a commit at most.
        std::lock_guard lock(mutex_);
        waiting_since_.reset();
        if (!queue_.empty()) NoteWaiting();
      }
      person_index_.After(written_size_, drained, batch_size);
      if (drained) return;
    }
  }

  // Waits, within gather_delay, for gather_events to queue, and stops after
  // gather_quiet in which nobody new came: then every appender still out is
  // likely waiting on this very batch (blocked callers, keep-alive clients
  // one request at a time), and waiting longer would only delay them.
  void Gather(std::unique_lock<std::mutex>& lock) {
    gathering_ = true;
    const auto until = std::chrono::steady_clock::now() + options_.gather_delay;
    const auto slice = std::max<std::chrono::microseconds>(
        std::min(options_.gather_delay, options_.gather_quiet),
        std::chrono::microseconds(1));
    auto full = [&] { return stopping_ || queue_.size() >= options_.gather_events; };
    for (size_t seen = queue_.size(); !full(); seen = queue_.size()) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= until) break;
      work_.wait_for(lock, std::min<std::chrono::steady_clock::duration>(slice, until - now), full);
      if (queue_.size() == seen) break;
    }
    gathering_ = false;
  }

  uint64_t stats_size() const {
    std::lock_guard lock(mutex_);
    return stats_.size;
  }

  // A clock stepped back (NTP, an operator) makes a checkpoint due at once:
  // waiting for it to catch up would leave events unsigned that long.
  std::chrono::nanoseconds SinceLastCheckpoint() const {
    const auto elapsed = clock_.Now() - last_checkpoint_time_;
    return elapsed < std::chrono::nanoseconds::zero() ? options_.checkpoint_every : elapsed;
  }

  bool CheckpointDue(uint64_t size, bool final) const {
    if (size == last_checkpoint_size_) return false;
    return final || size - last_checkpoint_size_ >= options_.checkpoint_every_events ||
           SinceLastCheckpoint() >= options_.checkpoint_every;
  }

  Result<void> ApplySizeCap(int64_t mib) {
    RETURN_IF_ERROR(CapLogSize(*db_, mib));
    applied_size_mib_ = mib;
    return {};
  }

  // A batch that appended nothing (a final checkpoint) finds the size
  // already signed by another node or command: nothing new to sign.
  Result<bool> CheckpointedElsewhere(uint64_t size, uint64_t size_before) {
    if (size != size_before) return false;
    ASSIGN_OR_RETURN(std::optional<Checkpoint> latest, ReadLatestCheckpoint(*db_, size));
    return latest.has_value() && latest->tree_size == size && Genuine(*latest);
  }

  // Whether `checkpoint` was signed by the key it names: this process's, or
  // one the key file holds (options_.signing_key_of). One that was not is
  // logged (once) as forged and otherwise ignored: `vigie audit verify`
  // names it.
  bool Genuine(const Checkpoint& checkpoint) {
    std::optional<crypto::Ed25519PublicKey> key;
    if (checkpoint.key_id == key_id_) {
      key = signing_key_.public_key();
    } else if (auto known = other_keys_.find(checkpoint.key_id); known != other_keys_.end()) {
      key = known->second;
    } else if (options_.signing_key_of) {
      key = options_.signing_key_of(checkpoint.key_id);
      if (key) other_keys_.emplace(checkpoint.key_id, *key);
    }
    if (key && CheckpointSignatureValid(checkpoint, *key)) return true;
    if (!forgery_logged_) {
      Log(LogLevel::kError, "audit_checkpoint_forged",
          {{"tree_size", checkpoint.tree_size},
           {"key_id", static_cast<unsigned long>(checkpoint.key_id)},
           {"effect", "ignored: checkpoints are signed on; run vigie audit verify"}});
      forgery_logged_ = true;
    }
    return false;
  }

  // Whether a newer signing key already signs this log: a rotation this
  // process was not restarted for (another node, or a command run after
  // `vigie keys activate`). Signing on with the old key would go beyond the
  // size it is retired at (`vigie keys retire`), and the log would read as
  // forged; the newer key's next checkpoint covers these events instead.
  Result<bool> SupersededByANewerKey(uint64_t size) {
    ASSIGN_OR_RETURN(std::optional<Checkpoint> latest, ReadLatestCheckpoint(*db_, size));
    const bool superseded = latest.has_value() && latest->key_id > key_id_ && Genuine(*latest);
    if (superseded && !superseded_logged_) {
      Log(LogLevel::kError, "audit_signing_key_superseded",
          {{"key_id", static_cast<unsigned long>(key_id_)},
           {"newer_key_id", static_cast<unsigned long>(latest->key_id)},
           {"effect", "no checkpoint signed here until this process restarts with the key file"}});
    }
    superseded_logged_ = superseded_logged_ || superseded;
    return superseded;
  }

  // Everything of one transaction; on error the caller rolls back.
  Result<std::optional<Checkpoint>> WriteBatch(std::vector<PendingEvent>& batch,
                                               std::vector<Result<uint64_t>>& outcomes,
                                               bool final) {
    ASSIGN_OR_RETURN(Tip tip, ReadTip(*db_));
    uint64_t size = tip.frontier.size();
    const uint64_t size_before = size;
    batch_first_ = size_before;
    completed_.clear();
    std::vector<EventRow> rows;
    rows.reserve(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
      AuditEvent& event = batch[i].event;
      event.sequence = size;
      if (event.node_id.empty()) event.node_id = options_.node_id;
      auto encoded = EncodeAuditEvent(event);
      if (!encoded) {
        outcomes[i] = std::unexpected(encoded.error());
        continue;
      }
      Sha256Digest chain_hash = ChainHash(tip.chain_hash, *encoded);
      tip.chain_hash = chain_hash;
      tip.frontier.Append(AuditEventLeafHash(*encoded), kStoredSubtreeMinLevel, completed_);
      rows.push_back(EventRow{&event, std::move(*encoded), chain_hash});
      outcomes[i] = size++;
    }
    RETURN_IF_ERROR(InsertEvents(*db_, rows));
    // Same transaction as the events that complete them: as durable as those.
    RETURN_IF_ERROR(InsertSubtrees(*db_, completed_));
    std::optional<Checkpoint> checkpoint;
    ASSIGN_OR_RETURN(bool signed_already, CheckpointedElsewhere(size, size_before));
    // Asked once: it reads the clock, and a second answer that changed
    // would sign without the newer-key check.
    const bool due = CheckpointDue(size, final);
    if (!signed_already && due) {
      ASSIGN_OR_RETURN(signed_already, SupersededByANewerKey(size));
    }
    tip_signed_elsewhere_ = signed_already;
    if (due && !signed_already) {
      checkpoint = Checkpoint{.tree_size = size,
                              .time_unix_micros = UnixMicros(clock_.Now()),
                              .root = tip.frontier.Root(),
                              .chain_hash = tip.chain_hash,
                              .key_id = key_id_};
      SignCheckpoint(signing_key_, *checkpoint);
      RETURN_IF_ERROR(InsertCheckpoint(*db_, *checkpoint));
    }
    RETURN_IF_ERROR(WriteTip(*db_, size, tip));
    RETURN_IF_ERROR(RecordSubtreesCover(*db_, size_before, size));
    written_size_ = size;
    return checkpoint;
  }

  void CommitBatch(std::vector<PendingEvent>& batch, bool final) {
    // The first batch written after an outage records it, first.
    const bool records_outage = outage_.ongoing();
    if (records_outage) {
      batch.insert(batch.begin(), PendingEvent{outage_.ResumedEvent(UnixMicros(clock_.Now())), {}});
    }
    std::vector<Result<uint64_t>> outcomes(batch.size(), 0);
    const uint64_t size_before = written_size_;
    Result<std::optional<Checkpoint>> written = std::optional<Checkpoint>{};
    if (int64_t cap = max_size_mib_.load(); cap != applied_size_mib_) {
      if (auto capped = ApplySizeCap(cap); !capped) written = std::unexpected(capped.error());
    }
    std::optional<AppendLock> append_lock;
    if (written) {
      if (auto taken = AppendLock::Take(*db_); taken) {
        append_lock.emplace(std::move(*taken));
      } else {
        written = std::unexpected(taken.error());
      }
    }
    if (written) {
      if (auto began = db_->Begin(); !began) {
        written = std::unexpected(began.error());
      } else {
        written = WriteBatch(batch, outcomes, final);
        if (written) {
          if (auto committed = db_->Commit(); !committed)
            written = std::unexpected(committed.error());
        }
        if (!written) (void)db_->Rollback();
      }
    }
    append_lock.reset();  // other nodes may append from here
    if (!written) {
      written_size_ = size_before;  // nothing of this batch is in the log
      Error refused(ErrorCode::kUnavailable,
                    "the audit log cannot be written: " + written.error().message());
      bool was_failing = false;
      {
        std::lock_guard lock(mutex_);
        was_failing = stats_.failing;
        stats_.failing = true;
        ++stats_.failed_commits;
      }
      outage_.Refused(batch.size() - (records_outage ? 1 : 0), UnixMicros(clock_.Now()));
      // The alert: once per outage, not once per refused event.
      if (!was_failing) {
        Log(LogLevel::kError, "audit_log_failing",
            {{"error", written.error().message()}, {"effect", "consultations refused"}});
      }
      // Callers learn of the refusal only once the outage is visible in stats.
      for (PendingEvent& pending : batch) Tell(pending, std::unexpected(refused));
      return;
    }
    // Before anyone learns of these events: detection asks about them.
    foreign_.AppendedOwn(batch_first_, written_size_);
    if (written->has_value()) {
      last_checkpoint_size_ = (*written)->tree_size;
      last_checkpoint_time_ = clock_.Now();
    } else if (tip_signed_elsewhere_) {
      // Nothing left to sign: without this the idle loop found a checkpoint
      // due at once, again and again (an empty commit every millisecond).
      last_checkpoint_size_ = written_size_;
      last_checkpoint_time_ = clock_.Now();
    }
    bool recovered = false;
    {
      std::lock_guard lock(mutex_);
      recovered = stats_.failing;
      stats_.failing = false;
      stats_.size = written_size_;
      ++stats_.commits;
      if (written->has_value()) ++stats_.checkpoints;
    }
    if (recovered) Log(LogLevel::kWarn, "audit_log_recovered", {{"size", stats_size()}});
    // The callers first: the record is durable, and neither the checkpoint's
    // copies (a file synced, a syslog sink) nor the mark's removal (an unlink
    // and a directory sync) may make them late.
    const std::optional<LateAnswers> stall = TellAndFindLateAnswers(batch, outcomes, clock_);
    if (written->has_value()) WriteWitness(**written);
    if (records_outage) outage_.Recorded();
    if (stall) outage_.Late(stall->late, stall->due_unix_micros);
  }

  // The checkpoint is already durable in the database; the witness file is a
  // second copy out of the database's reach, so a failure here is an alert,
  // not a refusal.
  void WriteWitness(const Checkpoint& checkpoint) {
    if (options_.checkpoint_sink) options_.checkpoint_sink(checkpoint);
    if (options_.witness_file.empty()) return;
    // A crash mid-append (this process's last one, or another writer's:
    // a command closing with its checkpoint) may have left a line without
    // its newline, which the next line would be glued to, leaving a line no
    // reader can parse, for good. Cheap when whole: its last byte is read.
    // A line that is JSON but no checkpoint is damage: kept for `audit
    // verify` to name, not cut.
    auto mended = MendLastLine(options_.witness_file, WrittenWholeJson);
    if (!mended) {
      Log(LogLevel::kError, "audit_witness_file_failing",
          {{"file", options_.witness_file.string()}, {"error", mended.error().message()}});
      return;  // appending now would glue the line to the damaged one
    }
    if (*mended == LastLine::kCut) {
      Log(LogLevel::kWarn, "audit_witness_partial_line_cut",
          {{"file", options_.witness_file.string()}});
    }
    if (auto written = AppendDurably(options_.witness_file, WitnessLine(checkpoint) + "\n", 0600,
                                     Writers::kShared);
        !written) {
      Log(LogLevel::kError, "audit_witness_file_failing",
          {{"file", options_.witness_file.string()}, {"error", written.error().message()}});
    }
  }

  const AuditLogOptions options_;
  const Clock& clock_;
  const uint32_t key_id_;
  const crypto::Ed25519KeyPair signing_key_;
  std::unique_ptr<store::Connection> db_;  // the writer thread's alone once it runs
  std::atomic<int64_t> max_size_mib_;
  int64_t applied_size_mib_ = 0;

  // Writer thread only (and Load before it starts).
  uint64_t written_size_ = 0;    // the log's size after the last write transaction
  PersonIndexUpkeep person_index_{*db_};  // declared after db_, which it uses
  uint64_t last_checkpoint_size_ = 0;
  TimePoint last_checkpoint_time_{};
  std::vector<CompletedSubtree> completed_;  // by the batch being written
  uint64_t batch_first_ = 0;                 // the log's size when it began
  bool superseded_logged_ = false;           // audit_signing_key_superseded, once
  bool forgery_logged_ = false;              // audit_checkpoint_forged, once
  std::map<uint32_t, crypto::Ed25519PublicKey> other_keys_;  // Genuine's, once found
  bool tip_signed_elsewhere_ =
      false;  // it appended nothing to a signed log, or a newer key signs it
  LogOutage outage_{options_.outage_mark};   // since the last commit failed
  ForeignAppends foreign_;                   // any thread

  mutable std::mutex mutex_;
  std::condition_variable work_;
  std::deque<PendingEvent> queue_;  // taken from the front, max_batch at a time
  // When the oldest event not yet answered was queued (at the latest).
  std::optional<std::chrono::steady_clock::time_point> waiting_since_;
  size_t last_batch_ = 0;      // events in the last batch taken (under mutex_)
  // Events refused because the queue was full (under mutex_): never in the
  // log, counted by the writer into the outage it records.
  struct Unqueued {
    uint64_t refused = 0;
    int64_t first_unix_micros = 0;
  } unqueued_;
  bool gathering_ = false;     // the writer waits for more events (under mutex_)
  bool stopping_ = false;
  AuditLogStats stats_;
  std::thread thread_;
};

// Readers at once: the API's audit searches and detection's history reads.
constexpr size_t kReaders = 8;

AuditLog::AuditLog(std::unique_ptr<Writer> writer, std::string url)
    : writer_(std::move(writer)),
      url_(std::move(url)),
      readers_(url_, {.read_only = true}, kReaders),
      foreign_events_([this](uint64_t begin, uint64_t end) {
        return Find(EventFilter{.after_sequence = begin, .limit = end - begin});
      }) {}
AuditLog::~AuditLog() = default;

Result<std::unique_ptr<AuditLog>> AuditLog::Open(AuditLogOptions options,
                                                 const crypto::DataKey& signing_key,
                                                 const Clock& clock) {
  store::OpenOptions open_options;
  // Security: an event is durable before its caller hears so, even where a
  // DBA (or a URL's options) turned synchronous_commit off.
  open_options.durable_commits = true;
  if (!options.url.starts_with("sqlite:")) {
    // PostgreSQL: a lock held elsewhere fails the batch (and the
    // consultations waiting on it: fail closed) rather than hang the writer.
    open_options.busy_timeout_ms = static_cast<int>(options.max_wait.count());
  }
  ASSIGN_OR_RETURN(auto db, store::Open(options.url, open_options));
  RETURN_IF_ERROR(store::Migrate(*db, AuditLogSchema(db->dialect())));
  std::string url = options.url;
  auto writer = std::make_unique<Writer>(std::move(options), signing_key, clock, std::move(db));
  RETURN_IF_ERROR(writer->Load());
  return std::unique_ptr<AuditLog>(new AuditLog(std::move(writer), std::move(url)));
}

Result<uint64_t> AuditLog::Append(AuditEvent event) { return writer_->Append(std::move(event)); }

void AuditLog::AppendThen(AuditEvent event, Done done) {
  writer_->AppendThen(std::move(event), std::move(done));
}

std::chrono::milliseconds AuditLog::max_wait() const { return writer_->max_wait(); }

Result<uint64_t> AuditLog::AppendAll(std::vector<AuditEvent> events) {
  return writer_->AppendAll(std::move(events));
}

AuditLogStats AuditLog::stats() const { return writer_->stats(); }

Result<std::vector<AuditEvent>> AuditLog::Find(const EventFilter& filter) const {
  ASSIGN_OR_RETURN(auto db, readers_.Borrow());
  return FindEvents(*db, filter);
}

Result<std::optional<std::vector<AuditEvent>>> AuditLog::ForeignEventsOf(int64_t agent_id,
                                                                          uint64_t after,
                                                                          uint64_t before) const {
  std::optional<std::vector<ForeignAppends::Range>> ranges =
      writer_->foreign().Between(after, before, foreign_events_.max_stretch());
  if (!ranges) return std::nullopt;
  if (ranges->empty()) return std::vector<AuditEvent>{};
  return foreign_events_.EventsOf(agent_id, *ranges, after, before);
}

void AuditLog::SetMaxSizeMib(int64_t mib) { writer_->SetMaxSizeMib(mib); }

}  // namespace vigie::audit
