#pragma once
// Test support: a fresh, empty database of either backend for one test, so
// the store's tests run against SQLite and PostgreSQL alike.
//
// PostgreSQL is found through VIGIE_TEST_POSTGRES_URL (a postgresql:// URL of
// a server the tests may create schemas in), VIGIE_TEST_POSTGRES_URL_FILE
// (a file holding that URL) or, failing both, the file the CTest fixture
// pg_cluster_start writes (compiled in as VIGIE_PG_TEST_URL_FILE).
// Without either, PostgreSQL tests are skipped. Each database is a schema of
// its own (made the connection's search_path by the URL), dropped afterwards.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "store/store.h"
#include "tests/support/command.h"
#include "tests/support/temp_dir.h"

namespace vigie::store::testing {

enum class Backend { kSqlite, kPostgres };

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}
inline void PrintTo(Backend backend, std::ostream* os) {
  *os << (backend == Backend::kSqlite ? "SQLite" : "PostgreSQL");
}

// The server URL for PostgreSQL tests, or "" when none is configured.
inline std::string PostgresTestUrl() {
  if (const char* url = std::getenv("VIGIE_TEST_POSTGRES_URL"); url != nullptr && *url != '\0') {
    return url;
  }
  if (const char* file = std::getenv("VIGIE_TEST_POSTGRES_URL_FILE"); file != nullptr) {
    std::string url;
    std::ifstream(file) >> url;
    return url;
  }
#ifdef VIGIE_PG_TEST_URL_FILE
  // The CTest fixture's cluster, for tests registered by vigie_test(DATABASE).
  std::string url;
  std::ifstream(VIGIE_PG_TEST_URL_FILE) >> url;
  return url;
#else
  return "";
#endif
}

// The backend of this test run: PostgreSQL when VIGIE_TEST_BACKEND=postgres
// (CTest's second pass over the whole suite), SQLite otherwise.
inline Backend SuiteBackend() {
  const char* name = std::getenv("VIGIE_TEST_BACKEND");
  return name != nullptr && std::string_view(name) == "postgres" ? Backend::kPostgres
                                                                 : Backend::kSqlite;
}

// Appends a libpq URI parameter to `url`.
inline std::string WithUriParameter(const std::string& url, const std::string& parameter) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + parameter;
}

class TestDatabase {
 public:
  // Creates the database; check skip_reason() / error() before using url().
  explicit TestDatabase(Backend backend) : backend_(backend) {
    if (backend == Backend::kSqlite) {
      url_ = "sqlite:" + (dir_ / "test.db").string();
      return;
    }
    std::string server = PostgresTestUrl();
    if (server.empty()) {
      skip_reason_ =
          "PostgreSQL tests need VIGIE_TEST_POSTGRES_URL (e.g. from scripts/pg-throwaway start) "
          "or VIGIE_TEST_POSTGRES_URL_FILE; ctest sets the latter";
      return;
    }
    static std::atomic<int> counter{0};
    schema_ = "vigie_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    // The test server's data is thrown away: commits need not wait for the disk.
    server = WithUriParameter(server, "options=-csynchronous_commit%3Doff");
    auto admin = Open(server);
    if (!admin) {
      error_ = "cannot reach " + server + ": " + admin.error().ToString();
      return;
    }
    admin_ = std::move(*admin);
    auto created = admin_->ExecuteScript("DROP SCHEMA IF EXISTS " + schema_ +
                                         " CASCADE; CREATE SCHEMA " + schema_);
    if (!created) {
      error_ = created.error().ToString();
      return;
    }
    server_ = server;
    url_ = server + "%20-csearch_path%3D" + schema_;  // extends the options parameter
  }
  ~TestDatabase() {
    if (admin_ != nullptr) (void)admin_->ExecuteScript("DROP SCHEMA " + schema_ + " CASCADE");
  }
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  Backend backend() const { return backend_; }
  const std::string& url() const { return url_; }
  const std::string& schema() const { return schema_; }  // PostgreSQL only
  const std::string& skip_reason() const { return skip_reason_; }
  const std::string& error() const { return error_; }
  // A connection outside the test's schema (PostgreSQL only).
  Connection* admin() const { return admin_.get(); }
  // What a thief of the database takes away: the SQLite file with its
  // write-ahead log, or a pg_dump of the schema.
  std::string StolenCopy() const {
    if (backend_ == Backend::kSqlite) {
      return StolenSqliteFiles(url_.substr(std::string_view("sqlite:").size()));
    }
    return vigie::testing::RunCommand("pg_dump --no-owner --schema=" + schema_ + " -d '" +
                                          server_ + "'",
                                      dir_.path())
        .out;
  }
  // The bytes of an SQLite database file and its companions.
  static std::string StolenSqliteFiles(const std::string& path) {
    std::string all;
    for (const char* suffix : {"", "-wal", "-shm"}) {
      all += vigie::testing::ReadWholeFile(path + suffix);
    }
    return all;
  }

 private:
  Backend backend_;
  vigie::testing::TempDir dir_;
  std::string url_;
  std::string schema_;
  std::string server_;
  std::string skip_reason_;
  std::string error_;
  std::unique_ptr<Connection> admin_;
};

// A database on the suite's backend for fixtures that cannot skip: on the
// PostgreSQL pass a missing server is a failure, not a skip.
class SuiteDatabase : public TestDatabase {
 public:
  SuiteDatabase() : TestDatabase(SuiteBackend()) {
    if (!skip_reason().empty()) ADD_FAILURE() << skip_reason();
    if (!error().empty()) ADD_FAILURE() << error();
  }
};

// For a fixture's SetUp(): skips or fails the test when the database is not there.
#define VIGIE_REQUIRE_TEST_DATABASE(database)                      \
  do {                                                             \
    if (!(database).skip_reason().empty()) {                       \
      GTEST_SKIP() << (database).skip_reason();                    \
    }                                                              \
    ASSERT_TRUE((database).error().empty()) << (database).error(); \
  } while (0)

// An SQL literal for the bytes written in `hex`.
inline std::string BytesLiteral(Dialect dialect, std::string_view hex) {
  if (dialect == Dialect::kPostgres) return "decode('" + std::string(hex) + "', 'hex')";
  return "X'" + std::string(hex) + "'";
}

// SQL type names that differ between the backends, for test tables.
inline std::string RowIdKey(Backend backend) {
  return backend == Backend::kSqlite ? "INTEGER PRIMARY KEY"
                                     : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
}
inline std::string BlobType(Backend backend) {
  return backend == Backend::kSqlite ? "BLOB" : "BYTEA";
}
inline std::string RealType(Backend backend) {
  return backend == Backend::kSqlite ? "REAL" : "DOUBLE PRECISION";
}
inline std::string IntType(Backend backend) {
  return backend == Backend::kSqlite ? "INTEGER" : "BIGINT";
}

}  // namespace vigie::store::testing
