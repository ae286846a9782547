#include <chrono>
#include <string>
#include <thread>

#include "core/log.h"
#include "store/store.h"

namespace vigie::store {
namespace {

constexpr std::string_view kVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)";
// PostgreSQL's INTEGER is 32-bit: applied_at (Unix seconds) needs BIGINT.
constexpr std::string_view kPostgresVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

std::string_view VersionTable(Dialect dialect) {
  return dialect == Dialect::kPostgres ? kPostgresVersionTable : kVersionTable;
}

std::string_view RecordVersion(Dialect dialect) {
  if (dialect == Dialect::kPostgres) {
    return "INSERT INTO schema_version (version, name, applied_at) "
           "VALUES ($1, $2, CAST(extract(epoch FROM now()) AS BIGINT))";
  }
  return "INSERT INTO schema_version (version, name, applied_at) "
         "VALUES ($1, $2, CAST(strftime('%s','now') AS INTEGER))";
}

// Several nodes may start at once on one PostgreSQL database: a session-level
// advisory lock (key "vigie" in ASCII) lets one migrate while the others
// wait. Tried again and again rather than waited for: lock_timeout (a
// blocked writer's patience, a second or so) would give up on a migration
// that takes minutes on a large table. A holder that dies ends its session,
// and the lock with it.
constexpr std::string_view kTryLockMigrations =
    "SELECT CAST(pg_try_advisory_lock(435526134117) AS INTEGER)";
constexpr std::string_view kUnlockMigrations = "SELECT pg_advisory_unlock(435526134117)";

Result<void> LockMigrations(Connection& connection) {
  for (bool told = false;; told = true) {
    ASSIGN_OR_RETURN(Statement * lock, connection.Prepare(kTryLockMigrations));
    ASSIGN_OR_RETURN(bool row, lock->Step());
    const bool held = row && lock->ColumnInt(0) == 1;
    RETURN_IF_ERROR(lock->Run());
    if (held) return {};
    if (!told) Log(LogLevel::kWarn, "store_migration_waiting_for_another_process", {});
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

Result<int> MigrateUnlocked(Connection& connection, std::span<const Migration> migrations);

// Whether the version table exists. Asked first on PostgreSQL: CREATE ...
// IF NOT EXISTS needs the CREATE privilege even when the table is there, and
// a deployment may deny it (the audit schema's role only appends). Asked of
// the schema tables are created in: another schema later in search_path may
// hold another database's (the audit log's beside the records').
Result<bool> HasVersionTable(Connection& connection) {
  if (connection.dialect() != Dialect::kPostgres) return false;  // SQLite: IF NOT EXISTS is free
  ASSIGN_OR_RETURN(Statement * stmt, connection.Prepare("SELECT to_regclass(format('%I.%I', "
                                                        "current_schema(), 'schema_version')) "
                                                        "IS NOT NULL"));
  ASSIGN_OR_RETURN(bool row, stmt->Step());
  const bool exists = row && stmt->ColumnInt(0) != 0;
  RETURN_IF_ERROR(stmt->Run());
  return exists;
}

// The version recorded in the (existing) version table.
Result<int> ReadVersion(Connection& connection) {
  ASSIGN_OR_RETURN(Statement * stmt,
                   connection.Prepare("SELECT coalesce(max(version), 0) FROM schema_version"));
  ASSIGN_OR_RETURN(bool row, stmt->Step());
  int version = row ? static_cast<int>(stmt->ColumnInt(0)) : 0;
  (void)stmt->Run();
  return version;
}

}  // namespace

Result<int> SchemaVersion(Connection& connection) {
  ASSIGN_OR_RETURN(bool exists, HasVersionTable(connection));
  if (!exists) RETURN_IF_ERROR(connection.ExecuteScript(VersionTable(connection.dialect())));
  return ReadVersion(connection);
}

Result<int> Migrate(Connection& connection, std::span<const Migration> migrations) {
  if (connection.dialect() != Dialect::kPostgres) return MigrateUnlocked(connection, migrations);
  // Most opens find the schema current: they take no lock, so a command
  // never waits behind a node migrating, or hung while it holds the lock.
  ASSIGN_OR_RETURN(const bool exists, HasVersionTable(connection));
  if (exists) {
    ASSIGN_OR_RETURN(const int current, ReadVersion(connection));
    if (current == static_cast<int>(migrations.size())) return current;
  }
  RETURN_IF_ERROR(LockMigrations(connection));
  auto migrated = MigrateUnlocked(connection, migrations);
  (void)connection.ExecuteScript(kUnlockMigrations);  // also released if the session ends
  return migrated;
}

namespace {

Result<int> MigrateUnlocked(Connection& connection, std::span<const Migration> migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return Fail(ErrorCode::kInternal, "migrations must be numbered 1, 2, 3...");
    }
  }
  ASSIGN_OR_RETURN(int current, SchemaVersion(connection));
  int newest = static_cast<int>(migrations.size());
  if (current > newest) {
    return Fail(ErrorCode::kConflict,
                "database schema version " + std::to_string(current) +
                    " is newer than this binary knows (" + std::to_string(newest) +
                    "): upgrade Vigie before using this database");
  }
  for (const Migration& m : migrations.subspan(static_cast<size_t>(current))) {
    ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(connection));
    // Read again inside the transaction (on SQLite it holds the write lock,
    // and nothing else keeps two processes starting at once apart): one
    // applied meanwhile is not applied twice.
    ASSIGN_OR_RETURN(const int reached, SchemaVersion(connection));
    if (reached >= m.version) {
      RETURN_IF_ERROR(tx.Commit());
      continue;
    }
    auto applied = connection.ExecuteScript(m.sql);
    if (!applied) {
      return Fail(applied.error().WithContext("migration " + std::to_string(m.version) + " (" +
                                              std::string(m.name) + ")"));
    }
    ASSIGN_OR_RETURN(Statement * record, connection.Prepare(RecordVersion(connection.dialect())));
    record->BindInt(1, m.version).BindText(2, m.name);
    RETURN_IF_ERROR(record->Run());
    RETURN_IF_ERROR(tx.Commit());
  }
  return newest;
}

}  // namespace
}  // namespace vigie::store
