#include <cstdio>
#include <fstream>

#include "cli/commands.h"
#include "cli/installation.h"
#include "cli/progress.h"
#include "core/log.h"
#include "records/records.h"

namespace vigie::cli {

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
  auto kind = records::ParseRecordKind(options.kind);
  if (!kind) return ReportError(kind.error());
  import_options.csv_kind = *kind;

  std::ifstream in(options.file, std::ios::binary);
  if (!in) return ReportError(Error(ErrorCode::kNotFound, "cannot read " + options.file.string()));
  std::error_code ec;
  uint64_t size = std::filesystem::file_size(options.file, ec);

  auto installation = Installation::Open(data_dir);
  if (!installation) return ReportError(installation.error());
  auto repository = records::RecordRepository::Create(*installation->db, installation->keyring);
  if (!repository) return ReportError(repository.error());
  import_options.cache_mib = installation->config.store.import_cache_mib;

  ProgressLine progress("importing");
  auto report = records::Import(in, ec ? 0 : size, import_options, *installation->db, *repository,
                                [&](uint64_t done, uint64_t total) {
                                  progress.Update(done, total, "bytes");
                                });
  progress.Finish();
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
       {"entries_inserted", report->entries_inserted},
       {"bad_lines", report->bad_lines},
       {"committed", report->committed ? "yes" : "no"}});
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
