#include "store/internal/sqlite_connection.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "store/internal/text_parameter.h"

namespace vigie::store::internal {

Error SqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string message = std::string(what) + ": " + sqlite3_errstr(rc);
  if (db != nullptr) {
    message += " (";
    message += sqlite3_errmsg(db);
    message += ")";
  }
  ErrorCode code = ErrorCode::kInternal;
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      code = ErrorCode::kConflict;
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
      code = ErrorCode::kUnavailable;
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      code = ErrorCode::kDataLoss;
      break;
    default:
      break;
  }
  return Error(code, std::move(message)).AsDatabaseDetail();
}

SqliteStatement::SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {
  for (int i = 1; i <= sqlite3_bind_parameter_count(stmt); ++i) {
    const char* name = sqlite3_bind_parameter_name(stmt, i);
    if (name == nullptr || name[0] != '$') continue;
    int n = std::atoi(name + 1);
    if (n <= 0) continue;
    if (parameter_index_.size() <= static_cast<size_t>(n)) parameter_index_.resize(n + 1, 0);
    parameter_index_[static_cast<size_t>(n)] = i;
  }
}

int SqliteStatement::ParameterIndex(int index) {
  int i = index > 0 && static_cast<size_t>(index) < parameter_index_.size()
              ? parameter_index_[static_cast<size_t>(index)]
              : 0;
  if (i == 0 && !bind_error_) {
    bind_error_ =
        Error(ErrorCode::kInternal, "statement has no parameter $" + std::to_string(index));
  }
  return i;
}

Statement& SqliteStatement::BindInt(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, ParameterIndex(index), value);
  return *this;
}
Statement& SqliteStatement::BindDouble(int index, double value) {
  sqlite3_bind_double(stmt_, ParameterIndex(index), value);
  return *this;
}
Statement& SqliteStatement::BindText(int index, std::string_view value) {
  // Refused as PostgreSQL refuses it, so a request fails alike on both.
  if (!bind_error_) bind_error_ = internal::TextParameterFlaw(index, value);
  // An empty view may have no data: SQLite would bind NULL, PostgreSQL ''.
  sqlite3_bind_text64(stmt_, ParameterIndex(index), value.data() != nullptr ? value.data() : "",
                      value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}
Statement& SqliteStatement::BindBlob(int index, std::span<const uint8_t> value) {
  // A zero-length blob must still be a blob, not NULL: SQLite needs a non-null pointer.
  static const uint8_t kEmpty = 0;
  sqlite3_bind_blob64(stmt_, ParameterIndex(index), value.empty() ? &kEmpty : value.data(),
                      value.size(), SQLITE_TRANSIENT);
  return *this;
}
Statement& SqliteStatement::BindNull(int index) {
  sqlite3_bind_null(stmt_, ParameterIndex(index));
  return *this;
}

Result<bool> SqliteStatement::Step() {
  if (bind_error_) return Fail(*bind_error_);
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Error error = SqliteError(db_, rc, "executing statement");
  sqlite3_reset(stmt_);
  return Fail(std::move(error));
}

Result<int64_t> SqliteStatement::Run() {
  while (true) {
    ASSIGN_OR_RETURN(bool row, Step());
    if (!row) break;
  }
  // sqlite3_changes64 is the connection's last change count: a query's
  // would be the count of whatever statement changed rows before it.
  return sqlite3_stmt_readonly(stmt_) != 0 ? 0 : sqlite3_changes64(db_);
}

bool SqliteStatement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}
int64_t SqliteStatement::ColumnInt(int column) const { return sqlite3_column_int64(stmt_, column); }
double SqliteStatement::ColumnDouble(int column) const {
  return sqlite3_column_double(stmt_, column);
}
std::string_view SqliteStatement::ColumnText(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return {};
  return {text, static_cast<size_t>(sqlite3_column_bytes(stmt_, column))};
}
std::span<const uint8_t> SqliteStatement::ColumnBlob(int column) const {
  const auto* blob = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, column));
  if (blob == nullptr) return {};
  return {blob, static_cast<size_t>(sqlite3_column_bytes(stmt_, column))};
}

bool SqliteStatement::Busy() const { return sqlite3_stmt_busy(stmt_) != 0; }

void SqliteStatement::ResetForReuse() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_.reset();
}

namespace {

// SQLite's memory statistics take a global mutex on every allocation; Vigie
// never reads them. Must run before SQLite initialises (harmless if too late).
void ConfigureSqliteOnce() {
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return sqlite3_initialize() == SQLITE_OK;
  }();
  (void)configured;
}

