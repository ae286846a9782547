#pragma once
// store: Vigie's database access — connections, transactions, prepared
// statements and versioned migrations — behind one interface with an
// embedded SQLite backend and a PostgreSQL one (libpq) for shared deployments.
//
// SQL is always parameterised (DESIGN invariant 6): callers write `$1`, `$2`…
// placeholders, which both backends accept, and bind values by number.
//
// Thread-safety: a Connection and its Statements belong to one thread at a
// time. Open one Connection per thread.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace vigie::store {

enum class Dialect { kSqlite, kPostgres };

// A prepared statement owned by its Connection (cached by SQL text).
// Lifecycle: Prepare() hands it out reset with no bindings; Bind*, then Step()
// until it returns false (or Run()); column accessors are valid after a Step()
// that returned true, until the next Step() or Prepare() of the same SQL.
class Statement {
 public:
  virtual ~Statement() = default;

  // Indexes are 1-based, matching $1, $2, ...
  virtual Statement& BindInt(int index, int64_t value) = 0;
  virtual Statement& BindDouble(int index, double value) = 0;
  virtual Statement& BindText(int index, std::string_view value) = 0;
  virtual Statement& BindBlob(int index, std::span<const uint8_t> value) = 0;
  virtual Statement& BindNull(int index) = 0;

  // Advances to the next row: true when a row is available, false when done.
  // Errors: Conflict (constraint violated), Unavailable (busy/locked, disk
  // full, I/O), Internal (misuse, e.g. an unbound parameter).
  virtual Result<bool> Step() = 0;

  // Runs to completion, discarding rows; returns the number of rows changed.
  virtual Result<int64_t> Run() = 0;

  virtual bool ColumnIsNull(int column) const = 0;  // 0-based
  virtual int64_t ColumnInt(int column) const = 0;
  virtual double ColumnDouble(int column) const = 0;
  virtual std::string_view ColumnText(int column) const = 0;
  virtual std::span<const uint8_t> ColumnBlob(int column) const = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;

  virtual Dialect dialect() const = 0;

  // Runs one or more statements without parameters (DDL, pragmas).
  virtual Result<void> ExecuteScript(std::string_view sql) = 0;

  // Returns the cached prepared statement for `sql`, reset and unbound.
  // Errors: InvalidArgument when the SQL does not compile.
  virtual Result<Statement*> Prepare(std::string_view sql) = 0;

  // A write transaction (takes the write lock at once) or a read transaction
  // (one consistent snapshot for several reads, one lock for all of them).
  virtual Result<void> Begin() = 0;
  virtual Result<void> BeginRead() = 0;
  // A write transaction that waits behind the others of the same `queue`
  // instead of conflicting with them (see Transaction::BeginQueued).
  virtual Result<void> BeginQueued(int64_t queue) = 0;

  // Lets this connection keep up to `mib` MiB of database pages in memory
  // (bulk imports touch random index pages: keep them all cached).
  virtual Result<void> SetCacheSize(int64_t mib) = 0;

  // For one large write transaction when nobody else uses the database:
  // returns true if the connection switched to a mode that writes pages once
  // (false, harmlessly, when others have it open). LeaveBulkLoad restores
  // the normal mode; call it after the transaction ends.
  virtual Result<bool> EnterBulkLoad() = 0;
  virtual Result<void> LeaveBulkLoad() = 0;
  virtual Result<void> Commit() = 0;
  virtual Result<void> Rollback() = 0;

  // Makes the connection fit for its next user: rolls back a transaction
  // left open and lets go of a result read halfway (on SQLite, a statement
  // stopped mid-result holds its snapshot and keeps the WAL from being
  // checkpointed). Returns whether anything was left open - a caller's bug,
  // since every transaction is a Transaction. An error means the connection
  // cannot be made fit: close it.
  virtual Result<bool> EndWhatIsLeftOpen() = 0;
};

// Rolls back on destruction unless Commit() was called.
class Transaction {
 public:
  static Result<Transaction> Begin(Connection& connection);
  static Result<Transaction> BeginRead(Connection& connection);
  // A write transaction that takes its turn behind every other transaction
  // begun with the same `queue` and never fails with a transaction conflict
  // against them. On SQLite, Begin() (writers queue up front anyway). On
  // PostgreSQL, READ COMMITTED holding an advisory lock on `queue` until it
  // ends: each statement sees what the previous holders committed, so only
  // for writes whose every reader and writer holds the same queue's lock.
  static Result<Transaction> BeginQueued(Connection& connection, int64_t queue);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Result<void> Commit();

 private:
  explicit Transaction(Connection* connection) : connection_(connection) {}
  Connection* connection_;
};

// A PostgreSQL array literal of `values` ("{1,2,3}"), bound as text to a
// `$n::bigint[]` parameter: one statement for a batch of any size, where
// SQLite takes a list of placeholders.
std::string PostgresArrayLiteral(std::span<const int64_t> values);

struct OpenOptions {
  int busy_timeout_ms = 5000;
  bool read_only = false;
  // PostgreSQL: a statement running longer is cancelled (Unavailable), so a
  // server that hangs fails a request instead of holding it. 0: no limit
  // (long reports, imports). SQLite has no such hang to guard against.
  int statement_timeout_ms = 0;
  // PostgreSQL: a COMMIT returns once durable, whatever the server, the
  // database, the role or the URL says (synchronous_commit = on): for the
  // audit writer, whose callers answer once told, and for the records
  // database of `vigie serve` and the commands (a containment is durable
  // once the officer is told). SQLite always is (synchronous = FULL).
  bool durable_commits = false;
};

// Opens "sqlite:<path>" (created if missing unless read_only) or a PostgreSQL
// database by libpq URI, "postgresql://..." or "postgres://..." (read_only
// makes every transaction read-only; busy_timeout_ms bounds lock waits).
// Errors: InvalidArgument for an unsupported URL, Unavailable when it cannot
// be opened or reached.
Result<std::unique_ptr<Connection>> Open(std::string_view url, const OpenOptions& options = {});

// A versioned schema change. Versions start at 1 and increase by one.
struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// Applies every migration newer than the database's version, each in its
// own transaction together with its version record. Refuses (Conflict) a
// database whose version is newer than the newest migration given: an older
// binary must not write to a schema it does not know.
// Returns the schema version now in force.
Result<int> Migrate(Connection& connection, std::span<const Migration> migrations);

// The schema version recorded in the database (0 for a new database).
Result<int> SchemaVersion(Connection& connection);

// Vigie's schema for the connection's dialect (see schema.cc).
std::span<const Migration> VigieSchema(Dialect dialect);

}  // namespace vigie::store
