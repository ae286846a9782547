#pragma once
// CheckpointPublisher: Vigie's side of the witness. It sends each new signed
// checkpoint of the audit log to the witness with the consistency proof from
// the last one the witness countersigned, checks the cosignature it gets back
// (the witness's key, our exact checkpoint) and appends it to the local
// cosignature file, which `vigie audit verify` then holds the log to.
//
// A witness that refuses (our log no longer extends what it countersigned:
// truncated or forked) is the alarm: logged as audit_witness_refused and
// counted in stats; it never blocks consultations, which depend only on the
// local log being durable.
//
// Thread-safety: PublishOnce is for one thread at a time; the background
// publisher's stats() may be read from any thread.
// Errors of PublishOnce: Unavailable (witness unreachable, or it moved on
// meanwhile: try again), DataLoss (the witness refused our checkpoint as
// inconsistent, or its answer does not check), PermissionDenied (it does not
// know our key, or log_signing_keys lacks the checkpoint's), and storage
// errors reading the log.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "audit/subtree_cache.h"
#include "core/error.h"
#include "store/store.h"
#include "witness/cosignature.h"
#include "witness/submission.h"
#include "witness/witness.h"

namespace vigie::witness {

struct PublisherOptions {
  std::string audit_url;                 // the audit log's database, read only
  std::string witness_url;               // e.g. "https://witness.example:8444"
  std::string trusted_certificate_file;  // for https; empty: the system's store
  crypto::Ed25519PublicKey witness_public_key{};
  // Sign each submission with its checkpoint's key (shared: options are copied).
  std::shared_ptr<const LogSigningKeys> log_signing_keys;
  std::filesystem::path cosignature_file;  // where cosignatures are appended
  std::chrono::milliseconds interval{1000};
  std::chrono::milliseconds timeout{5000};
};

struct PublisherStats {
  uint64_t witnessed_size = 0;  // the largest tree size the witness countersigned for us
  uint64_t refusals = 0;        // inconsistency refusals: investigate at once
  uint64_t failures = 0;        // unreachable, time-outs, bad answers
};

class CheckpointPublisher {
 public:
  // One exchange: the witness's latest, then our latest checkpoint if it is
  // newer. Returns the cosignature the witness now holds for us (nullopt when
  // it holds none and we have no checkpoint yet).
  static Result<std::optional<Cosignature>> PublishOnce(store::Connection& audit_db,
                                                        const PublisherOptions& options,
                                                        audit::SubtreeCache& cache);

  // Publishes every `interval` on a thread of its own until destroyed.
  static Result<std::unique_ptr<CheckpointPublisher>> Start(PublisherOptions options);
  ~CheckpointPublisher();
  CheckpointPublisher(const CheckpointPublisher&) = delete;
  CheckpointPublisher& operator=(const CheckpointPublisher&) = delete;

  PublisherStats stats() const;

 private:
  CheckpointPublisher(PublisherOptions options, std::unique_ptr<store::Connection> db);
  void Run();

  PublisherOptions options_;
  std::unique_ptr<store::Connection> db_;
  audit::SubtreeCache cache_;
  std::atomic<uint64_t> witnessed_size_{0}, refusals_{0}, failures_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;
};

// What the witness holds for us now (GET /v1/latest), checked against its
// configured key; nullopt when it holds nothing yet.
Result<std::optional<Cosignature>> FetchWitnessed(const PublisherOptions& options);

// The log keys the witness accepts (GET /v1/log-keys): Unavailable when it
// cannot be reached or does not answer as a witness, DataLoss when it is not
// the configured one (another public key).
Result<std::vector<LogKey>> FetchWitnessLogKeys(const PublisherOptions& options);

// The cosignatures in `file` (one JSON line each), oldest first; none when
// the file does not exist. A last line a crash cut short (no newline, not
// whole) is left out: it was never acknowledged. DataLoss names the first
// malformed line, or says the file is there but cannot be read (it must not
// pass for empty).
Result<std::vector<Cosignature>> ReadCosignatureFile(const std::filesystem::path& file);

}  // namespace vigie::witness