// Security: a database SQLite would create is created here first, for its
// owner alone: SQLite's own mode follows the umask (0644 as a rule), its
// -wal and -shm files copy the database's, and a log or store kept outside
// the 0700 data directory would be readable by every local user. An
// existing file is left as it is (an empty one is an empty database).
void CreateForOwnerOnly(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd >= 0) ::close(fd);  // EEXIST, or a missing folder: SQLite says so
}

}  // namespace

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& path,
                                                                 const OpenOptions& options) {
  ConfigureSqliteOnce();
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  flags |= options.read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!options.read_only) CreateForOwnerOnly(path);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error error = SqliteError(db, rc, "opening database " + path);
    sqlite3_close(db);
    return Fail(Error(ErrorCode::kUnavailable, error.message()));
  }
  auto connection = std::unique_ptr<SqliteConnection>(new SqliteConnection(db));
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  sqlite3_extended_result_codes(db, 1);
  // Security: defensive mode forbids writes to the schema through SQL and
  // trusted_schema=OFF stops schema-embedded functions from running.
  sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  // Security: temp_store=MEMORY keeps sort and statement-journal pages out of
  // temporary files.
  std::string pragmas =
      "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA secure_delete = ON; "
      "PRAGMA temp_store = MEMORY;";
  if (!options.read_only) pragmas = "PRAGMA journal_mode = WAL; " + pragmas;
  auto applied = connection->ExecuteScript(pragmas);
  if (!applied) return Fail(applied.error().WithContext("configuring " + path));
  // A file that is not a database shows up only on first read.
  auto probe = connection->ExecuteScript("SELECT count(*) FROM sqlite_schema;");
  if (!probe) return Fail(probe.error().WithContext("reading " + path));
  return connection;
}

SqliteConnection::~SqliteConnection() {
  cache_.clear();
  sqlite3_close_v2(db_);
}

Result<void> SqliteConnection::ExecuteScript(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    sqlite3_free(message);
    return Fail(SqliteError(db_, rc, "executing script"));
  }
  return {};
}

Result<Statement*> SqliteConnection::Prepare(std::string_view sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) {
    it->second->ResetForReuse();
    return it->second.get();
  }
  std::string key(sql);
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  if (rc != SQLITE_OK) {
    Error error = SqliteError(db_, rc, "preparing statement");
    sqlite3_finalize(stmt);
    return Fail(Error(ErrorCode::kInvalidArgument, error.message()).AsDatabaseDetail());
  }
  if (stmt == nullptr) return Fail(ErrorCode::kInvalidArgument, "empty statement");
  if (tail != nullptr && std::string_view(tail).find_first_not_of(" \t\r\n;") != std::string::npos) {
    sqlite3_finalize(stmt);
    return Fail(ErrorCode::kInvalidArgument, "Prepare takes exactly one statement");
  }
  auto owned = std::make_unique<SqliteStatement>(db_, stmt);
  Statement* result = owned.get();
  cache_.emplace(std::move(key), std::move(owned));
  return result;
}

Result<void> SqliteConnection::Begin() { return ExecuteScript("BEGIN IMMEDIATE"); }
Result<void> SqliteConnection::SetCacheSize(int64_t mib) {
  if (mib <= 0) return Fail(ErrorCode::kInvalidArgument, "cache size must be positive");
  // Negative cache_size is in KiB; sqlite3 allocates the pages lazily.
  return ExecuteScript("PRAGMA cache_size = -" + std::to_string(mib * 1024));
}

Result<bool> SqliteConnection::EnterBulkLoad() {
  // Only possible while no other connection has the database open; then a
  // bulk transaction writes its pages once, in place, instead of to the WAL
  // and again at the checkpoint. Atomicity comes from the rollback journal.
  auto switched = ExecuteScript("PRAGMA journal_mode = TRUNCATE");
  if (!switched) return false;
  ASSIGN_OR_RETURN(std::string mode, JournalMode());
  return mode == "truncate";
}

Result<void> SqliteConnection::LeaveBulkLoad() {
  RETURN_IF_ERROR(ExecuteScript("PRAGMA journal_mode = WAL"));
  // SQLite keeps the old mode, without an error, when it cannot switch.
  ASSIGN_OR_RETURN(std::string mode, JournalMode());
  if (mode != "wal") {
    return Fail(ErrorCode::kUnavailable, "the database stayed in journal mode " + mode);
  }
  return {};
}

Result<std::string> SqliteConnection::JournalMode() {
  ASSIGN_OR_RETURN(Statement * mode, Prepare("PRAGMA journal_mode"));
  ASSIGN_OR_RETURN(bool row, mode->Step());
  std::string name = row ? std::string(mode->ColumnText(0)) : std::string();
  RETURN_IF_ERROR(mode->Run());
  return name;
}

Result<void> SqliteConnection::BeginQueued(int64_t /*queue*/) { return Begin(); }
Result<void> SqliteConnection::BeginRead() { return ExecuteScript("BEGIN DEFERRED"); }
Result<void> SqliteConnection::Commit() { return ExecuteScript("COMMIT"); }
Result<void> SqliteConnection::Rollback() { return ExecuteScript("ROLLBACK"); }

Result<bool> SqliteConnection::EndWhatIsLeftOpen() {
  bool left_open = false;
  for (auto& [sql, statement] : cache_) {
    if (statement->Busy()) {
      statement->ResetForReuse();
      left_open = true;
    }
  }
  if (sqlite3_get_autocommit(db_) == 0) {
    RETURN_IF_ERROR(Rollback());
    left_open = true;
  }
  return left_open;
}

}  // namespace vigie::store::internal
