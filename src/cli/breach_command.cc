// `vigie breach report`: who and what was exposed through a set of agents,
// sessions, DPoP keys or addresses over a window, as report.json (checkable
// against a signed checkpoint), subjects.csv (for notifying the persons) and
// report.html (the art. 33 notification, printable to PDF).
// Formats: docs/formats/breach-report.md.

#include <cstdio>
#include <string_view>
#include <type_traits>
#include <vector>

#include "audit/audit.h"
#include "cli/commands.h"
#include "cli/installation.h"
#include "cli/investigation_options.h"
#include "cli/operator_read.h"
#include "cli/progress.h"
#include "core/durable_file.h"
#include "identity/identity.h"
#include "incident/breach_render.h"
#include "incident/breach_report.h"
#include "incident/breach_subjects.h"
#include "records/record_repository.h"

namespace vigie::cli {
namespace {

constexpr const char* kFiles[] = {"report.json", "subjects.csv", "report.html"};

// The scope the options select, `--agent` looked up; `read_subject`: how the
// log names the read (see below).
Result<incident::BreachScope> ScopeFrom(const BreachReportOptions& options,
                                        Installation& installation, const Clock& clock,
                                        std::string& read_subject) {
  incident::BreachScope scope;
  scope.agent_ids = options.agent_ids;
  scope.session_ids = options.sessions;
  scope.dpop_jkts = options.jkts;
  for (const std::string& address : options.addresses) {
    ASSIGN_OR_RETURN(std::string canonical, AddressOption(address, "--address"));
    scope.source_addresses.push_back(std::move(canonical));
  }
  if (!options.since.empty()) {
    ASSIGN_OR_RETURN(scope.since_unix_micros, TimeOption(options.since, false, "--since"));
  }
  if (!options.until.empty()) {
    ASSIGN_OR_RETURN(scope.until_unix_micros, TimeOption(options.until, true, "--until"));
  }
  // In the API's words for the same request (one search finds both): the
  // service numbers as given, not also the ids they are looked up to.
  read_subject = incident::BreachReadSubject(options.agents, scope);
  identity::AgentDirectory directory(*installation.db, clock);
  for (const std::string& service_number : options.agents) {
    auto agent = directory.FindAgent(service_number);
    if (!agent) return Fail(agent.error().WithContext("--agent " + service_number));
    scope.agent_ids.push_back(agent->id);
  }
  RETURN_IF_ERROR(incident::ValidateBreachScope(scope));
  return scope;
}

// Refuses to overwrite an earlier report (evidence is not clobbered); creates
// the directory (0700) when missing.
Result<void> PrepareOutDir(const std::filesystem::path& dir) {
  std::error_code ec;
  for (const char* name : kFiles) {
    // A link counts, even a dangling one: the report never goes through it.
    if (std::filesystem::exists(std::filesystem::symlink_status(dir / name, ec))) {
      return Fail(ErrorCode::kConflict, (dir / name).string() + " exists already");
    }
  }
  if (!std::filesystem::exists(dir, ec)) {
    if (!std::filesystem::create_directories(dir, ec) || ec) {
      return Fail(ErrorCode::kUnavailable, "cannot create " + dir.string() + ": " + ec.message());
    }
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  } else if (!std::filesystem::is_directory(dir, ec)) {
    return Fail(ErrorCode::kInvalidArgument, dir.string() + " is not a directory");
  }
  return {};
}

}  // namespace

int RunBreachReport(const std::filesystem::path& data_dir, const BreachReportOptions& options) {
  if (options.json == !options.out.empty()) {
    return ReportError(Error(ErrorCode::kInvalidArgument, "give either --out DIR or --json"));
  }
  auto installation = Installation::Open(data_dir);
  if (!installation) return ReportError(installation.error());
  SystemClock clock;
  std::string read_subject;
  auto scope = ScopeFrom(options, *installation, clock, read_subject);
  if (!scope) return ReportError(scope.error());
  if (!options.json) {
    if (auto ready = PrepareOutDir(options.out); !ready) return ReportError(ready.error());
  }
  // Audited before it reads (and the checkpoint then covers the whole log).
  if (auto recorded = RecordOperatorRead(*installation, clock, read_subject); !recorded) {
    return ReportError(recorded.error());
  }

  const std::string audit_url = installation->AuditDatabaseUrl();
  const store::OpenOptions audit_options{
      .busy_timeout_ms = installation->config.store.busy_timeout_ms, .read_only = true};
  auto db = store::Open(audit_url, audit_options);
  if (!db) return ReportError(db.error().WithContext("audit log"));
  auto repository = records::RecordRepository::Create(*installation->db, installation->keyring);
  if (!repository) return ReportError(repository.error());
  ProgressLine progress("breach report");
  const auto started = std::chrono::steady_clock::now();
  incident::BreachOptions breach_options{
      .with_proofs = !options.no_proofs,
      .progress =
          [&](std::string_view stage, uint64_t done, uint64_t total) {
            progress.Update(done, total, stage == "proving" ? "events hashed" : "selecting");
          },
      .with_subjects =
          [&](std::vector<incident::ExposedSubject>& subjects) {
            return incident::NameSubjects(*repository, subjects);
          },
      .reading = {.open = [&] { return store::Open(audit_url, audit_options); }}};
  auto report = incident::ComputeBreachReport(**db, *scope, clock, breach_options);
  progress.Finish();
  if (!report) return ReportError(report.error());

  std::vector<uint8_t> public_key;
  if (report->checkpoint) {
    auto checked = incident::CheckedCheckpointKey(installation->keyring, *report->checkpoint);
    if (!checked) return ReportError(checked.error());
    public_key = std::move(*checked);
  }
  if (options.json) {
    auto printed =
        incident::RenderBreachJson(*report, public_key, [](std::string_view piece) -> Result<void> {
          if (std::fwrite(piece.data(), 1, piece.size(), stdout) != piece.size()) {
            return Fail(ErrorCode::kUnavailable, "cannot write to standard output");
          }
          return {};
        });
    if (printed && (std::fflush(stdout) != 0 || std::ferror(stdout))) {
      printed = Fail(ErrorCode::kUnavailable, "cannot write to standard output");
    }
    if (!printed) return ReportError(printed.error());
    return 0;
  }
  // subjects.csv names them: they are named in the log first (a claim
  // check's are too), and nothing is written when that fails.
  std::vector<int64_t> named;
  for (const incident::ExposedSubject& subject : report->subjects) {
    if (subject.identity) named.push_back(subject.person_id);
  }
  if (auto recorded = RecordPersonsNamed(*installation, clock, read_subject, std::move(named));
      !recorded) {
    return ReportError(recorded.error());
  }
  const incident::BreachNotice notice{.controller = options.controller,
                                      .contact = options.contact,
                                      .consequences = options.consequences,
                                      .measures = options.measures};
  // Security: 0600 (the CSV names persons on police files), never through a
  // symbolic link, never over an existing file. All three or none: a file
  // appears only when committed (not even after a kill), and those
  // committed are removed again should a later one fail.
  std::vector<NewDurableFile> files;
  auto written = [&]() -> Result<void> {
    for (const char* name : kFiles) {
      ASSIGN_OR_RETURN(NewDurableFile file, NewDurableFile::Create(options.out / name));
      files.push_back(std::move(file));
    }
    RETURN_IF_ERROR(incident::RenderBreachJson(
        *report, public_key, [&](std::string_view piece) { return files[0].Append(piece); }));
    RETURN_IF_ERROR(files[1].Append(incident::RenderSubjectsCsv(*report)));
    RETURN_IF_ERROR(files[2].Append(incident::RenderBreachHtml(*report, notice)));
    return CommitAll(files);
  }();
  if (!written) return ReportError(written.error());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const incident::BreachCounts& c = report->counts;
  std::printf(
      "breach report: %llu data subjects (%llu full files, %llu summaries only), %llu records, "
      "%llu events counted (%llu unproven), checkpoint tree size %llu, %.2f s\n",
      static_cast<unsigned long long>(c.subjects),
      static_cast<unsigned long long>(c.full_file_subjects),
      static_cast<unsigned long long>(c.summary_only_subjects),
      static_cast<unsigned long long>(c.records),
      static_cast<unsigned long long>(report->events.size()),
      static_cast<unsigned long long>(c.unproven_events),
      static_cast<unsigned long long>(report->checkpoint ? report->checkpoint->tree_size : 0),
      seconds);
  for (const char* name : kFiles) std::printf("  %s\n", (options.out / name).c_str());
  return 0;
}

}  // namespace vigie::cli
