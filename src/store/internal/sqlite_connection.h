#pragma once
// SQLite backend of the store interface. Internal to `store`.

#include <sqlite3.h>

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/store.h"

namespace vigie::store::internal {

class SqliteStatement final : public Statement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt);
  ~SqliteStatement() override { sqlite3_finalize(stmt_); }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  Statement& BindInt(int index, int64_t value) override;
  Statement& BindDouble(int index, double value) override;
  Statement& BindText(int index, std::string_view value) override;
  Statement& BindBlob(int index, std::span<const uint8_t> value) override;
  Statement& BindNull(int index) override;
  Result<bool> Step() override;
  Result<int64_t> Run() override;
  bool ColumnIsNull(int column) const override;
  int64_t ColumnInt(int column) const override;
  double ColumnDouble(int column) const override;
  std::string_view ColumnText(int column) const override;
  std::span<const uint8_t> ColumnBlob(int column) const override;

  void ResetForReuse();
  // Stepped and not yet reset: holds its result (and, outside a transaction, a snapshot).
  bool Busy() const;

 private:
  // Maps $N to SQLite's parameter index; records a misuse error when absent.
  int ParameterIndex(int index);

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  std::vector<int> parameter_index_;  // $N → SQLite's index, resolved once at prepare
  std::optional<Error> bind_error_;   // the first misuse or refused value, failed at Step
};

class SqliteConnection final : public Connection {
 public:
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path,
                                                        const OpenOptions& options);
  ~SqliteConnection() override;

  Dialect dialect() const override { return Dialect::kSqlite; }
  Result<void> ExecuteScript(std::string_view sql) override;
  Result<Statement*> Prepare(std::string_view sql) override;
  Result<void> Begin() override;
  Result<void> BeginRead() override;
  // Begin(): SQLite's writers already queue, each behind the write lock.
  Result<void> BeginQueued(int64_t queue) override;
  Result<void> SetCacheSize(int64_t mib) override;
  Result<bool> EnterBulkLoad() override;
  Result<void> LeaveBulkLoad() override;
  Result<void> Commit() override;
  Result<void> Rollback() override;
  Result<bool> EndWhatIsLeftOpen() override;

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  Result<std::string> JournalMode();

  sqlite3* db_;
  // Statement cache: SQL text → prepared statement (statements die before db_).
  // Transparent hashing: a cache hit needs no std::string copy of the SQL.
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
  };
  std::unordered_map<std::string, std::unique_ptr<SqliteStatement>, SqlHash, std::equal_to<>>
      cache_;
};

// Maps a SQLite result code to an Error with the database's message.
Error SqliteError(sqlite3* db, int rc, std::string_view what);

}  // namespace vigie::store::internal
