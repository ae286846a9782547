#pragma once
// The import's front half: one thread reads lines (bounded to 64 KiB each),
// `workers` threads parse, validate and seal them in batches, and the
// importer's writer receives the batches back in file order. Sealing costs
// about as much as writing, so on two cores two sealers keep the writer fed.
// Thread-safety: Next, Recycle and Cancel are called by one consumer thread.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <istream>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "records/importer.h"
#include "records/record_repository.h"

namespace vigie::records::internal {

// One parsed-and-sealed line, or why it was refused.
struct ImportItem {
  int64_t line = 0;
  std::optional<PreparedRecord> prepared;
  std::string error;
};

struct ImportBatch {
  std::vector<ImportItem> items;
  uint64_t bytes_read = 0;  // of the input, up to the end of this batch
};

class ImportPipeline {
 public:
  ImportPipeline(std::istream& in, const ImportOptions& options,
                 const RecordRepository& repository, int workers);
  ~ImportPipeline();  // cancels what is left and joins every thread
  ImportPipeline(const ImportPipeline&) = delete;
  ImportPipeline& operator=(const ImportPipeline&) = delete;

  // The next batch in file order; nullopt once the input is exhausted (or
  // after Cancel).
  std::optional<ImportBatch> Next();
  // Hands a consumed batch back, so a sealing thread frees its memory.
  void Recycle(ImportBatch batch);
  void Cancel();
  // Whether reading the input failed (valid once Next returned nullopt).
  bool read_failed();
  // Whether a CSV file's header was refused, so that nothing after it was
  // read (valid once Next returned nullopt).
  bool header_refused();

 private:
  struct RawLine {
    int64_t number = 0;
    std::string text;
    std::string error;  // set: the line is refused as is
  };
  struct RawBatch {
    uint64_t sequence = 0;
    std::vector<RawLine> lines;
    uint64_t bytes_read = 0;
  };

  void ReadLines(std::istream& in);
  void SealBatches();
  ImportBatch Seal(RawBatch& raw) const;
  bool PushRaw(RawBatch batch);

  const ImportOptions options_;
  const RecordRepository& repository_;
  std::optional<CsvReader> csv_;  // set by the reader before any CSV batch is queued

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<RawBatch> raw_;
  std::map<uint64_t, ImportBatch> sealed_;  // by sequence, waiting for their turn
  std::deque<ImportBatch> spent_;
  uint64_t next_ = 0;  // sequence Next() hands out next
  int sealers_running_ = 0;
  bool reading_ = true, read_failed_ = false, header_refused_ = false, cancelled_ = false;

  std::vector<std::thread> threads_;
};

}  // namespace vigie::records::internal
