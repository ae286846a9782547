#include "records/internal/import_pipeline.h"

#include <exception>

namespace vigie::records::internal {
namespace {

// Security: a line longer than this is refused without being buffered whole.
constexpr size_t kMaxLineBytes = 64 * 1024;
constexpr size_t kBatchLines = 512;
// Batches read or sealed ahead of the writer: bounds memory.
constexpr size_t kMaxAhead = 8;

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

}  // namespace

ImportPipeline::ImportPipeline(std::istream& in, const ImportOptions& options,
                               const RecordRepository& repository, int workers)
    : options_(options), repository_(repository) {
  // The count is set before any sealer starts, and the loop must not read it
  // back: a sealer that finishes early decrements it.
  const int sealers = std::max(workers, 1);
  sealers_running_ = sealers;
  threads_.emplace_back([this, &in] { ReadLines(in); });
  for (int i = 0; i < sealers; ++i) threads_.emplace_back([this] { SealBatches(); });
}

ImportPipeline::~ImportPipeline() {
  Cancel();
  for (std::thread& t : threads_) t.join();
}

void ImportPipeline::Cancel() {
  std::lock_guard lock(mutex_);
  cancelled_ = true;
  changed_.notify_all();
}

bool ImportPipeline::read_failed() {
  std::lock_guard lock(mutex_);
  return read_failed_;
}

bool ImportPipeline::header_refused() {
  std::lock_guard lock(mutex_);
  return header_refused_;
}

bool ImportPipeline::PushRaw(RawBatch batch) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return cancelled_ || batch.sequence < next_ + kMaxAhead; });
  if (cancelled_) return false;
  raw_.push_back(std::move(batch));
  changed_.notify_all();
  return true;
}

void ImportPipeline::ReadLines(std::istream& in) {
  std::string line;
  uint64_t bytes = 0, sequence = 0;
  int64_t number = 0;
  bool header_pending = options_.format == ImportFormat::kCsv;
  RawBatch batch;
  auto flush = [&] {
    batch.sequence = sequence++;
    batch.bytes_read = bytes;
    bool queued = PushRaw(std::move(batch));
    batch = RawBatch{};
    return queued;
  };
  bool header_refused = false, read_error = false;
  while (!header_refused) {
    LineRead read = LineRead::kEnd;
    try {
      read = ReadBoundedLine(in, line, bytes);
    } catch (const std::exception&) {
      // A read error (libstdc++'s file buffer throws one): what was read
      // before it must not be committed as the whole file.
      read_error = true;
    }
    if (read == LineRead::kEnd) break;
    RawLine raw{++number, {}, {}};
    // A byte-order mark (editors on Windows add one) is no part of the first
    // line: JSON Lines would call it malformed, CSV an unknown column.
    if (raw.number == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
    if (read == LineRead::kTooLong) {
      raw.error = "line longer than " + std::to_string(kMaxLineBytes) + " bytes";
      // Where the header should be: the next line must not be taken for it
      // (a bad header refuses the file, skipped lines or not).
      if (header_pending) {
        raw.error = "CSV header: " + raw.error;
        header_refused = true;
      }
    } else if (line.find_first_not_of(" \t\r") == std::string::npos) {
      continue;  // blank
    } else if (header_pending) {
      auto header = CsvReader::FromHeader(options_.csv_kind, line);
      if (header) {
        csv_ = std::move(*header);
        header_pending = false;
        continue;
      }
      raw.error = "CSV header: " + header.error().message();
      header_refused = true;  // nothing else can be read without a header
    } else {
      raw.text = line;
    }
    batch.lines.push_back(std::move(raw));
    if (batch.lines.size() >= kBatchLines && !flush()) return;
  }
  bool failed = read_error || in.bad();
  // A CSV file with no header (empty, blank, a transfer cut short) is
  // refused as a bad header is, not committed as an import of nothing.
  if (header_pending && !header_refused && !failed) {
    batch.lines.push_back(RawLine{++number, {}, "CSV header: missing (the file is empty or blank)"});
    header_refused = true;
  }
  if (!batch.lines.empty()) flush();
  std::lock_guard lock(mutex_);
  read_failed_ = failed;
  header_refused_ = header_refused;
  reading_ = false;
  changed_.notify_all();
}

ImportBatch ImportPipeline::Seal(RawBatch& raw) const {
  ImportBatch batch;
  batch.bytes_read = raw.bytes_read;
  batch.items.reserve(raw.lines.size());
  for (RawLine& line : raw.lines) {
    ImportItem item;
    item.line = line.number;
    if (!line.error.empty()) {
      item.error = std::move(line.error);
    } else {
      auto record = csv_ ? csv_->ParseLine(line.text) : ParseJsonLine(line.text);
      if (record) {
        auto prepared = std::visit([&](const auto& r) { return repository_.Prepare(r); }, *record);
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
  }
  return batch;
}

void ImportPipeline::SealBatches() {
  while (true) {
    RawBatch raw;
    std::deque<ImportBatch> spent;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return cancelled_ || !raw_.empty() || !reading_; });
      if (cancelled_ || raw_.empty()) {
        --sealers_running_;
        changed_.notify_all();
        return;
      }
      raw = std::move(raw_.front());
      raw_.pop_front();
      // Free consumed batches here, on a thread that allocated them: freeing
      // on the writer's thread would contend for the allocator's arena lock.
      spent.swap(spent_);
    }
    spent.clear();
    ImportBatch sealed = Seal(raw);
    std::lock_guard lock(mutex_);
    sealed_.emplace(raw.sequence, std::move(sealed));
    changed_.notify_all();
  }
}

std::optional<ImportBatch> ImportPipeline::Next() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] {
    return cancelled_ || sealed_.contains(next_) ||
           (!reading_ && raw_.empty() && sealers_running_ == 0);
  });
  auto it = sealed_.find(next_);
  if (cancelled_ || it == sealed_.end()) return std::nullopt;
  ImportBatch batch = std::move(it->second);
  sealed_.erase(it);
  ++next_;
  changed_.notify_all();  // the reader may read further ahead
  return batch;
}

void ImportPipeline::Recycle(ImportBatch batch) {
  std::lock_guard lock(mutex_);
  spent_.push_back(std::move(batch));
}

}  // namespace vigie::records::internal
