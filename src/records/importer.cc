#include "records/importer.h"

#include <condition_variable>
#include <deque>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace vigie::records {
namespace {

// Security: a line longer than this is refused without being buffered whole.
constexpr size_t kMaxLineBytes = 64 * 1024;
constexpr size_t kBatchLines = 512;
constexpr size_t kMaxQueuedBatches = 8;

enum class LineRead { kLine, kTooLong, kEnd };

// Reads one line of at most kMaxLineBytes; a longer one is skipped to its end.
LineRead ReadBoundedLine(std::istream& in, std::string& line, uint64_t& bytes) {
  line.clear();
  std::istreambuf_iterator<char> it(in), end;
  if (it == end) return LineRead::kEnd;
  bool too_long = false;
  for (; it != end; ++it) {
    char c = *it;
    ++bytes;
    if (c == '\n') {
      ++it;
      break;
    }
    if (line.size() < kMaxLineBytes) {
      line.push_back(c);
    } else {
      too_long = true;
    }
  }
  return too_long ? LineRead::kTooLong : LineRead::kLine;
}

// One parsed-and-sealed line, or why it was refused.
struct Item {
  int64_t line = 0;
  std::optional<PreparedRecord> prepared;
  std::string error;
};

struct Batch {
  std::vector<Item> items;
  uint64_t bytes_read = 0;
};

// A bounded hand-over from the sealing thread to the writing thread.
class BatchQueue {
 public:
  void Push(Batch batch) {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [&] { return queue_.size() < kMaxQueuedBatches || cancelled_; });
    if (cancelled_) return;
    queue_.push_back(std::move(batch));
    ready_.notify_one();
  }
  void Close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    ready_.notify_all();
  }
  void Cancel() {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    room_.notify_all();
  }
  bool cancelled() {
    std::lock_guard lock(mutex_);
    return cancelled_;
  }
  std::optional<Batch> Pop() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return !queue_.empty() || closed_; });
    if (queue_.empty()) return std::nullopt;
    Batch batch = std::move(queue_.front());
    queue_.pop_front();
    room_.notify_one();
    return batch;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_, room_;
  std::deque<Batch> queue_;
  bool closed_ = false, cancelled_ = false;
};

// Reads, parses, validates and seals lines; runs on its own thread.
void SealLines(std::istream& in, const ImportOptions& options, const RecordRepository& repository,
               BatchQueue& queue, bool& read_failed) {
  std::optional<CsvReader> csv;
  std::string line;
  uint64_t bytes = 0;
  int64_t number = 0;
  Batch batch;
  auto flush = [&] {
    batch.bytes_read = bytes;
    queue.Push(std::move(batch));
    batch = Batch{};
  };
  while (!queue.cancelled()) {
    LineRead read = ReadBoundedLine(in, line, bytes);
    if (read == LineRead::kEnd) break;
    Item item;
    item.line = ++number;
    if (read == LineRead::kTooLong) {
      item.error = "line longer than " + std::to_string(kMaxLineBytes) + " bytes";
    } else if (line.find_first_not_of(" \t\r") == std::string::npos) {
      continue;  // blank
    } else if (options.format == ImportFormat::kCsv && !csv) {
      auto header = CsvReader::FromHeader(options.csv_kind, line);
      if (header) {
        csv = std::move(*header);
        continue;
      }
      item.error = "CSV header: " + header.error().message();
      batch.items.push_back(std::move(item));
      break;  // nothing else can be read without a header
    } else {
      auto record = options.format == ImportFormat::kCsv ? csv->ParseLine(line)
                                                         : ParseJsonLine(line);
      if (record) {
        auto prepared = std::visit([&](const auto& r) { return repository.Prepare(r); }, *record);
        if (prepared) {
          item.prepared = std::move(*prepared);
        } else {
          item.error = prepared.error().message();
        }
      } else {
        item.error = record.error().message();
      }
    }
    batch.items.push_back(std::move(item));
    if (batch.items.size() >= kBatchLines) flush();
  }
  read_failed = in.bad();
  flush();
  queue.Close();
}

