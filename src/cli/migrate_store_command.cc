// `vigie migrate-store`: moves an installation's records database and audit
// log from SQLite to PostgreSQL. The targets get their schemas from the real
// migrations, every table is copied row for row, then checked (row counts and
// digests of both sides, the whole audit log verified again on PostgreSQL,
// its tip compared), and only then is vigie.toml switched to the new URLs.

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "audit/audit.h"
#include "cli/commands.h"
#include "cli/installation.h"
#include "cli/operator_read.h"
#include "cli/progress.h"
#include "cli/witness_evidence.h"
#include "core/clock.h"
#include "core/durable_file.h"
#include "core/log.h"
#include "session/dpop.h"
#include "session/proof_watermark.h"
#include "store/table_copy.h"

namespace vigie::cli {
namespace {

constexpr const char* kConfigName = "vigie.toml";
constexpr const char* kConfigBackupName = "vigie.toml.before-migrate";

// One database on the move: its SQLite source, its PostgreSQL target.
struct Move {
  std::string what;
  store::Connection* from = nullptr;
  std::unique_ptr<store::Connection> to;
  std::vector<std::string> tables;
  uint64_t rows = 0;
};

Result<void> CheckTargetUrl(std::string_view option, std::string_view url) {
  // It goes into vigie.toml as a TOML string: no quotes, escapes or control characters.
  const bool plain = std::ranges::none_of(
      url, [](char c) { return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20; });
  if (plain && (url.starts_with("postgresql://") || url.starts_with("postgres://"))) return {};
  return Fail(ErrorCode::kInvalidArgument,
              std::string(option) + " must be a postgresql:// URL (no quotes or backslashes)");
}

// A target URL as the log records it: no user, password or parameters.
std::string WithoutCredentials(std::string_view url) {
  const size_t scheme_end = url.find("://") + 3;  // CheckTargetUrl saw one
  std::string_view rest = url.substr(scheme_end);
  // As libpq reads it: the user and password end at the first '@' before
  // any '/' (they may hold '?' or '#'); then the parameters are cut.
  if (const size_t end = rest.find_first_of("@/");
      end != std::string_view::npos && rest[end] == '@') {
    rest.remove_prefix(end + 1);
  }
  rest = rest.substr(0, rest.find_first_of("?#"));
  return std::string(url.substr(0, scheme_end)) + std::string(rest);
}

Result<void> RequireSqlite(std::string_view url, std::string_view what) {
  if (url.starts_with("sqlite:")) return {};
  return Fail(ErrorCode::kInvalidArgument,
              "the " + std::string(what) + " is not on SQLite: nothing to migrate");
}

// Security: a target already holding Vigie data is never written into: the
// copy would mix two installations' records or audit trails.
Result<void> RequireEmptyTarget(const Move& move) {
  std::vector<std::string> names = move.tables;
  names.emplace_back("schema_version");
  for (const std::string& table : names) {
    ASSIGN_OR_RETURN(store::Statement * exists,
                     move.to->Prepare("SELECT to_regclass($1) IS NOT NULL"));
    exists->BindText(1, table);
    ASSIGN_OR_RETURN(bool row, exists->Step());
    const bool found = row && exists->ColumnInt(0) != 0;
    RETURN_IF_ERROR(exists->Run());
    ASSIGN_OR_RETURN(uint64_t rows, found ? store::CountRows(*move.to, table) : 0);
    if (rows > 0) {
      return Fail(ErrorCode::kConflict, "the target of the " + move.what +
                                            " already holds Vigie data (table " + table +
                                            "): give an empty schema");
    }
  }
  return {};
}

Result<void> CopyTables(Move& move) {
  // Ids SQLite never gives again (a passkey's, once removed) are not given
  // again after the move either.
  ASSIGN_OR_RETURN(const store::IdCounters counters, store::SqliteIdCounters(*move.from));
  for (const std::string& table : move.tables) {
    ASSIGN_OR_RETURN(uint64_t total, store::CountRows(*move.from, table));
    ProgressLine progress("copying " + table);
    ASSIGN_OR_RETURN(uint64_t copied,
                     store::CopyTable(*move.from, *move.to, table, [&](uint64_t done) {
                       progress.Update(done, total, "rows");
                     }));
    move.rows += copied;
  }
  return store::SyncIdentityColumns(*move.to, counters);
}

// Both sides, table by table: the same number of rows, the same digest.
Result<void> CompareTables(const Move& move) {
  ASSIGN_OR_RETURN(store::Transaction read, store::Transaction::BeginRead(*move.to));
  ProgressLine progress("checking the " + move.what);
  for (size_t i = 0; i < move.tables.size(); ++i) {
    const std::string& table = move.tables[i];
    ASSIGN_OR_RETURN(std::vector<store::TableColumn> columns,
                     store::SqliteColumns(*move.from, table));
    ASSIGN_OR_RETURN(uint64_t source_rows, store::CountRows(*move.from, table));
    ASSIGN_OR_RETURN(uint64_t target_rows, store::CountRows(*move.to, table));
    if (source_rows != target_rows) {
      return Fail(ErrorCode::kDataLoss, "the copy of " + table + " has " +
                                            std::to_string(target_rows) + " rows, not " +
                                            std::to_string(source_rows));
    }
    ASSIGN_OR_RETURN(auto source_digest, store::TableDigest(*move.from, table, columns));
    ASSIGN_OR_RETURN(auto target_digest, store::TableDigest(*move.to, table, columns));
    if (source_digest != target_digest) {
      return Fail(ErrorCode::kDataLoss, "the copy of " + table + " differs from the source");
    }
    progress.Update(i + 1, move.tables.size(), "tables");
  }
  return {};
}

struct AuditTip {
  uint64_t size = 0;
  audit::Sha256Digest root{};
  std::vector<uint8_t> chain_hash;
  bool operator==(const AuditTip&) const = default;
};

Result<AuditTip> ReadAuditTip(store::Connection& db) {
  ASSIGN_OR_RETURN(audit::StoredSubtreeSource leaves, audit::StoredSubtreeSource::Open(db));
  AuditTip tip{.size = leaves.Size()};
  ASSIGN_OR_RETURN(tip.root, audit::MerkleRootAt(leaves, tip.size));
  ASSIGN_OR_RETURN(store::Statement * row, db.Prepare("SELECT chain_hash FROM audit_tip"));
  ASSIGN_OR_RETURN(bool has_tip, row->Step());
  if (has_tip) tip.chain_hash.assign(row->ColumnBlob(0).begin(), row->ColumnBlob(0).end());
  RETURN_IF_ERROR(row->Run());
  return tip;
}

// What `vigie audit verify` holds a log to besides its checkpoints: the
// witness file's and what the witness countersigned.
struct Evidence {
  std::vector<audit::Checkpoint> witness;
  Countersigned countersigned;
};

Result<Evidence> ReadEvidence(const Installation& installation) {
  Evidence evidence;
  if (!installation.config.audit.witness_file.empty()) {
    ASSIGN_OR_RETURN(
        evidence.witness,
        ReadWitnessFile(installation.config.Resolve(installation.config.audit.witness_file),
                        /*named=*/false));
  }
  ASSIGN_OR_RETURN(evidence.countersigned, GatherCountersigned(installation));
  return evidence;
}

// `vigie audit verify` on the copy, held to the same evidence, then its tip
// against the source's.
Result<uint64_t> VerifyAuditCopy(const Installation& installation, const Evidence& evidence,
                                 const Move& audit_move) {
  const audit::CheckpointKeyLookup key_by_id = audit::CheckpointKeysOf(installation.keyring);
  ProgressLine progress("verifying the audit log on PostgreSQL");
  ASSIGN_OR_RETURN(
      audit::AuditVerifyReport report,
      audit::VerifyAuditLog(
          *audit_move.to, key_by_id, evidence.witness,
          [&](uint64_t done, uint64_t total) { progress.Update(done, total, "events"); },
          evidence.countersigned.checkpoints, audit::RetiredSigningFloor(installation.keyring)));
  progress.Finish();
  if (!report.ok) {
    // The digests matched: the SQLite log holds the same rows, and the same problem.
    return Fail(ErrorCode::kDataLoss, "the audit log does not verify: " + report.problem);
  }
  ASSIGN_OR_RETURN(AuditTip source_tip, ReadAuditTip(*audit_move.from));
  ASSIGN_OR_RETURN(AuditTip target_tip, ReadAuditTip(*audit_move.to));
  if (source_tip != target_tip || report.events != source_tip.size) {
    return Fail(ErrorCode::kDataLoss, "the audit log copied does not end where the source does");
  }
  return report.events;
}

// `url = "..."` of [section] set to `url`, the rest of the line (a comment)
// kept; added when absent. The caller parses the result again: whatever this
// cannot rewrite is refused there.
std::string WithUrl(const std::string& toml, const std::string& section, std::string_view url) {
  static const std::regex kHeader(R"(^\s*\[([^\]]*)\].*)");
  static const std::regex kUrl(R"(^(\s*url\s*=\s*)("[^"]*"|'[^']*')(.*)$)");
  const std::string value = "\"" + std::string(url) + "\"";
  std::istringstream in(toml);
  std::string out, current;
  bool done = false;
  std::smatch match;
  for (std::string line; std::getline(in, line); out += line + "\n") {
    if (std::regex_match(line, match, kHeader)) {
      if (current == section && !done) out += "url = " + value + "\n";
      done = done || current == section;
      current = match[1];
    } else if (current == section && !done && std::regex_match(line, match, kUrl)) {
      line = match[1].str() + value + match[3].str();
      done = true;
    }
  }
  if (done) return out;
  return out + (current == section ? "" : "[" + section + "]\n") + "url = " + value + "\n";
}

// vigie.toml before and after: computed before anything changes, so that a
// file this cannot rewrite is refused up front.
struct ConfigChange {
  std::string before;
  std::string after;
};

Result<ConfigChange> PlanConfigChange(const std::filesystem::path& data_dir,
                                      const MigrateStoreOptions& options) {
  std::ifstream in(data_dir / kConfigName, std::ios::binary);
  std::stringstream before;
  before << in.rdbuf();
  ConfigChange change{.before = before.str()};
  change.after =
      WithUrl(WithUrl(change.before, "store", options.store_url), "audit", options.audit_url);
  auto parsed = ParseConfig(change.after, std::filesystem::absolute(data_dir));
  if (!in || !parsed || parsed->store.url != options.store_url ||
      parsed->audit.url != options.audit_url) {
    return Fail(ErrorCode::kInvalidArgument,
                "cannot set store.url and audit.url in vigie.toml: check its [store] and [audit]");
  }
  return change;
}

// Keeps the old file as vigie.toml.before-migrate, then replaces vigie.toml
// whole (written beside it, synced, renamed): never half a configuration.
// `replaced`: set once vigie.toml holds the change, even if a later step fails.
Result<void> ApplyConfigChange(const std::filesystem::path& data_dir, const ConfigChange& change,
                               bool& replaced) {
  const std::filesystem::path file = data_dir / kConfigName;
  const std::filesystem::path backup = data_dir / kConfigBackupName;
  const std::filesystem::path staged = data_dir / (std::string(kConfigName) + ".new");
  struct stat st {};
  const unsigned mode = ::stat(file.c_str(), &st) == 0 ? (st.st_mode & 0777) : 0600;
  std::error_code ec;
  for (const auto& [path, text] :
       {std::pair{backup, change.before}, std::pair{staged, change.after}}) {
    std::filesystem::remove(path, ec);  // written whole and synced, never appended to
    if (auto written = WriteNewFileDurably(path, text, mode); !written) {
      std::filesystem::remove(staged, ec);
      return Fail(written.error());
    }
  }
  if (::rename(staged.c_str(), file.c_str()) != 0) {
    const int error = errno;
    std::filesystem::remove(staged, ec);
    return Fail(ErrorCode::kUnavailable,
                "cannot replace " + file.string() + ": " + std::strerror(error));
  }
  replaced = true;
  // Until the directory is synced, a power cut could bring back the old
  // file: nodes appending to the old log while the new one holds the rest.
  // The file is replaced already: the message must not say it is unchanged.
  if (!SyncDirectoryOf(file)) {
    return Fail(ErrorCode::kUnavailable,
                "vigie.toml now points to PostgreSQL, but the directory holding it could not be "
                "synced (" +
                    std::string(std::strerror(errno)) +
                    "): a power cut could bring back the old one; sync it, or restore " +
                    backup.string() + " and drop and recreate the target schemas");
  }
  return {};
}

// What a run works on: the installation, its two databases and their targets.
struct Run {
  Installation installation;  // holding the exclusive lease, released last
  std::unique_ptr<store::Connection> audit_source;
  Move moves[2];
  std::vector<store::Transaction> locks;
  ConfigChange config_change;
  Evidence evidence;
};

// Every refusal happens here, before anything changes.
Result<void> OpenAndCheck(const std::filesystem::path& data_dir, const MigrateStoreOptions& options,
                          std::optional<Run>& run) {
  RETURN_IF_ERROR(CheckTargetUrl("--to-store", options.store_url));
  RETURN_IF_ERROR(CheckTargetUrl("--to-audit", options.audit_url));
  if (options.store_url == options.audit_url) {
    return Fail(ErrorCode::kInvalidArgument, "the audit log needs a schema of its own");
  }
  // Security: no server may be left running on the old files, nor have its
  // schema migrated under it (installation_lease.h): the exclusive lease,
  // held as long as the installation. Opening migrates the records database
  // to this binary's schema version, which the target's migrations then
  // match; the same for the audit log below.
  ASSIGN_OR_RETURN(Installation installation, Installation::OpenToMove(data_dir));
  const Config& config = installation.config;
  RETURN_IF_ERROR(RequireSqlite(config.ResolveDatabaseUrl(config.store.url), "records database"));
  RETURN_IF_ERROR(RequireSqlite(installation.AuditDatabaseUrl(), "audit log"));
  ASSIGN_OR_RETURN(auto audit_source,
                   store::Open(installation.AuditDatabaseUrl(),
                               {.busy_timeout_ms = config.store.busy_timeout_ms}));
  RETURN_IF_ERROR(store::Migrate(*audit_source, audit::AuditLogSchema(store::Dialect::kSqlite)));
  ASSIGN_OR_RETURN(ConfigChange config_change, PlanConfigChange(data_dir, options));
  // Read before the copy: a witness file that cannot be read stops the
  // move, rather than let it verify against fewer checkpoints.
  ASSIGN_OR_RETURN(Evidence evidence, ReadEvidence(installation));
  run.emplace(Run{.installation = std::move(installation),
                  .audit_source = std::move(audit_source),
                  .config_change = std::move(config_change),
                  .evidence = std::move(evidence)});
  run->moves[0] = {.what = "records database", .from = run->installation.db.get()};
  run->moves[1] = {.what = "audit log", .from = run->audit_source.get()};
  const std::string* urls[2] = {&options.store_url, &options.audit_url};
  for (int i = 0; i < 2; ++i) {
    Move& move = run->moves[i];
    // Durable before it is verified and the configuration names it.
    auto to = store::Open(*urls[i], CommandWriteOptions(run->installation.config));
    if (!to) return Fail(to.error().WithContext("the target of the " + move.what));
    move.to = std::move(*to);
    ASSIGN_OR_RETURN(move.tables, store::SqliteTables(*move.from));
    RETURN_IF_ERROR(RequireEmptyTarget(move));
  }
  // In the log (and so in the copy) before anything is written: who moved
  // the installation, when, and where to.
  SystemClock clock;
  RETURN_IF_ERROR(RecordOperatorCommand(
      run->installation, clock,
      "migrate-store: records database to " + WithoutCredentials(options.store_url) +
          ", audit log to " + WithoutCredentials(options.audit_url)));
  // A write transaction on each source for the whole run: one consistent
  // snapshot, and no writer can slip in an event the copy would miss.
  for (Move& move : run->moves) {
    auto lock = store::Transaction::Begin(*move.from);
    if (!lock) {
      return Fail(lock.error().WithContext("locking the " + move.what +
                                           " (stop every `vigie serve` first)"));
    }
    run->locks.push_back(std::move(*lock));
  }
  return {};
}

// Schemas, copy, checks: returns the number of audit events verified.
Result<uint64_t> CopyAndVerify(Run& run) {
  const std::span<const store::Migration> schemas[2] = {
      store::VigieSchema(store::Dialect::kPostgres),
      audit::AuditLogSchema(store::Dialect::kPostgres)};
  for (int i = 0; i < 2; ++i) {
    RETURN_IF_ERROR(store::Migrate(*run.moves[i].to, schemas[i]));
    RETURN_IF_ERROR(CopyTables(run.moves[i]));
  }
  for (const Move& move : run.moves) RETURN_IF_ERROR(CompareTables(move));
  return VerifyAuditCopy(run.installation, run.evidence, run.moves[1]);
}

// Security: on SQLite the last server's memory of the DPoP proofs it used
// went with it (the watermark kept its floor), and PostgreSQL's shared one
// starts empty: a proof it accepted would pass again on any node while
// young enough. The configuration changes only once they are all too old.
Result<uint64_t> WaitOutAcceptedProofs(const std::filesystem::path& data_dir, uint64_t events) {
  const session::DpopPolicy policy;
  SystemClock clock;
  ASSIGN_OR_RETURN(const int64_t accepted_up_to, session::ProofWatermark::AcceptedUpTo(
                                                     data_dir, clock, policy.max_future_seconds));
  if (accepted_up_to == INT64_MIN) return events;
  const int64_t until = accepted_up_to + policy.max_age_seconds + 1;
  if (UnixSeconds(clock.Now()) < until) {
    Log(LogLevel::kInfo, "migrate_store_waits_for_dpop_proofs",
        {{"seconds", until - UnixSeconds(clock.Now())}});
  }
  ProgressLine progress("waiting for the last server's DPoP proofs to expire");
  for (int64_t now = UnixSeconds(clock.Now()); now < until; now = UnixSeconds(clock.Now())) {
    progress.Update(static_cast<uint64_t>(until - now), 0, "s left");
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  progress.Finish();
  return events;
}

}  // namespace

int RunMigrateStore(const std::filesystem::path& data_dir, const MigrateStoreOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  std::optional<Run> run;
  if (auto checked = OpenAndCheck(data_dir, options, run); !checked) {
    return ReportError(checked.error());
  }
  // From here on the targets change: a failure leaves them partly filled.
  auto events = CopyAndVerify(*run);
  if (events) events = WaitOutAcceptedProofs(data_dir, *events);
  if (events) {
    bool replaced = false;
    if (auto applied = ApplyConfigChange(data_dir, run->config_change, replaced); !applied) {
      // Replaced but not synced: the message says so itself.
      if (replaced) return ReportError(applied.error());
      events = Fail(applied.error());
    }
  }
  if (!events) {
    return ReportError(
        Error(events.error().code(), events.error().message() +
                                         " (vigie.toml unchanged; drop and recreate the target "
                                         "schemas before trying again: the audit tables refuse "
                                         "DELETE and TRUNCATE)"));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  for (const Move& move : run->moves) {
    std::printf("%s: %zu tables, %llu rows copied and checked\n", move.what.c_str(),
                move.tables.size(), static_cast<unsigned long long>(move.rows));
  }
  std::printf("audit log verified on PostgreSQL: %llu events\n",
              static_cast<unsigned long long>(*events));
  std::printf("vigie.toml now points to PostgreSQL (the old one: %s); %.2f s\n", kConfigBackupName,
              seconds);
  return 0;
}

}  // namespace vigie::cli
