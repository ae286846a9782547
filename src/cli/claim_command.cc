// `vigie claim check`: checks a sample attackers published against the
// records and the audit log (incident/claim_check.h); the rows' verdicts go
// to --out or stdout, the summary to stdout after --out, else to stderr.

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <system_error>
#include <vector>

#include "cli/commands.h"
#include "cli/installation.h"
#include "cli/operator_read.h"
#include "cli/progress.h"
#include "core/durable_file.h"
#include "core/log.h"
#include "crypto/random.h"
#include "incident/claim_check.h"
#include "incident/claim_output.h"
#include "incident/claim_sample.h"
#include "records/records.h"

namespace vigie::cli {
namespace {

struct CloseFile {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

std::filesystem::path TemporaryDirectory() {
  const char* dir = std::getenv("TMPDIR");
  return dir != nullptr && *dir != '\0' ? dir : "/tmp";
}

// A 0600 file with no name in `dir` (O_TMPFILE), gone when closed unless
// linked (LinkAs).
Result<std::unique_ptr<std::FILE, CloseFile>> AnonymousFile(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Fail(ErrorCode::kUnavailable,
                "cannot hold the results in " + dir.string() + ": " + std::strerror(errno));
  }
  std::unique_ptr<std::FILE, CloseFile> file(::fdopen(fd, "w+b"));
  if (!file) {
    ::close(fd);
    return Fail(ErrorCode::kUnavailable, "cannot hold the results");
  }
  return file;
}

// Gives the anonymous file `file` the name `path`; refused if it exists.
Result<void> LinkAs(std::FILE* file, const std::filesystem::path& path) {
  if (const int error = LinkUnnamedFile(::fileno(file), path); error != 0) {
    return Fail(error == EEXIST ? ErrorCode::kConflict : ErrorCode::kUnavailable,
                "cannot create " + path.string() + ": " + std::strerror(error));
  }
  return {};
}

Result<void> CopyAll(std::FILE* from, std::FILE* to) {
  std::rewind(from);
  char buffer[1 << 16];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, from)) > 0;) {
    if (std::fwrite(buffer, 1, n, to) != n) break;
  }
  if (std::ferror(from) != 0 || std::fflush(to) != 0 || std::ferror(to) != 0) {
    return Fail(ErrorCode::kUnavailable, "cannot write the results");
  }
  return {};
}

Result<std::string> ReadSample(const std::filesystem::path& file) {
  std::ifstream opened;
  std::istream* in = &std::cin;
  if (file != "-") {
    opened.open(file, std::ios::binary);
    if (!opened) return Fail(ErrorCode::kNotFound, "cannot read " + file.string());
    in = &opened;
  }
  std::error_code ec;
  const uintmax_t size = file == "-" ? 0 : std::filesystem::file_size(file, ec);
  if (size == 0 || ec) {  // stdin, a pipe: size unknown
    std::ostringstream text;
    text << in->rdbuf();
    // A read error ends the copy as the end would: not a shorter sample.
    if (file == "-" && std::ferror(stdin) != 0) {
      return Fail(ErrorCode::kUnavailable, "error reading standard input");
    }
    return std::move(text).str();
  }
  // Straight into a string of the file's size: a million-row sample is ~100 MB.
  std::string text(static_cast<size_t>(size), '\0');
  in->read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in->bad() || static_cast<size_t>(in->gcount()) != text.size()) {
    return Fail(ErrorCode::kUnavailable, "error reading " + file.string());
  }
  return text;
}

}  // namespace

