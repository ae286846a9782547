#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ios>
#include <istream>
#include <streambuf>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/installation.h"
#include "cli/operator_read.h"
#include "cli/progress.h"
#include "core/log.h"
#include "crypto/hash.h"
#include "records/records.h"

namespace vigie::cli {
namespace {

// Hands the import the file's bytes and hashes them on the way, so that the
// audit event names the SHA-256 of exactly what was imported. A read error
// throws, as libstdc++'s file buffer does, so the import stops there and is
// refused (a line cut short must not pass for a bad line of the file); its
// errno is kept for the message.
class HashingFileBuffer final : public std::streambuf {
 public:
  explicit HashingFileBuffer(int fd) : fd_(fd), buffer_(1 << 16) {}
  ~HashingFileBuffer() override { ::close(fd_); }
  HashingFileBuffer(const HashingFileBuffer&) = delete;
  HashingFileBuffer& operator=(const HashingFileBuffer&) = delete;

  uint64_t bytes() const { return bytes_; }
  int read_error() const { return read_error_; }  // errno, 0 when none

  // REQUIRES: the whole file has been read.
  std::string Describe() {
    return "sha256=" + crypto::HexEncode(hasher_.Final()) + " bytes=" + std::to_string(bytes_);
  }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    ssize_t got = 0;
    do {
      got = ::read(fd_, buffer_.data(), buffer_.size());
    } while (got < 0 && errno == EINTR);
    if (got < 0) {
      read_error_ = errno;
      throw std::ios_base::failure(std::strerror(read_error_));
    }
    if (got == 0) return traits_type::eof();
    hasher_.Update(std::string_view(buffer_.data(), static_cast<size_t>(got)));
    bytes_ += static_cast<uint64_t>(got);
    setg(buffer_.data(), buffer_.data(), buffer_.data() + got);
    return traits_type::to_int_type(*gptr());
  }

 private:
  const int fd_;
  std::vector<char> buffer_;
  crypto::Sha256Hasher hasher_;
  uint64_t bytes_ = 0;
  int read_error_ = 0;
};

// The subject of the import's `operator_command` event: what was read, what
// it changed, and the file's name last (the subject's length is capped, and
// the hash is what identifies the file).
std::string ImportSubject(HashingFileBuffer& read, const records::ImportReport& report,
                          const std::filesystem::path& file) {
  auto pair = [](int64_t inserted, int64_t updated) {
    return std::to_string(inserted) + "+" + std::to_string(updated);
  };
  return "import " + read.Describe() +
         " persons=" + pair(report.persons_inserted, report.persons_updated) +
         " notices=" + pair(report.notices_inserted, report.notices_updated) +
         " entries=" + pair(report.entries_inserted, report.entries_updated) +
         " skipped=" + std::to_string(report.bad_lines) + " file=" + file.filename().string();
}

}  // namespace