void Count(ImportReport& report, PreparedRecord::Kind kind, PutOutcome outcome) {
  bool inserted = outcome == PutOutcome::kInserted;
  switch (kind) {
    case PreparedRecord::Kind::kPerson:
      ++(inserted ? report.persons_inserted : report.persons_updated);
      break;
    case PreparedRecord::Kind::kWantedNotice:
      ++(inserted ? report.notices_inserted : report.notices_updated);
      break;
    case PreparedRecord::Kind::kRecordEntry:
      ++(inserted ? report.entries_inserted : report.entries_updated);
      break;
  }
}

Result<ImportReport> ImportInTransaction(std::istream& in, uint64_t total_bytes,
                                         const ImportOptions& options, store::Connection& db,
                                         RecordRepository& repository,
                                         const ImportProgress& progress);

}  // namespace

Result<ImportFormat> FormatFromPath(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  if (ext == ".jsonl" || ext == ".ndjson" || ext == ".json") return ImportFormat::kJsonLines;
  if (ext == ".csv") return ImportFormat::kCsv;
  return Fail(ErrorCode::kInvalidArgument,
              "cannot tell the format of '" + path.filename().string() +
                  "': use a .jsonl or .csv file, or say --format");
}

Result<ImportReport> Import(std::istream& in, uint64_t total_bytes, const ImportOptions& options,
                            store::Connection& db, RecordRepository& repository,
                            const ImportProgress& progress) {
  ImportReport report;
  RETURN_IF_ERROR(db.SetCacheSize(options.cache_mib));
  ASSIGN_OR_RETURN(bool bulk, db.EnterBulkLoad());
  auto result = ImportInTransaction(in, total_bytes, options, db, repository, progress);
  if (bulk) RETURN_IF_ERROR(db.LeaveBulkLoad());
  return result;
}

namespace {

Result<ImportReport> ImportInTransaction(std::istream& in, uint64_t total_bytes,
                                         const ImportOptions& options, store::Connection& db,
                                         RecordRepository& repository,
                                         const ImportProgress& progress) {
  ImportReport report;
  ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(db));
  // Parsing and sealing run on a second thread; this one only writes.
  BatchQueue queue;
  bool read_failed = false;
  std::thread sealer(SealLines, std::ref(in), std::cref(options), std::cref(repository),
                     std::ref(queue), std::ref(read_failed));
  auto stop = [&] {
    queue.Cancel();
    while (queue.Pop()) {
    }
    sealer.join();
  };
  auto bad_line = [&](int64_t line, const std::string& message) {
    ++report.bad_lines;
    if (report.errors.size() < options.max_reported_errors) report.errors.push_back({line, message});
  };
  // Once the batch is refused, keep reading only to report every bad line.
  auto refused = [&] { return report.bad_lines > 0 && !options.skip_bad_lines; };

  while (std::optional<Batch> batch = queue.Pop()) {
    for (Item& item : batch->items) {
      report.lines = std::max(report.lines, item.line);
      if (!item.prepared) {
        bad_line(item.line, item.error);
        continue;
      }
      if (refused()) continue;
      auto applied = repository.Apply(*item.prepared);
      if (!applied) {
        if (applied.error().code() == ErrorCode::kNotFound) {
          bad_line(item.line, applied.error().message());
          continue;
        }
        stop();
        return Fail(applied.error().WithContext("line " + std::to_string(item.line)));
      }
      Count(report, item.prepared->kind, applied->outcome);
    }
    if (progress) progress(batch->bytes_read, total_bytes);
  }
  sealer.join();
  if (read_failed) return Fail(ErrorCode::kUnavailable, "reading the import file failed");
  if (refused()) return report;  // the transaction rolls back
  RETURN_IF_ERROR(tx.Commit());
  report.committed = true;
  return report;
}

}  // namespace

}  // namespace vigie::records
