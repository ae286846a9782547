#pragma once
// `vigie init` for end-to-end tests, on the suite's backend: on the
// PostgreSQL pass (store/test_database.h) the records and the audit log get
// a schema each, dropped with this object.

#include <filesystem>
#include <memory>
#include <string>

#include "store/test_database.h"
#include "tests/support/command.h"

namespace vigie::testing {

class TestInstallation {
 public:
  // The extra `vigie init` arguments of this pass ("" on SQLite).
  std::string InitArguments() {
    if (store::testing::SuiteBackend() == store::testing::Backend::kSqlite) return "";
    store_ = std::make_unique<store::testing::SuiteDatabase>();
    audit_ = std::make_unique<store::testing::SuiteDatabase>();
    return " --store-url '" + store_->url() + "' --audit-url '" + audit_->url() + "'";
  }

  bool postgres() const { return store_ != nullptr; }

  // The URLs `vigie init` was given, or its SQLite defaults in `data_dir`.
  std::string StoreUrl(const std::filesystem::path& data_dir) const {
    return store_ != nullptr ? store_->url() : "sqlite:" + (data_dir / "vigie.db").string();
  }
  std::string AuditUrl(const std::filesystem::path& data_dir) const {
    return audit_ != nullptr ? audit_->url() : "sqlite:" + (data_dir / "audit.db").string();
  }

  // A shell command running SQL on the audit log's database as someone with
  // full access to it would: `sqlite_sql` with sqlite3, or `pg_sql` with psql.
  std::string AuditSqlCommand(const std::filesystem::path& data_dir, const std::string& sqlite_sql,
                              const std::string& pg_sql) const {
    if (audit_ == nullptr) return "sqlite3 " + (data_dir / "audit.db").string() + " \"" + sqlite_sql + "\"";
    return "psql -q -v ON_ERROR_STOP=1 -d '" + audit_->url() + "' -c \"" + pg_sql + "\"";
  }

  // The same on the records database (agents, units, incidents).
  std::string StoreSqlCommand(const std::filesystem::path& data_dir, const std::string& sqlite_sql,
                              const std::string& pg_sql) const {
    if (store_ == nullptr)
      return "sqlite3 " + (data_dir / "vigie.db").string() + " \"" + sqlite_sql + "\"";
    return "psql -q -v ON_ERROR_STOP=1 -d '" + store_->url() + "' -c \"" + pg_sql + "\"";
  }

  // A shell command that throws the whole audit log away.
  std::string WipeAuditCommand(const std::filesystem::path& data_dir) const {
    if (audit_ == nullptr) {
      const std::string db = (data_dir / "audit.db").string();
      return "rm -f " + db + " " + db + "-wal " + db + "-shm";
    }
    return AuditSqlCommand(data_dir, "", "DROP SCHEMA " + audit_->schema() + " CASCADE; CREATE SCHEMA " + audit_->schema());
  }

  // What a thief of the records database takes away.
  std::string StolenStore(const std::filesystem::path& data_dir) const {
    if (store_ != nullptr) return store_->StolenCopy();
    return store::testing::TestDatabase::StolenSqliteFiles((data_dir / "vigie.db").string());
  }

 private:
  std::unique_ptr<store::testing::SuiteDatabase> store_;
  std::unique_ptr<store::testing::SuiteDatabase> audit_;
};

}  // namespace vigie::testing