int RunImport(const std::filesystem::path& data_dir, const ImportCommandOptions& options) {
  records::ImportOptions import_options;
  import_options.skip_bad_lines = options.skip_bad_lines;
  if (options.format == "jsonl") {
    import_options.format = records::ImportFormat::kJsonLines;
  } else if (options.format == "csv") {
    import_options.format = records::ImportFormat::kCsv;
  } else {
    auto format = records::FormatFromPath(options.file);
    if (!format) return ReportError(format.error());
    import_options.format = *format;
  }
  if (options.kind_given && import_options.format != records::ImportFormat::kCsv) {
    return ReportError(Error(ErrorCode::kInvalidArgument,
                             "--kind is for CSV files: each JSON line names its own kind"));
  }
  auto kind = records::ParseRecordKind(options.kind);
  if (!kind) return ReportError(kind.error());
  import_options.csv_kind = *kind;

  const int fd = ::open(options.file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ReportError(CannotRead(errno, options.file));
  HashingFileBuffer hashing(fd);
  std::istream in(&hashing);
  struct stat st {};
  const uint64_t size = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? st.st_size : 0;

  auto installation = Installation::Open(data_dir);
  if (!installation) return ReportError(installation.error());
  auto repository = records::RecordRepository::Create(*installation->db, installation->keyring);
  if (!repository) return ReportError(repository.error());
  import_options.cache_mib = installation->config.store.import_cache_mib;
  // Durable in the log before the import commits, or it does not commit;
  // opened first, so a log that cannot record it is known before the work.
  SystemClock clock;
  auto log = installation->OpenAuditLog(clock);
  if (!log) return ReportError(log.error().WithContext("the audit log cannot record this"));
  import_options.before_commit = [&](const records::ImportReport& report) -> Result<void> {
    if (size != 0 && hashing.bytes() != size) {
      return Fail(ErrorCode::kConflict, options.file.string() + " changed while it was read (" +
                                            std::to_string(size) + " bytes, " +
                                            std::to_string(hashing.bytes()) + " read)");
    }
    return RecordOperatorCommand(**log, clock, ImportSubject(hashing, report, options.file));
  };

  ProgressLine progress("importing");
  auto report = records::Import(
      in, size, import_options, *installation->db, *repository,
      [&](uint64_t done, uint64_t total) { progress.Update(done, total, "bytes"); });
  progress.Finish();
  if (!report && hashing.read_error() != 0) {
    return ReportError(Error(
        ErrorCode::kUnavailable,
        "reading " + options.file.string() + " failed: " + std::strerror(hashing.read_error())));
  }
  if (!report) return ReportError(report.error());
  for (const auto& e : report->errors) {
    std::fprintf(stderr, "%s:%lld: %s\n", options.file.c_str(), static_cast<long long>(e.line),
                 e.message.c_str());
  }
  if (report->bad_lines > static_cast<int64_t>(report->errors.size())) {
    std::fprintf(stderr, "... and %lld more bad lines\n",
                 static_cast<long long>(report->bad_lines - report->errors.size()));
  }
  // Counts only: line contents are personal data and never logged.
  Log(report->committed ? LogLevel::kInfo : LogLevel::kWarn, "import.finished",
      {{"lines", report->lines},
       {"persons_inserted", report->persons_inserted},
       {"persons_updated", report->persons_updated},
       {"notices_inserted", report->notices_inserted},
       {"notices_updated", report->notices_updated},
       {"entries_inserted", report->entries_inserted},
       {"entries_updated", report->entries_updated},
       {"bad_lines", report->bad_lines},
       {"committed", report->committed ? "yes" : "no"}});
  if (!report->journal_not_restored.empty()) {
    // The import's outcome stands; the next server or command switches back.
    Log(LogLevel::kWarn, "import.journal_not_restored", {{"reason", report->journal_not_restored}});
  }
  if (report->header_refused) {
    std::fprintf(stderr,
                 "vigie: import refused: the CSV header was refused, so no line was read; "
                 "nothing was written\n");
    return ExitCodeFor(ErrorCode::kInvalidArgument);
  }
  if (!report->committed) {
    std::fprintf(stderr,
                 "vigie: import refused: %lld bad line(s); nothing was written "
                 "(fix them, or pass --skip-bad-lines)\n",
                 static_cast<long long>(report->bad_lines));
    return ExitCodeFor(ErrorCode::kInvalidArgument);
  }
  std::printf(
      "Imported %lld lines: persons %lld new, %lld updated; wanted notices %lld new, %lld "
      "updated; record entries %lld new, %lld updated; %lld bad lines skipped\n",
      static_cast<long long>(report->lines), static_cast<long long>(report->persons_inserted),
      static_cast<long long>(report->persons_updated),
      static_cast<long long>(report->notices_inserted),
      static_cast<long long>(report->notices_updated),
      static_cast<long long>(report->entries_inserted),
      static_cast<long long>(report->entries_updated), static_cast<long long>(report->bad_lines));
  return 0;
}

}  // namespace vigie::cli
