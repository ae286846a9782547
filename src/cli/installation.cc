#include "cli/installation.h"

#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "audit/audit.h"
#include "audit/checkpoint_relay.h"
#include "core/durable_file.h"
#include "core/log.h"
#include "crypto/hash.h"
#include "identity/options.h"

namespace vigie::cli {
namespace {

constexpr const char* kConfigName = "vigie.toml";

Result<std::unique_ptr<store::Connection>> OpenDatabase(const Config& config) {
  const std::string url = config.ResolveDatabaseUrl(config.store.url);
  ASSIGN_OR_RETURN(auto db, store::Open(url, CommandWriteOptions(config)));
  RETURN_IF_ERROR(store::Migrate(*db, store::VigieSchema(db->dialect())));
  return db;
}

// Security: `vigie init` takes no database another installation uses (the
// first node's, say): what it holds was sealed and signed with keys the new
// key file does not have, and what the new keys would sign there would fail
// `audit verify` on every node. A new SQLite file has nothing to check:
// returns its path, for a failed init to remove.
Result<std::optional<std::filesystem::path>> RefuseUsedDatabase(const Config& config,
                                                                const std::string& url,
                                                                std::string_view what) {
  if (url.starts_with("sqlite:")) {
    std::filesystem::path file = url.substr(std::string_view("sqlite:").size());
    std::error_code ec;
    if (!std::filesystem::exists(file, ec) && !ec) return file;
  }
  store::OpenOptions options;
  options.busy_timeout_ms = config.store.busy_timeout_ms;
  ASSIGN_OR_RETURN(auto db, store::Open(url, options));
  ASSIGN_OR_RETURN(const int version, store::SchemaVersion(*db));
  if (version == 0) return std::optional<std::filesystem::path>();
  return Fail(ErrorCode::kConflict,
              "the " + std::string(what) +
                  " database already holds a Vigie installation: another node of a portal "
                  "copies vigie.toml and vigie.key from the first instead of running init "
                  "(docs/operations.md)");
}

// A new key file gains the data keys of every purpose.
Result<void> EnsureDataKey(crypto::Keyring& keyring, std::string_view purpose,
                           const std::filesystem::path& key_file) {
  auto current = keyring.Current(purpose);
  if (current) return {};
  if (current.error().code() != ErrorCode::kNotFound) return std::unexpected(current.error());
  RETURN_IF_ERROR(keyring.AddDataKey(purpose));
  return keyring.Save(key_file);
}

constexpr std::string_view kInitialPurposes[] = {
    identity::kPurposeTotpSeeds, crypto::kPurposeAuditSigning, crypto::kPurposeAuditTerms};

Result<void> EnsureDataKeys(crypto::Keyring& keyring, const std::filesystem::path& key_file) {
  for (std::string_view purpose : kInitialPurposes) {
    RETURN_IF_ERROR(EnsureDataKey(keyring, purpose, key_file));
  }
  return {};
}

// Security: an installation's key file is never completed behind its
// operator's back. Each node has its own copy of it: a key one node made up
// would seal what no other node can open, and sign a log the others do not
// sign with; a key lost with a damaged file would orphan what it sealed.
Result<void> RequireDataKeys(const crypto::Keyring& keyring,
                             const std::filesystem::path& key_file) {
  for (std::string_view purpose : kInitialPurposes) {
    auto current = keyring.Current(purpose);
    if (current) continue;
    if (current.error().code() != ErrorCode::kNotFound) return std::unexpected(current.error());
    return Fail(ErrorCode::kDataLoss,
                key_file.string() + " has no current " + std::string(purpose) +
                    " key: it is damaged, or not this installation's. Restore it from its "
                    "backup (or copy it from another node of this portal)");
  }
  return {};
}

}  // namespace

store::OpenOptions CommandWriteOptions(const Config& config) {
  return {.busy_timeout_ms = config.store.busy_timeout_ms, .durable_commits = true};
}

std::string Installation::AuditDatabaseUrl() const {
  return config.ResolveDatabaseUrl(config.audit.url);
}

Result<std::unique_ptr<audit::AuditLog>> Installation::OpenAuditLog(const Clock& clock,
                                                                    bool remember_outages) const {
  const Config::Audit& settings = config.audit;
  audit::AuditLogOptions options;
  options.url = AuditDatabaseUrl();
  options.node_id = settings.node_id;
  options.max_wait = std::chrono::milliseconds(settings.max_wait_ms);
  options.checkpoint_every_events = static_cast<uint64_t>(settings.checkpoint_every_events);
  options.checkpoint_every = std::chrono::milliseconds(settings.checkpoint_every_ms);
  if (!settings.witness_file.empty()) options.witness_file = config.Resolve(settings.witness_file);
  options.max_size_mib = settings.max_size_mib;
  // The server's alone: a command run during the server's outage must not
  // take it up and record it as its own. In the data directory, not beside
  // the log: the log's disk may be the full one.
  if (remember_outages) options.outage_mark = config.data_dir / "audit-outage.mark";
  if (settings.checkpoint_syslog) {
    // syslog(3): the local daemon forwards them wherever the site sends
    // authpriv (a SIEM, a log host Vigie's operators do not control). It
    // blocks while the daemon's socket is full: through a relay, off the
    // audit writer's thread.
    ::openlog("vigie-audit", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
    options.checkpoint_sink = audit::CheckpointRelay::Sink([](const audit::Checkpoint& checkpoint) {
      ::syslog(LOG_NOTICE, "checkpoint %s", audit::WitnessLine(checkpoint).c_str());
    });
  }
  // Read again when asked: a newer key is one a rotation added since.
  options.signing_key_of = [key_file = config.Resolve(config.crypto.key_file)](
                               uint32_t key_id) -> std::optional<crypto::Ed25519PublicKey> {
    auto now = crypto::Keyring::LoadKeyFile(key_file);
    if (!now) return std::nullopt;
    auto key = audit::CheckpointKeysOf(*now)(key_id);
    if (!key) return std::nullopt;
    return key->public_key;
  };
  ASSIGN_OR_RETURN(const crypto::DataKey* signing_key,
                   keyring.Current(crypto::kPurposeAuditSigning));
  auto log = audit::AuditLog::Open(std::move(options), *signing_key, clock);
  if (!log) return Fail(log.error().WithContext("audit log"));
  return log;
}

std::optional<witness::PublisherOptions> Installation::WitnessPublisherOptions() const {
  const Config::Audit& settings = config.audit;
  if (settings.witness_public_key.empty()) return std::nullopt;
  witness::PublisherOptions options;
  options.audit_url = AuditDatabaseUrl();
  options.witness_url = settings.witness_url;
  if (!settings.witness_ca_file.empty()) {
    options.trusted_certificate_file = config.Resolve(settings.witness_ca_file).string();
  }
  // The configuration checked it is 64 hex digits.
  auto key = crypto::HexDecode(settings.witness_public_key);
  if (key && key->size() == options.witness_public_key.size()) {
    std::copy(key->begin(), key->end(), options.witness_public_key.begin());
  }
  options.cosignature_file = config.Resolve(settings.cosignature_file);
  auto signing_keys = std::make_shared<witness::LogSigningKeys>();
  for (const crypto::DataKey& data_key : keyring.data_keys()) {
    if (data_key.purpose == crypto::kPurposeAuditSigning) {
      signing_keys->emplace(data_key.id, crypto::Ed25519KeyPair::FromSeed(data_key.bytes()));
    }
  }
  options.log_signing_keys = std::move(signing_keys);
  return options;
}

namespace {

// The default configuration with the database URLs a new installation was
// given; ParseConfig then validates them like any other setting.
Result<std::string> InitialConfigToml(const DatabaseUrls& databases) {
  std::string text = DefaultConfigToml();
  const std::pair<std::string_view, std::string_view> replacements[] = {
      {"\"sqlite:vigie.db\"", databases.store}, {"\"sqlite:audit.db\"", databases.audit}};
  for (const auto& [placeholder, url] : replacements) {
    if (url.empty()) continue;
    if (std::ranges::any_of(url, [](char c) { return c == '"' || c == '\\' || c < 0x20; })) {
      return Fail(ErrorCode::kInvalidArgument, "a database URL may not hold quotes, backslashes "
                                               "or control characters");
    }
    const size_t at = text.find(placeholder);
    text.replace(at, placeholder.size(), "\"" + std::string(url) + "\"");
  }
  return text;
}

// Security: whoever can rewrite vigie.toml chooses the key file, the
// databases and the listeners, and whoever can enter the data directory can
// read the databases' files. Refused as the key file is (crypto/key_file.h),
// rather than run on a configuration someone else may have written: group
// members may read (a backup group), nobody but the owner may write, and
// the owner is the user running Vigie (or root).
Result<void> CheckNotExposed(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Fail(ErrorCode::kUnavailable, "cannot stat " + path.string());
  }
  if (st.st_uid != ::geteuid() && st.st_uid != 0) {
    return Fail(ErrorCode::kPermissionDenied,
                path.string() + " is owned by user " + std::to_string(st.st_uid) +
                    ", not by the user running Vigie (" + std::to_string(::geteuid()) +
                    ") nor root: whoever owns it may rewrite it");
  }
  constexpr mode_t kExposed = S_IWGRP | S_IRWXO;
  if ((st.st_mode & kExposed) == 0) return {};
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  return Fail(ErrorCode::kPermissionDenied,
              path.string() + " has mode " + mode +
                  ": others must have no access and the group no write (run: chmod go-w,o-rwx " +
                  path.string() + ")");
}

}  // namespace

Result<Installation> Installation::Create(const std::filesystem::path& data_dir,
                                          const DatabaseUrls& databases) {
  std::error_code ec;
  if (std::filesystem::exists(data_dir / kConfigName, ec)) {
    return Fail(ErrorCode::kConflict,
                data_dir.string() + " already holds an installation (vigie.toml exists)");
  }
  // Bad URLs are refused before anything is created.
  ASSIGN_OR_RETURN(std::string config_text, InitialConfigToml(databases));
  ASSIGN_OR_RETURN(Config config, ParseConfig(config_text, data_dir));
  ASSIGN_OR_RETURN(
      const std::optional<std::filesystem::path> new_store_file,
      RefuseUsedDatabase(config, config.ResolveDatabaseUrl(config.store.url), "records"));
  ASSIGN_OR_RETURN(
      const std::optional<std::filesystem::path> new_audit_file,
      RefuseUsedDatabase(config, config.ResolveDatabaseUrl(config.audit.url), "audit log"));
  std::filesystem::create_directories(data_dir, ec);
  if (ec)
    return Fail(ErrorCode::kUnavailable,
                "cannot create " + data_dir.string() + ": " + ec.message());
  // Security: the directory holds the key file and the database: owner only.
  if (::chmod(data_dir.c_str(), 0700) != 0) {
    return Fail(ErrorCode::kUnavailable, "cannot restrict permissions of " + data_dir.string());
  }
  const std::filesystem::path key_file = config.Resolve(config.crypto.key_file);
  ASSIGN_OR_RETURN(crypto::Keyring keyring, crypto::Keyring::CreateKeyFile(key_file));
  // Until vigie.toml is written nothing uses the new key file: a failure
  // before (an unreachable database, say) removes it, or every retry of
  // `vigie init` would be refused for the key file it left behind.
  // Nor the records database it migrated (then refused as used): a new
  // SQLite file is removed; PostgreSQL tables are named for the operator.
  bool migrating = false;
  auto rest = [&]() -> Result<std::unique_ptr<store::Connection>> {
    RETURN_IF_ERROR(EnsureDataKeys(keyring, key_file));
    migrating = true;
    ASSIGN_OR_RETURN(auto db, OpenDatabase(config));
    // The log's schema too: `audit verify` then finds a new installation's
    // log empty, not missing (which, later, is damage).
    ASSIGN_OR_RETURN(auto audit_db, store::Open(config.ResolveDatabaseUrl(config.audit.url)));
    RETURN_IF_ERROR(store::Migrate(*audit_db, audit::AuditLogSchema(audit_db->dialect())));
    // 0600 whatever the umask: it may hold a database password.
    RETURN_IF_ERROR(WriteNewFileDurably(data_dir / kConfigName, config_text));
    return db;
  }();
  if (!rest) {
    std::filesystem::remove(key_file, ec);
    std::filesystem::remove(data_dir / kConfigName, ec);
    for (const auto& new_file : {new_store_file, new_audit_file}) {
      if (!new_file) continue;
      for (const char* suffix : {"", "-wal", "-shm"}) {
        std::filesystem::remove(new_file->string() + suffix, ec);
      }
    }
    if (migrating && (!new_store_file || !new_audit_file)) {
      return Fail(rest.error().WithContext(
          "init may have created tables in the records database or the audit log: drop them "
          "before trying again"));
    }
    return Fail(rest.error());
  }
  return Installation{
      .config = std::move(config), .keyring = std::move(keyring), .db = std::move(*rest)};
}

namespace {

// `lease_kind`: the installation's lease this process holds while it is open
// (kServing, or kMoving for migrate-store); `changing_keys`: the key file's
// too. Both are taken after the owner checks (a lock file made by a wrong
// user would bar the right one).
Result<Installation> OpenInstallation(const std::filesystem::path& data_dir,
                                      InstallationLease::Kind lease_kind, bool changing_keys) {
  std::error_code ec;
  if (!std::filesystem::exists(data_dir / kConfigName, ec)) {
    return Fail(ErrorCode::kNotFound, "no installation in " + data_dir.string() +
                                          " (run `vigie init` first, or pass --data-dir)");
  }
  RETURN_IF_ERROR(CheckNotExposed(data_dir));
  RETURN_IF_ERROR(CheckNotExposed(data_dir / kConfigName));
  // From before the key file is read until the command writing it back ends.
  std::optional<InstallationLease> keys_lease;
  if (changing_keys) {
    auto taken = InstallationLease::Take(data_dir, InstallationLease::Kind::kChangingKeys);
    if (!taken) return Fail(taken.error());
    keys_lease = std::move(*taken);
  }
  ASSIGN_OR_RETURN(Config config, LoadConfig(data_dir / kConfigName));
  InitLogging(config.log.format, config.log.level);
  ASSIGN_OR_RETURN(crypto::Keyring keyring,
                   crypto::Keyring::LoadKeyFile(config.Resolve(config.crypto.key_file)));
  RETURN_IF_ERROR(RequireDataKeys(keyring, config.Resolve(config.crypto.key_file)));
  // Before the database is opened, which migrates its schema. A directory
  // this process cannot write to (a read-only copy being verified) cannot be
  // moved by it either, nor hold the lock file: it is read without the
  // serving lease.
  std::optional<InstallationLease> lease;
  auto taken = InstallationLease::Take(data_dir, lease_kind);
  if (taken) {
    lease = std::move(*taken);
    // Read again under the lease: a move that ended since the first read
    // pointed vigie.toml at its new databases.
    ASSIGN_OR_RETURN(config, LoadConfig(data_dir / kConfigName));
  } else if (lease_kind != InstallationLease::Kind::kServing ||
             taken.error().code() != ErrorCode::kUnavailable ||
             ::access(data_dir.c_str(), W_OK) == 0) {
    return Fail(taken.error());
  }
  ASSIGN_OR_RETURN(auto db, OpenDatabase(config));
  return Installation{.lease = std::move(lease),
                      .keys_lease = std::move(keys_lease),
                      .config = std::move(config),
                      .keyring = std::move(keyring),
                      .db = std::move(db)};
}

}  // namespace

Result<Installation> Installation::Open(const std::filesystem::path& data_dir) {
  return OpenInstallation(data_dir, InstallationLease::Kind::kServing, /*changing_keys=*/false);
}

Result<Installation> Installation::OpenToChangeKeys(const std::filesystem::path& data_dir) {
  return OpenInstallation(data_dir, InstallationLease::Kind::kServing, /*changing_keys=*/true);
}

Result<Installation> Installation::OpenToMove(const std::filesystem::path& data_dir) {
  return OpenInstallation(data_dir, InstallationLease::Kind::kMoving, /*changing_keys=*/false);
}

}  // namespace vigie::cli
