#pragma once
// An installation: a data directory holding vigie.toml, the key file and,
// by default, the SQLite databases of the records and of the audit log (or
// URLs of PostgreSQL schemas for them). `Create` lays one out;
// `Open` loads and checks it. Owns the configuration, the keyring and the
// database connection.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "audit/audit_log.h"
#include "cli/installation_lease.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/error.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "witness/checkpoint_publisher.h"

namespace vigie::cli {

// Where a new installation keeps its data; "" = the SQLite default.
struct DatabaseUrls {
  std::string store;
  std::string audit;
};

// How a command opens a database it writes: a change (a containment, a
// suspension, a copied table) is durable once said, whatever the URL or the
// server says (store::OpenOptions::durable_commits).
store::OpenOptions CommandWriteOptions(const Config& config);

struct Installation {
  // Held for as long as the installation is open (and released last): no
  // command works on the data while `vigie migrate-store` moves it.
  std::optional<InstallationLease> lease;
  // Held when opened to change the key file (OpenToChangeKeys).
  std::optional<InstallationLease> keys_lease;
  Config config;
  crypto::Keyring keyring;
  std::unique_ptr<store::Connection> db;

  // Creates the directory (mode 0700), config, key file (0600) and database.
  // Conflict when the directory already holds an installation.
  // `databases` replaces the default SQLite URLs (e.g. with postgresql://).
  static Result<Installation> Create(const std::filesystem::path& data_dir,
                                     const DatabaseUrls& databases = {});
  // NotFound when there is no installation; Conflict while `vigie
  // migrate-store` moves it; errors from config, key file and database
  // otherwise (schema migrated to this binary's version).
  static Result<Installation> Open(const std::filesystem::path& data_dir);
  // As Open, holding the exclusive lease instead (`vigie migrate-store`, for
  // its whole run): Conflict while a server or another command has it open.
  static Result<Installation> OpenToMove(const std::filesystem::path& data_dir);
  // As Open, for the commands that write the key file back (`vigie keys
  // rotate|activate|retire`): holds the key file's lease (Kind::kChangingKeys)
  // from before it is read, so one runs at a time. Conflict while another
  // holds it.
  static Result<Installation> OpenToChangeKeys(const std::filesystem::path& data_dir);

  // The audit log as configured ([audit]), its checkpoints signed with the
  // "audit-signing" key. `remember_outages` (the server only): an outage is
  // kept in the data directory's audit-outage.mark across a restart.
  // Errors from AuditLog::Open, with context.
  Result<std::unique_ptr<audit::AuditLog>> OpenAuditLog(const Clock& clock,
                                                        bool remember_outages = false) const;
  // The audit log's database URL (Config::ResolveDatabaseUrl).
  std::string AuditDatabaseUrl() const;
  // The witness ([audit] witness_*), or nullopt when no witness key is set.
  // witness_url may be empty: an offline installation still checks the
  // cosignatures it holds, but has no one to send checkpoints to.
  std::optional<witness::PublisherOptions> WitnessPublisherOptions() const;
};

}  // namespace vigie::cli
