#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <vector>

#include "app/audit_trail.h"
#include "audit/synthetic_events.h"
#include "cli/commands.h"
#include "cli/installation.h"
#include "cli/operator_read.h"
#include "cli/progress.h"
#include "core/durable_file.h"
#include "records/records.h"
#include "store/table_copy.h"

namespace vigie::cli {
namespace {

Result<std::vector<std::string>> ReadLines(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return Fail(ErrorCode::kNotFound, "cannot read surname list " + path.string());
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// The largest person id of the installation: synthetic events name real files.
// The one number `sql` selects.
Result<int64_t> CountOf(store::Connection& db, std::string_view sql) {
  ASSIGN_OR_RETURN(store::Statement * count, db.Prepare(sql));
  ASSIGN_OR_RETURN(bool found, count->Step());
  const int64_t value = found ? count->ColumnInt(0) : 0;
  RETURN_IF_ERROR(count->Run());
  return value;
}

// The agents and units synthetic events name do not exist: a placeholder
// of each, disabled, holds the highest of their ids, so that an agent or
// unit added later takes an id above them and is never blamed for what
// the synthetic ones did.
Result<void> ReserveSyntheticIds(store::Connection& db,
                                 const audit::SyntheticEventOptions& synthetic, int64_t now) {
  const int64_t units = std::max<int64_t>(1, synthetic.agents / 25);
  ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(db));
  ASSIGN_OR_RETURN(store::Statement * unit,
                   db.Prepare("INSERT INTO unit (id, code, name, kind, created_at) "
                              "VALUES ($1, 'SYNTH-LOG', 'synthetic audit events', 'other', $2) "
                              "ON CONFLICT DO NOTHING"));
  unit->BindInt(1, units).BindInt(2, now);
  RETURN_IF_ERROR(unit->Run());
  ASSIGN_OR_RETURN(store::Statement * agent,
                   db.Prepare("INSERT INTO agent (id, service_number, display_name, unit_id, "
                              "roles, status, created_at, updated_at) VALUES ($1, 'SYNTH-LOG', "
                              "'synthetic audit events', $2, 'agent', 'disabled', $3, $3) "
                              "ON CONFLICT DO NOTHING"));
  agent->BindInt(1, synthetic.agents).BindInt(2, units).BindInt(3, now);
  RETURN_IF_ERROR(agent->Run());
  RETURN_IF_ERROR(store::SyncIdentityColumns(db));  // PostgreSQL's identities past them too
  return tx.Commit();
}

// `generate --audit-events N`: N synthetic events appended to the
// installation's audit log through the real writer (chained, checkpointed,
// indexed), search terms sealed as the portal seals them, spread over the
// last 90 days. For benchmarks and demonstrations of investigations.
int GenerateAuditEvents(const std::filesystem::path& data_dir, const GenerateOptions& options,
                        const std::vector<std::string>& surnames) {
  auto installation = Installation::Open(data_dir);
  if (!installation) return ReportError(installation.error());
  // Security: the synthetic events are signed into the log as any other,
  // under agent ids 1..5000 and unit ids 1..200. In an installation with
  // agents or units they would be some of theirs, and a breach report or
  // "who consulted" would name real agents for what they never did: only a
  // log of nobody's takes them. (The placeholders below are not anybody.)
  auto agents = CountOf(*installation->db,
                        "SELECT (SELECT count(*) FROM agent WHERE "
                        "service_number <> 'SYNTH-LOG') + (SELECT count(*) "
                        "FROM unit WHERE code <> 'SYNTH-LOG')");
  if (!agents) return ReportError(agents.error());
  if (*agents > 0) {
    return ReportError(Error(ErrorCode::kConflict,
                             "this installation has agents or units: synthetic events would be "
                             "attributed to ids that may be theirs; generate them into "
                             "a throw-away installation with none"));
  }
  auto persons = CountOf(*installation->db, "SELECT coalesce(max(id), 0) FROM person");
  if (!persons) return ReportError(persons.error());
  auto terms_key = installation->keyring.Current(crypto::kPurposeAuditTerms);
  if (!terms_key) return ReportError(terms_key.error());

  constexpr int64_t kWindowMicros = int64_t{90} * 86'400'000'000;
  const auto events = static_cast<int64_t>(options.audit_events);
  audit::SyntheticEventOptions synthetic{
      .seed = options.seed,
      .spacing_micros = std::max<int64_t>(1, kWindowMicros / events),
      .persons = std::max<int64_t>(1, *persons)};
  SystemClock clock;
  // In the log before the events, and their ids taken before they are used.
  if (auto recorded = RecordOperatorCommand(
          *installation, clock,
          "generate " + std::to_string(events) + " synthetic audit events (agent ids 1.." +
              std::to_string(synthetic.agents) + ", unit ids 1.." +
              std::to_string(synthetic.agents / 25) + "): not consultations");
      !recorded) {
    return ReportError(recorded.error());
  }
  if (auto reserved = ReserveSyntheticIds(*installation->db, synthetic, UnixSeconds(clock.Now()));
      !reserved) {
    return ReportError(reserved.error());
  }
  auto log = installation->OpenAuditLog(clock);
  if (!log) return ReportError(log.error());
  app::AuditTrail trail(**log, **terms_key, clock);
  synthetic.first_unix_micros = UnixMicros(clock.Now()) - synthetic.spacing_micros * events;
  ProgressLine progress("generating");
  constexpr uint64_t kChunk = 16'384;
  auto make_chunk = [&](uint64_t first) {
    std::vector<audit::AuditEvent> chunk;
    const uint64_t end = std::min(first + kChunk, options.audit_events);
    chunk.reserve(end - first);
    for (uint64_t n = first; n < end; ++n) {
      audit::AuditEvent event = audit::SyntheticAuditEvent(n, synthetic);
      if (event.type == audit::AuditEventType::kSearch) {
        trail.AddQuery(event, {.surname = surnames[(n * 2654435761u) % surnames.size()]},
                       std::nullopt);
      }
      chunk.push_back(std::move(event));
    }
    return chunk;
  };
  // The next chunk is made (and its terms sealed) on another core while the
  // writer commits this one.
  std::future<std::vector<audit::AuditEvent>> next = std::async(std::launch::async, make_chunk, 0);
  for (uint64_t first = 0; first < options.audit_events; first += kChunk) {
    std::vector<audit::AuditEvent> chunk = next.get();
    const uint64_t end = first + chunk.size();
    if (end < options.audit_events) next = std::async(std::launch::async, make_chunk, end);
    if (auto appended = (*log)->AppendAll(std::move(chunk)); !appended) {
      progress.Finish();
      return ReportError(appended.error());
    }
    progress.Update(end, options.audit_events, "events");
  }
  progress.Finish();
  log->reset();  // the closing checkpoint
  std::printf("Appended %llu synthetic audit events (persons 1..%lld, the last 90 days)\n",
              static_cast<unsigned long long>(options.audit_events),
              static_cast<long long>(synthetic.persons));
  return 0;
}

}  // namespace

int RunGenerate(const std::filesystem::path& data_dir, const GenerateOptions& options) {
  if (options.audit_events > 0 && !options.out.empty()) {
    return ReportError(
        Error(ErrorCode::kInvalidArgument,
              "--out (records) and --audit-events (the audit log): one or the other"));
  }
  auto surnames = ReadLines(options.surnames);
  if (!surnames) return ReportError(surnames.error());
  if (surnames->empty()) {
    return ReportError(
        Error(ErrorCode::kInvalidArgument, options.surnames.string() + " lists no surname"));
  }
  if (options.audit_events > 0) return GenerateAuditEvents(data_dir, options, *surnames);
  if (options.out.empty()) {
    return ReportError(Error(ErrorCode::kInvalidArgument,
                             "give --out FILE (records) or --audit-events N (into the audit log)"));
  }
  // A new file, named only once whole: an export waiting to be imported (or
  // any file the user owns) is never written over, and a full disk leaves
  // no truncated file that `vigie import` would take as whole.
  std::error_code ec;
  if (std::filesystem::exists(options.out, ec) || std::filesystem::is_symlink(options.out, ec)) {
    return ReportError(
        Error(ErrorCode::kConflict,
              options.out.string() + " exists: give a new file name (or remove it)"));
  }
  auto out = NewDurableFile::Create(options.out, 0644);  // synthetic: nothing to hide
  if (!out) return ReportError(out.error());
  records::GeneratorOptions generator_options;
  generator_options.seed = options.seed;
  records::PopulationGenerator generator(generator_options, std::move(*surnames));
  ProgressLine progress("generating");
  uint64_t notices = 0, entries = 0;
  std::string buffer;
  for (uint64_t i = 0; i < options.persons; ++i) {
    auto g = generator.Make(i);
    buffer += records::ToJsonLine(g.person);
    buffer += '\n';
    for (const auto& n : g.notices) (buffer += records::ToJsonLine(n)) += '\n';
    for (const auto& e : g.entries) (buffer += records::ToJsonLine(e)) += '\n';
    notices += g.notices.size();
    entries += g.entries.size();
    if (buffer.size() > (1 << 20)) {
      if (auto written = out->Append(buffer); !written) return ReportError(written.error());
      buffer.clear();
    }
    progress.Update(i + 1, options.persons, "persons");
  }
  auto written = out->Append(buffer);
  if (written) written = out->Commit();
  progress.Finish();
  if (!written) return ReportError(written.error());
  std::printf("Generated %llu persons, %llu wanted notices, %llu record entries into %s\n",
              static_cast<unsigned long long>(options.persons),
              static_cast<unsigned long long>(notices), static_cast<unsigned long long>(entries),
              options.out.c_str());
  return 0;
}

}  // namespace vigie::cli
