#pragma once
// PostgreSQL backend of the store interface, over libpq. Internal to `store`.
//
// Statements are prepared on the server once per SQL text and connection
// (named "vigie_<n>") and executed with text-format parameters, except blobs,
// which go in binary so that bytea round-trips byte for byte. Results come
// back in text format (bytea as hex, decoded on access) and are read whole on
// the first Step(): several statements of one connection may be stepped in
// turn, as with SQLite. A very large scan therefore holds its rows in memory.
//
// Transactions. Begin() is SERIALIZABLE: every write transaction sees one
// snapshot, and two writers that read-then-write overlapping rows cannot both
// commit — PostgreSQL aborts one with a serialization failure (or deadlock),
// returned as Unavailable, from any statement or from Commit(). Unlike
// SQLite's BEGIN IMMEDIATE, which queues writers up front, writers run in
// parallel and the loser fails instead of waiting: callers may retry
// Unavailable. BeginRead() is REPEATABLE READ READ ONLY: one snapshot, never a
// serialization failure, refuses writes. A statement that fails inside a
// transaction aborts it (PostgreSQL rule): Commit() then reports that first
// error and the transaction is rolled back.
//
// Reconnection: before a statement outside a transaction, a connection found
// closed (including by the server, detected by a non-blocking read) is reset
// once and its statements re-prepared. Inside a transaction a lost connection
// is Unavailable: nothing is replayed behind the caller's back.
//
// Thread-safety: as for every Connection, one thread at a time.

#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/store.h"

namespace vigie::store::internal {

class PostgresConnection;

// Security: plain text to the database. libpq's default (sslmode=prefer)
// lets whoever sits between node and database answer "no TLS", then read
// and rewrite every row (a live session for any token). A URL (or
// PGSSLMODE) that names an sslmode is the operator's choice; one that names
// none gets sslmode=require unless every host is on this machine (a Unix
// socket, localhost, a loopback address), so plain text is refused before
// the login.
//
// Whether the URL's `host` and `hostaddr` lists (comma-separated, as libpq
// takes them; or PGHOST, PGHOSTADDR) name only this machine.
bool OnlyThisMachine(std::string_view hosts, std::string_view host_addresses);
// After connecting, a backstop: whether a plain-text session may go on.
// `host`, `host_address`: PQhost, PQhostaddr.
bool PlainTextAcceptable(bool sslmode_named, std::string_view host, std::string_view host_address);

class PostgresStatement final : public Statement {
 public:
  PostgresStatement(PostgresConnection* connection, std::string sql, std::string name,
                    std::vector<Oid> parameter_types, int generation);
  ~PostgresStatement() override;
  PostgresStatement(const PostgresStatement&) = delete;
  PostgresStatement& operator=(const PostgresStatement&) = delete;

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

  // Drops the result and every binding (unbound parameters are NULL).
  void ResetForReuse();

 private:
  struct Parameter {
    std::optional<std::string> value;  // nullopt: NULL
    bool binary = false;
  };
  // The parameter $index, or nullptr (and a misuse error for Step) if absent.
  Parameter* Slot(int index);
  Result<void> Execute();
  void ClearResult();
  // The column's value as bytes: bytea decoded from hex, anything else as sent.
  std::string_view Bytes(int column) const;

  PostgresConnection* connection_;
  const std::string sql_;
  const std::string name_;
  const std::vector<Oid> parameter_types_;
  int generation_;  // the connection generation the server-side statement belongs to
  std::vector<Parameter> parameters_;
  std::optional<Error> bind_error_;
  PGresult* result_ = nullptr;
  bool executed_ = false;
  int row_ = -1;
  int64_t changes_ = 0;
  std::vector<bool> bytea_columns_;
  // Bytea values decoded, per column, and the row each holds (-1: none);
  // the buffers keep their capacity from row to row.
  mutable std::vector<std::string> decoded_;
  mutable std::vector<int> decoded_row_;
};

class PostgresConnection final : public Connection {
 public:
  // `url`: a libpq URI (postgresql://...). Errors: Unavailable when the
  // server cannot be reached or refuses the login.
  static Result<std::unique_ptr<PostgresConnection>> Open(const std::string& url,
                                                          const OpenOptions& options);
  ~PostgresConnection() override;

  Dialect dialect() const override { return Dialect::kPostgres; }
  Result<void> ExecuteScript(std::string_view sql) override;
  Result<Statement*> Prepare(std::string_view sql) override;
  Result<void> Begin() override;
  Result<void> BeginRead() override;
  // READ COMMITTED behind pg_advisory_xact_lock on the queue's two 32-bit
  // halves: that key space is apart from the single 64-bit keys used elsewhere.
  Result<void> BeginQueued(int64_t queue) override;
  // PostgreSQL's buffer cache is the server's: accepted and ignored.
  Result<void> SetCacheSize(int64_t mib) override;
  // Always false: the server's WAL is not the client's to switch off.
  Result<bool> EnterBulkLoad() override;
  Result<void> LeaveBulkLoad() override;
  Result<void> Commit() override;
  Result<void> Rollback() override;
  Result<bool> EndWhatIsLeftOpen() override;

 private:
  friend class PostgresStatement;
  PostgresConnection(PGconn* conn, OpenOptions options, bool sslmode_named)
      : conn_(conn), options_(options), sslmode_named_(sslmode_named) {}

  // Unavailable when this (re)connection is in plain text and must not be.
  Result<void> RefusePlainText() const;

  // Session settings, applied after every (re)connection.
  Result<void> Configure();
  // Before a statement: resets a closed connection once, outside a transaction.
  Result<void> EnsureConnected();
  // Prepares `sql` on the server as `name`; returns its parameter types.
  Result<std::vector<Oid>> PrepareOnServer(const std::string& name, const std::string& sql);
  // Runs a transaction-control command and tracks whether a transaction is open.
  Result<void> Control(const char* sql);
  // Maps a failed result (or a null one) to an Error; remembers the first
  // error of an open transaction.
  Error ErrorOf(const PGresult* result, std::string_view what);

  PGconn* conn_;
  const OpenOptions options_;
  const bool sslmode_named_;  // the URL or PGSSLMODE chose TLS or not (PlainTextAcceptable)
  // When a reset was last refused for plain text (EnsureConnected).
  std::chrono::steady_clock::time_point plain_text_refused_at_{};
  static constexpr std::chrono::seconds kPlainTextRetry{30};
  bool in_transaction_ = false;
  std::optional<Error> transaction_error_;  // the error that aborted the transaction
  int generation_ = 0;                      // bumped by every reset: statements re-prepare
  bool configured_ = false;                 // Configure passed on this session
  int next_statement_ = 0;
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
  };
  std::unordered_map<std::string, std::unique_ptr<PostgresStatement>, SqlHash, std::equal_to<>>
      cache_;
};

}  // namespace vigie::store::internal
