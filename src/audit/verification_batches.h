#pragma once
// What `vigie audit verify`'s two stages (audit_verifier.cc) pass between
// them: batches of events as the reading stage read them, with the stored
// subtree rows they complete and the person index chunks handed on, and the
// small bounded queue that carries them and brings them back emptied.
//
// Thread-safety: a batch belongs to one stage at a time; BatchQueue is
// thread-safe.

#include <array>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "audit/merkle_frontier.h"
#include "audit/merkle_hash.h"

namespace vigie::audit::internal {

// Bytes of a row kept in EventBatch::bytes; absent when the column did not
// hold what it must (another type, too long).
struct StoredBytes {
  bool present = false;
  size_t offset = 0, length = 0;
};

// The columns searches select on, copied from the event when it was written
// (log_tables.cc InsertEvents): checked against the event, since an edited
// copy would hide the event from every search by agent, unit, time or type.
struct CopiedColumns {
  std::array<std::optional<int64_t>, 5> integers;  // time_us, type, agent_id, unit_id, session_id
  StoredBytes source_address;
  StoredBytes terms_hash;
  bool terms_hash_null = false;
};

// Events as the reading stage hands them to the chain stage.
struct ReadEvent {
  uint64_t number = 0;            // the sequence number it must have
  size_t offset = 0, length = 0;  // its encoding in EventBatch::bytes
  Sha256Digest stored_chain{};
  bool stored_chain_sized = false;
  CopiedColumns copied;
  std::string problem;  // found by the reading stage: the chain stage stops here
};

// A person index chunk the reading stage handed on, its pairs in
// EventBatch::chunk_bytes.
struct HandedChunk {
  uint64_t segment = 0;
  int64_t first_person = 0, last_person = 0;
  size_t offset = 0, length = 0;
};

struct EventBatch {
  std::vector<uint8_t> bytes;
  std::vector<ReadEvent> events;
  // The stored rows of the subtrees these events complete, by level then
  // index (subtree_table.h; empty for a log without the table).
  std::vector<CompletedSubtree> subtrees;
  // Chunks for the chain stage to tally, read with no tie to these events.
  std::vector<HandedChunk> chunks;
  std::vector<uint8_t> chunk_bytes;
};

// A small bounded hand-off between the two stages.
class BatchQueue {
 public:
  void Push(EventBatch batch) {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [&] { return batches_.size() < kDepth || abandoned_; });
    if (abandoned_) return;
    batches_.push_back(std::move(batch));
    ready_.notify_one();
  }
  std::optional<EventBatch> Pop() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return !batches_.empty() || closed_; });
    if (batches_.empty()) return std::nullopt;
    EventBatch batch = std::move(batches_.front());
    batches_.pop_front();
    room_.notify_one();
    return batch;
  }
  // The reader has no more.
  void Close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    ready_.notify_all();
  }
  // The chain stage found a problem: the reader may stop.
  void Abandon() {
    std::lock_guard lock(mutex_);
    abandoned_ = true;
    batches_.clear();
    room_.notify_all();
  }
  bool abandoned() {
    std::lock_guard lock(mutex_);
    return abandoned_;
  }
  // Batches pushed and not yet taken.
  size_t waiting() {
    std::lock_guard lock(mutex_);
    return batches_.size();
  }
  // Batches go back and forth emptied but with their room: a fresh batch's
  // megabytes would be faulted in page by page, and grown by copying.
  void GiveBack(EventBatch batch) {
    batch.bytes.clear();
    batch.events.clear();
    batch.subtrees.clear();
    batch.chunks.clear();
    batch.chunk_bytes.clear();
    std::lock_guard lock(mutex_);
    if (spare_.size() < kSpares) spare_.push_back(std::move(batch));
  }
  EventBatch Spare() {
    std::lock_guard lock(mutex_);
    if (spare_.empty()) return {};
    EventBatch batch = std::move(spare_.back());
    spare_.pop_back();
    return batch;
  }

 private:
  static constexpr size_t kDepth = 4;
  // One comes back as each is taken: two bound the memory kept idle.
  static constexpr size_t kSpares = 2;
  std::mutex mutex_;
  std::condition_variable ready_, room_;
  std::deque<EventBatch> batches_;
  std::vector<EventBatch> spare_;
  bool closed_ = false, abandoned_ = false;
};

}  // namespace vigie::audit::internal