int RunClaimCheck(const std::filesystem::path& data_dir, const ClaimCheckCommandOptions& options) {
  incident::ClaimCheckOptions check;
  if (!options.format.empty()) {
    auto format = incident::SampleFormatFromName(options.format);
    if (!format) return ReportError(format.error().WithContext("--format"));
    check.format = *format;
  } else {
    auto format = incident::SampleFormatFromPath(options.file);
    if (!format) return ReportError(format.error());
    check.format = *format;
  }
  for (const std::string& column : options.columns) {
    auto parsed = incident::ParseColumnOverride(column);
    if (!parsed) return ReportError(parsed.error());
    check.columns.push_back(std::move(*parsed));
  }
  bool csv_rows = options.out_format == "csv" ||
                  (options.out_format.empty() && options.out.extension() == ".csv");
  if (!options.out_format.empty() && options.out_format != "csv" && options.out_format != "jsonl") {
    return ReportError(Error(ErrorCode::kInvalidArgument, "--out-format must be jsonl or csv"));
  }
  auto sample = ReadSample(options.file);
  if (!sample) return ReportError(sample.error());
  // A sample whose columns cannot be found is refused before the read is
  // logged: the log would say a check was made that never was.
  if (auto readable = incident::SampleReader::Open(*sample, check.format, check.columns);
      !readable) {
    return ReportError(readable.error());
  }

  auto installation = Installation::Open(data_dir);
  if (!installation) return ReportError(installation.error());
  auto repository = records::RecordRepository::Create(*installation->db, installation->keyring);
  if (!repository) return ReportError(repository.error());
  auto audit_db = store::Open(installation->AuditDatabaseUrl(), {.read_only = true});
  if (!audit_db) return ReportError(audit_db.error().WithContext("audit log"));

  // Security: the rows say which persons are real. They wait in an
  // anonymous 0600 file (in --out's directory, or TMPDIR for stdout) until
  // those persons are named in the log; then the file is linked as --out,
  // never over an existing one, or copied to stdout. Interrupted, it leaves
  // nothing behind.
  const std::filesystem::path out_dir =
      options.out.empty() ? TemporaryDirectory() : options.out.parent_path();
  if (!options.out.empty()) {
    std::error_code looked;
    const auto type = std::filesystem::symlink_status(options.out, looked).type();
    if (type != std::filesystem::file_type::not_found) {
      return ReportError(
          looked ? Error(ErrorCode::kUnavailable,
                         "cannot look at " + options.out.string() + ": " + looked.message())
                 : Error(ErrorCode::kConflict, options.out.string() + " exists already"));
    }
  }
  auto pending = AnonymousFile(out_dir.empty() ? std::filesystem::path(".") : out_dir);
  if (!pending) return ReportError(pending.error());
  std::FILE* out = pending->get();
  SystemClock clock;
  if (auto recorded = RecordOperatorRead(*installation, clock,
                                         "claim check: " + options.file.filename().string());
      !recorded) {
    return ReportError(recorded.error());
  }

  std::optional<ProgressLine> progress;
  std::string stage;
  check.progress = [&](std::string_view now, int64_t done, int64_t total) {
    if (now != stage) {
      if (progress) progress->Finish();
      stage = now;
      progress.emplace("claim check: " + stage);
    }
    progress->Update(static_cast<uint64_t>(done), static_cast<uint64_t>(total),
                     now == "sample"    ? "bytes"
                     : now == "persons" ? "persons"
                                        : "events");
  };
  if (csv_rows) std::fprintf(out, "%s\n", incident::ClaimRowCsvHeader().c_str());
  crypto::SystemRandom random;
  std::vector<int64_t> named;  // the real persons the check names
  auto summary = incident::CheckClaim(
      *sample, check, *repository, **audit_db, random,
      [&](const incident::ClaimRowResult& row) -> Result<void> {
        for (const incident::MatchedPerson& person : row.persons) named.push_back(person.person_id);
        if (progress) {
          progress->Finish();
          progress.reset();
        }
        std::string line = csv_rows ? incident::ClaimRowCsv(row) : incident::ClaimRowJson(row);
        line.push_back('\n');
        if (std::fwrite(line.data(), 1, line.size(), out) != line.size()) {
          return Fail(ErrorCode::kUnavailable, "cannot write the results");
        }
        return {};
      });
  if (progress) progress->Finish();
  if (!summary) return ReportError(summary.error());
  if (std::fflush(out) != 0 || std::ferror(out) != 0 || ::fsync(::fileno(out)) != 0) {
    return ReportError(Error(ErrorCode::kUnavailable, "cannot hold the results"));
  }
  if (auto recorded =
          RecordPersonsNamed(*installation, clock,
                             "claim check: " + options.file.filename().string(), std::move(named));
      !recorded) {
    return ReportError(recorded.error());
  }
  auto delivered = options.out.empty() ? CopyAll(out, stdout) : LinkAs(out, options.out);
  if (!delivered) return ReportError(delivered.error());
  // Counts only: the sample's names are personal data and never logged.
  const incident::ClaimTotals& t = summary->totals;
  Log(LogLevel::kInfo, "claim.checked",
      {{"rows", t.rows},
       {"real_and_accessed", t.real_and_accessed},
       {"real_never_accessed", t.real_never_accessed},
       {"no_match", t.no_match},
       {"invalid", t.invalid}});
  std::FILE* summary_out = options.out.empty() ? stderr : stdout;
  std::string text = options.json ? incident::ClaimSummaryJson(*summary) + "\n"
                                  : incident::ClaimSummaryText(*summary);
  std::fputs(text.c_str(), summary_out);
  return 0;
}

}  // namespace vigie::cli
