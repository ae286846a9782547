#include "store/internal/postgres_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "store/advisory_key.h"
#include "store/internal/text_parameter.h"

namespace vigie::store::internal {
namespace {

constexpr Oid kByteaOid = 17;
constexpr Oid kBoolOid = 16;

// Frees a PGresult when it goes out of scope.
struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using OwnedResult = std::unique_ptr<PGresult, ResultDeleter>;

bool Succeeded(const PGresult* result) {
  if (result == nullptr) return false;
  ExecStatusType status = PQresultStatus(result);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY;
}

ErrorCode CodeOfSqlState(std::string_view state) {
  std::string_view group = state.substr(0, 2);
  if (group == "23") return ErrorCode::kConflict;  // integrity constraint violation
  // Serialization failure, deadlock, connection loss, resources exhausted,
  // shutdown or cancel, lock timeout, a read-only standby: retry later.
  if (group == "40" || group == "08" || group == "53" || group == "57" || group == "58") {
    return ErrorCode::kUnavailable;
  }
  if (state == "55P03" || state == "55006" || state == "25006") return ErrorCode::kUnavailable;
  if (group == "22") return ErrorCode::kInvalidArgument;  // a value the type cannot hold
  if (state == "XX001" || state == "XX002") return ErrorCode::kDataLoss;
  return ErrorCode::kInternal;
}

void IgnoreNotice(void* /*arg*/, const PGresult* /*result*/) {}

// True when the connection's socket has bytes (or its end) waiting; never blocks.
bool Readable(PGconn* conn) {
  pollfd fd{.fd = PQsocket(conn), .events = POLLIN, .revents = 0};
  return fd.fd >= 0 && poll(&fd, 1, 0) > 0;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr size_t kKeptDecodeBufferBytes = 64 * 1024;

// Decodes bytea's hex output ("\x0aff..."); the session sets bytea_output=hex.
// Into `bytes`, reusing its capacity: rows of a result decode one after another.
void DecodeHexBytea(std::string_view text, std::string& bytes) {
  bytes.clear();
  if (!text.starts_with("\\x")) {
    bytes.assign(text);
    return;
  }
  text.remove_prefix(2);
  bytes.resize(text.size() / 2);
  for (size_t i = 0; i < bytes.size(); ++i) {
    int high = HexValue(text[2 * i]);
    int low = HexValue(text[2 * i + 1]);
    if (high < 0 || low < 0) {  // cannot happen with hex output
      bytes.resize(i);
      break;
    }
    bytes[i] = static_cast<char>((high << 4) | low);
  }
}

}  // namespace

// ---------------------------------------------------------------- statement

PostgresStatement::PostgresStatement(PostgresConnection* connection, std::string sql,
                                     std::string name, std::vector<Oid> parameter_types,
                                     int generation)
    : connection_(connection),
      sql_(std::move(sql)),
      name_(std::move(name)),
      parameter_types_(std::move(parameter_types)),
      generation_(generation),
      parameters_(parameter_types_.size()) {}

PostgresStatement::~PostgresStatement() { ClearResult(); }

PostgresStatement::Parameter* PostgresStatement::Slot(int index) {
  if (index >= 1 && static_cast<size_t>(index) <= parameters_.size()) {
    return &parameters_[static_cast<size_t>(index) - 1];
  }
  if (!bind_error_) {
    bind_error_ =
        Error(ErrorCode::kInternal, "statement has no parameter $" + std::to_string(index));
  }
  return nullptr;
}

Statement& PostgresStatement::BindInt(int index, int64_t value) {
  if (Parameter* p = Slot(index)) *p = {std::to_string(value), false};
  return *this;
}

Statement& PostgresStatement::BindDouble(int index, double value) {
  Parameter* p = Slot(index);
  if (p == nullptr) return *this;
  char buffer[64];
  // Shortest text that reads back as the same double; inf/nan are accepted by float8in.
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  *p = {std::string(buffer, ec == std::errc() ? end : buffer), false};
  return *this;
}

Statement& PostgresStatement::BindText(int index, std::string_view value) {
  Parameter* p = Slot(index);
  if (p == nullptr) return *this;
  bool bytea = parameter_types_[static_cast<size_t>(index) - 1] == kByteaOid;
  // Security: a text parameter travels NUL-terminated (see TextParameterFlaw).
  if (!bytea && !bind_error_) bind_error_ = internal::TextParameterFlaw(index, value);
  *p = {std::string(value), bytea};
  return *this;
}

Statement& PostgresStatement::BindBlob(int index, std::span<const uint8_t> value) {
  // Binary format: bytea's binary form is the bytes themselves, no escaping.
  if (Parameter* p = Slot(index)) {
    *p = {std::string(reinterpret_cast<const char*>(value.data()), value.size()), true};
  }
  return *this;
}

Statement& PostgresStatement::BindNull(int index) {
  if (Parameter* p = Slot(index)) *p = {std::nullopt, false};
  return *this;
}

void PostgresStatement::ClearResult() {
  if (result_ != nullptr) PQclear(result_);
  result_ = nullptr;
  executed_ = false;
  row_ = -1;
  bytea_columns_.clear();
  decoded_row_.clear();
  // Buffers stay for the statement's next run, but not a large value's:
  // statements are cached for the connection's life.
  for (std::string& buffer : decoded_) {
    if (buffer.capacity() > kKeptDecodeBufferBytes) std::string().swap(buffer);
  }
}

void PostgresStatement::ResetForReuse() {
  ClearResult();
  for (Parameter& p : parameters_) p = {};
  bind_error_.reset();
  changes_ = 0;
}

Result<void> PostgresStatement::Execute() {
  ClearResult();
  RETURN_IF_ERROR(connection_->EnsureConnected());
  if (generation_ != connection_->generation_) {
    // The session was reset: its prepared statements died with it.
    RETURN_IF_ERROR(connection_->PrepareOnServer(name_, sql_));
    generation_ = connection_->generation_;
  }
  std::vector<const char*> values(parameters_.size());
  std::vector<int> lengths(parameters_.size());
  std::vector<int> formats(parameters_.size());
  for (size_t i = 0; i < parameters_.size(); ++i) {
    const Parameter& p = parameters_[i];
    values[i] = p.value ? p.value->c_str() : nullptr;
    lengths[i] = p.value ? static_cast<int>(p.value->size()) : 0;
    formats[i] = p.binary ? 1 : 0;
  }
  PGresult* result =
      PQexecPrepared(connection_->conn_, name_.c_str(), static_cast<int>(parameters_.size()),
                     values.data(), lengths.data(), formats.data(), /*resultFormat=*/0);
  if (!Succeeded(result)) {
    Error error = connection_->ErrorOf(result, "executing statement");
    PQclear(result);
    return Fail(std::move(error));
  }
  result_ = result;
  executed_ = true;
  std::string_view command = PQcmdStatus(result);
  std::string_view tuples = PQcmdTuples(result);
  changes_ = 0;
  if (!command.starts_with("SELECT")) {
    std::from_chars(tuples.data(), tuples.data() + tuples.size(), changes_);
  }
  int columns = PQnfields(result);
  bytea_columns_.resize(static_cast<size_t>(columns));
  decoded_.resize(static_cast<size_t>(columns));
  decoded_row_.assign(static_cast<size_t>(columns), -1);
  for (int c = 0; c < columns; ++c) {
    bytea_columns_[static_cast<size_t>(c)] = PQftype(result, c) == kByteaOid;
  }
  return {};
}

Result<bool> PostgresStatement::Step() {
  if (bind_error_) return Fail(*bind_error_);
  if (!executed_) {
    RETURN_IF_ERROR(Execute());
  }
  ++row_;
  if (row_ < PQntuples(result_)) return true;
  // Done: like sqlite3_step, the next Step() runs the statement again.
  ClearResult();
  return false;
}

Result<int64_t> PostgresStatement::Run() {
  while (true) {
    ASSIGN_OR_RETURN(bool row, Step());
    if (!row) break;
  }
  return changes_;
}

bool PostgresStatement::ColumnIsNull(int column) const {
  if (result_ == nullptr || row_ < 0 || column < 0 || column >= PQnfields(result_)) return true;
  return PQgetisnull(result_, row_, column) != 0;
}

std::string_view PostgresStatement::Bytes(int column) const {
  if (ColumnIsNull(column)) return {};
  auto c = static_cast<size_t>(column);
  std::string_view text(PQgetvalue(result_, row_, column),
                        static_cast<size_t>(PQgetlength(result_, row_, column)));
  if (!bytea_columns_[c]) return text;
  if (decoded_row_[c] != row_) {
    DecodeHexBytea(text, decoded_[c]);
    decoded_row_[c] = row_;
  }
  return decoded_[c];
}

int64_t PostgresStatement::ColumnInt(int column) const {
  if (ColumnIsNull(column)) return 0;
  std::string_view text = Bytes(column);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc() && end == text.data() + text.size()) return value;
  if (PQftype(result_, column) == kBoolOid) return text == "t" ? 1 : 0;
  // numeric or floating point: truncate like SQLite, saturating at the ends.
  double real = ColumnDouble(column);
  if (std::isnan(real)) return 0;
  if (real >= 9.2233720368547758e18) return std::numeric_limits<int64_t>::max();
  if (real <= -9.2233720368547758e18) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(real);
}

double PostgresStatement::ColumnDouble(int column) const {
  if (ColumnIsNull(column)) return 0;
  std::string_view text = Bytes(column);
  double value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

std::string_view PostgresStatement::ColumnText(int column) const { return Bytes(column); }

std::span<const uint8_t> PostgresStatement::ColumnBlob(int column) const {
  std::string_view bytes = Bytes(column);
  return {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()};
}

// --------------------------------------------------------------- connection

Result<std::unique_ptr<PostgresConnection>> PostgresConnection::Open(const std::string& url,
                                                                     const OpenOptions& options) {
  // Security: libpq's parse errors may quote the whole URL, password included.
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &parse_error);
  if (parse_error != nullptr) PQfreemem(parse_error);
  if (parsed == nullptr) return Fail(ErrorCode::kInvalidArgument, "malformed PostgreSQL URL");
  bool sslmode_named = std::getenv("PGSSLMODE") != nullptr;
  auto from_env = [](const char* name) -> std::string {
    const char* value = std::getenv(name);
    return value != nullptr ? value : "";
  };
  std::string hosts = from_env("PGHOST");
  std::string host_addresses = from_env("PGHOSTADDR");
  // A pg_service.conf entry may name the host and the sslmode: it is read
  // by libpq alone, and a default of ours would beat its sslmode.
  bool service = std::getenv("PGSERVICE") != nullptr;
  for (const PQconninfoOption* option = parsed; option->keyword != nullptr; ++option) {
    if (option->val == nullptr) continue;
    const std::string_view keyword = option->keyword;
    if (keyword == "sslmode") sslmode_named = true;
    if (keyword == "host") hosts = option->val;
    if (keyword == "hostaddr") host_addresses = option->val;
    if (keyword == "service") service = true;
  }
  PQconninfoFree(parsed);
  // Security: plain text refused before the login, not after it (a password
  // sent in clear, a login relayed): TLS is required of a server off this
  // machine unless the URL chose otherwise (PlainTextAcceptable). Through a
  // service, only the check after connecting applies.
  // When not required, the value is left empty, which libpq skips: a
  // PGSSLMODE, or libpq's own default, applies as before.
  const bool require_tls = !sslmode_named && !service && !OnlyThisMachine(hosts, host_addresses);
  // Keywords before dbname are defaults the URL may override; after it, ours win.
  // A server that vanishes without closing (a failed-over primary, a cut
  // link) must fail a query within seconds, not after the kernel's ~15
  // minutes of retransmissions with every worker and the audit writer stuck
  // in it: TCP keepalives for an idle connection, a user timeout for
  // unacknowledged data (10 s). Both ignored on a Unix socket.
  const char* keywords[] = {"connect_timeout",
                            "application_name",
                            "keepalives",
                            "keepalives_idle",
                            "keepalives_interval",
                            "keepalives_count",
                            "tcp_user_timeout",
                            "sslmode",
                            "dbname",
                            "client_encoding",
                            nullptr};
  const char* values[] = {"10",        "vigie", "1",     "5",
                          "2",         "3",     "10000", require_tls ? "require" : "",
                          url.c_str(), "UTF8",  nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) return Fail(ErrorCode::kUnavailable, "libpq could not allocate");
  if (PQstatus(conn) != CONNECTION_OK) {
    // Security: the URL may hold a password; only libpq's message is reported.
    std::string message = std::string("connecting to PostgreSQL: ") + PQerrorMessage(conn);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    PQfinish(conn);
    return Fail(ErrorCode::kUnavailable, message);
  }
  PQsetNoticeReceiver(conn, IgnoreNotice, nullptr);
  auto connection =
      std::unique_ptr<PostgresConnection>(new PostgresConnection(conn, options, sslmode_named));
  RETURN_IF_ERROR(connection->RefusePlainText());
  RETURN_IF_ERROR(connection->Configure());
  return connection;
}

namespace {

// A numeric loopback address (a name that merely starts with "127." is not).
bool IsLoopbackAddress(std::string_view address) {
  const std::string text(address);
  in_addr v4{};
  if (::inet_pton(AF_INET, text.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return ::inet_pton(AF_INET6, text.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

// A Unix socket: its directory, an abstract name, or libpq's default one.
bool IsSocketHost(std::string_view host) {
  return host.empty() || host.starts_with('/') || host.starts_with('@');
}

std::vector<std::string_view> CommaList(std::string_view list) {
  std::vector<std::string_view> items;
  for (size_t start = 0;;) {
    const size_t comma = list.find(',', start);
    items.push_back(list.substr(start, comma == std::string_view::npos ? comma : comma - start));
    if (comma == std::string_view::npos) return items;
    start = comma + 1;
  }
}

}  // namespace

bool OnlyThisMachine(std::string_view hosts, std::string_view host_addresses) {
  const std::vector<std::string_view> names = CommaList(hosts);
  const std::vector<std::string_view> addresses = CommaList(host_addresses);
  for (size_t i = 0; i < std::max(names.size(), addresses.size()); ++i) {
    // libpq connects to hostaddr when given, whatever host says.
    const std::string_view address = i < addresses.size() ? addresses[i] : "";
    const std::string_view name = i < names.size() ? names[i] : "";
    const bool local = !address.empty()
                           ? IsLoopbackAddress(address)
                           : IsSocketHost(name) || name == "localhost" || IsLoopbackAddress(name);
    if (!local) return false;
  }
  return true;
}

bool PlainTextAcceptable(bool sslmode_named, std::string_view host, std::string_view host_address) {
  if (sslmode_named) return true;
  // PQhostaddr is the address of a TCP connection, empty on a Unix socket.
  return !host_address.empty() ? IsLoopbackAddress(host_address) : IsSocketHost(host);
}

Result<void> PostgresConnection::RefusePlainText() const {
  if (PQsslInUse(conn_) != 0 || PQgssEncInUse(conn_) != 0) return {};
  const char* host = PQhost(conn_);
  const char* address = PQhostaddr(conn_);
  const std::string_view host_name = host != nullptr ? host : "";
  if (PlainTextAcceptable(sslmode_named_, host_name, address != nullptr ? address : "")) {
    return {};
  }
  return Fail(ErrorCode::kUnavailable,
              "the connection to PostgreSQL at " + std::string(host_name) +
                  " is not encrypted: add sslmode=verify-full to the URL (or sslmode=disable "
                  "to accept plain text knowingly)");
}

PostgresConnection::~PostgresConnection() {
  cache_.clear();
  PQfinish(conn_);
}

Result<void> PostgresConnection::Configure() {
  // lock_timeout plays SQLite's busy timeout: a blocked writer gives up
  // (Unavailable) instead of waiting forever. bytea_output=hex is what
  // PostgresStatement decodes. No JIT: Vigie's queries are index reads, and
  // compiling one a planner thinks costly took longer than running it
  // (~0.2 s for a breach report's batched proof reads).
  // Server-side keepalives on every session: any may hold an advisory lock
  // (the audit writer's, a queued transaction's), which must not outlive a
  // node that vanished by the OS's two hours of silence.
  std::string settings =
      "SET bytea_output = 'hex'; SET lock_timeout = " + std::to_string(options_.busy_timeout_ms) +
      "; SET client_min_messages = warning; SET jit = off; " + kSessionKeepalives;
  if (options_.read_only) settings += " SET default_transaction_read_only = on;";
  if (options_.durable_commits) settings += " SET synchronous_commit = on;";
  if (options_.statement_timeout_ms > 0) {
    settings += " SET statement_timeout = " + std::to_string(options_.statement_timeout_ms) + ";";
  }
  OwnedResult result(PQexec(conn_, settings.c_str()));
  configured_ = Succeeded(result.get());
  if (!configured_) return Fail(ErrorOf(result.get(), "configuring the session"));
  return {};
}

Result<void> PostgresConnection::EnsureConnected() {
  if (in_transaction_) {
    if (PQstatus(conn_) == CONNECTION_OK) return {};
    return Fail(ErrorCode::kUnavailable, "connection to PostgreSQL lost inside a transaction");
  }
  // A connection the server closed still reads CONNECTION_OK until libpq
  // reads the socket. An idle session's socket is readable only for a
  // notice, a notification or the server's farewell (FATAL, then end of
  // stream): read until none is pending, which notices the end of stream.
  for (int reads = 0; reads < 8 && PQstatus(conn_) == CONNECTION_OK && Readable(conn_); ++reads) {
    if (PQconsumeInput(conn_) == 0) break;
  }
  if (PQstatus(conn_) == CONNECTION_OK) {
    Result<void> encrypted = RefusePlainText();
    if (encrypted) {
      // A session whose settings failed after a reset must not run without
      // them (no lock or statement timeout, a read-only pool writable).
      return configured_ ? Result<void>{} : Configure();
    }
    // Refused for plain text after a reset: tried anew, since TLS may be
    // back, but each try is a login: at most every kPlainTextRetry.
    if (std::chrono::steady_clock::now() - plain_text_refused_at_ < kPlainTextRetry) {
      return encrypted;
    }
  }
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = std::string("reconnecting to PostgreSQL: ") + PQerrorMessage(conn_);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return Fail(ErrorCode::kUnavailable, message);
  }
  ++generation_;
  // Security: the server answered anew, and may now answer in plain text.
  if (Result<void> encrypted = RefusePlainText(); !encrypted) {
    plain_text_refused_at_ = std::chrono::steady_clock::now();
    return encrypted;
  }
  return Configure();
}

Result<std::vector<Oid>> PostgresConnection::PrepareOnServer(const std::string& name,
                                                             const std::string& sql) {
  OwnedResult prepared(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr));
  if (!Succeeded(prepared.get())) return Fail(ErrorOf(prepared.get(), "preparing statement"));
  OwnedResult described(PQdescribePrepared(conn_, name.c_str()));
  if (!Succeeded(described.get())) {
    return Fail(ErrorOf(described.get(), "describing statement"));
  }
  std::vector<Oid> types(static_cast<size_t>(PQnparams(described.get())));
  for (size_t i = 0; i < types.size(); ++i) {
    types[i] = PQparamtype(described.get(), static_cast<int>(i));
  }
  return types;
}

Error PostgresConnection::ErrorOf(const PGresult* result, std::string_view what) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  // Security: the primary message only — DETAIL would echo the offending key
  // values (token hashes, references) into logs.
  std::string message = std::string(what) + ": ";
  message += primary != nullptr ? primary : PQerrorMessage(conn_);
  while (!message.empty() && message.back() == '\n') message.pop_back();
  if (const char* constraint =
          result ? PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME) : nullptr) {
    message += std::string(" (constraint ") + constraint + ")";
  }
  if (state != nullptr) message += std::string(" [SQLSTATE ") + state + "]";
  ErrorCode code = ErrorCode::kInternal;
  if (PQstatus(conn_) != CONNECTION_OK) {
    code = ErrorCode::kUnavailable;
  } else if (state != nullptr && std::string_view(state) == "25P02" && transaction_error_) {
    // "current transaction is aborted": the cause is the earlier error.
    return Error(transaction_error_->code(), message + " after: " + transaction_error_->message())
        .AsDatabaseDetail();
  } else if (state != nullptr) {
    code = CodeOfSqlState(state);
  }
  Error error = Error(code, message).AsDatabaseDetail();
  if (in_transaction_ && !transaction_error_) transaction_error_ = error;
  return error;
}

Result<void> PostgresConnection::ExecuteScript(std::string_view sql) {
  RETURN_IF_ERROR(EnsureConnected());
  OwnedResult result(PQexec(conn_, std::string(sql).c_str()));
  if (!Succeeded(result.get())) return Fail(ErrorOf(result.get(), "executing script"));
  return {};
}

Result<Statement*> PostgresConnection::Prepare(std::string_view sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) {
    it->second->ResetForReuse();
    return it->second.get();
  }
  RETURN_IF_ERROR(EnsureConnected());
  std::string key(sql);
  std::string name = "vigie_" + std::to_string(next_statement_++);
  auto types = PrepareOnServer(name, key);
  if (!types) {
    // As with SQLite, SQL that does not compile is the caller's argument.
    if (types.error().code() == ErrorCode::kUnavailable) return Fail(types.error());
    return Fail(Error(ErrorCode::kInvalidArgument, types.error().message()).AsDatabaseDetail());
  }
  auto owned = std::make_unique<PostgresStatement>(this, key, std::move(name), std::move(*types),
                                                   generation_);
  Statement* result = owned.get();
  cache_.emplace(std::move(key), std::move(owned));
  return result;
}

Result<void> PostgresConnection::Control(const char* sql) {
  OwnedResult result(PQexec(conn_, sql));
  if (!Succeeded(result.get())) return Fail(ErrorOf(result.get(), sql));
  return {};
}

Result<void> PostgresConnection::Begin() {
  if (in_transaction_) return Fail(ErrorCode::kInternal, "a transaction is already open");
  RETURN_IF_ERROR(EnsureConnected());
  RETURN_IF_ERROR(Control("BEGIN ISOLATION LEVEL SERIALIZABLE"));
  in_transaction_ = true;
  transaction_error_.reset();
  return {};
}

Result<void> PostgresConnection::BeginRead() {
  if (in_transaction_) return Fail(ErrorCode::kInternal, "a transaction is already open");
  RETURN_IF_ERROR(EnsureConnected());
  RETURN_IF_ERROR(Control("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  in_transaction_ = true;
  transaction_error_.reset();
  return {};
}

Result<void> PostgresConnection::BeginQueued(int64_t queue) {
  if (in_transaction_) return Fail(ErrorCode::kInternal, "a transaction is already open");
  RETURN_IF_ERROR(EnsureConnected());
  RETURN_IF_ERROR(Control("BEGIN ISOLATION LEVEL READ COMMITTED"));
  in_transaction_ = true;
  transaction_error_.reset();
  auto take_lock = [&]() -> Result<void> {
    ASSIGN_OR_RETURN(Statement * lock,
                     Prepare("SELECT pg_advisory_xact_lock($1::integer, $2::integer)"));
    lock->BindInt(1, AdvisoryKeyHigh(queue)).BindInt(2, AdvisoryKeyLow(queue));
    RETURN_IF_ERROR(lock->Run());
    return {};
  };
  if (auto locked = take_lock(); !locked) {
    (void)Rollback();
    return locked;
  }
  return {};
}

Result<void> PostgresConnection::Commit() {
  if (!in_transaction_) return Fail(ErrorCode::kInternal, "no transaction is open");
  in_transaction_ = false;
  std::optional<Error> aborted_by = std::move(transaction_error_);
  transaction_error_.reset();
  OwnedResult result(PQexec(conn_, "COMMIT"));
  if (!Succeeded(result.get())) return Fail(ErrorOf(result.get(), "committing"));
  // COMMIT of an aborted transaction "succeeds" as ROLLBACK: report why.
  if (std::string_view(PQcmdStatus(result.get())) == "ROLLBACK") {
    if (aborted_by) return Fail(aborted_by->WithContext("transaction rolled back"));
    return Fail(ErrorCode::kInternal, "transaction rolled back by the server");
  }
  return {};
}

Result<void> PostgresConnection::Rollback() {
  in_transaction_ = false;
  transaction_error_.reset();
  // A lost connection has rolled the transaction back already.
  if (PQstatus(conn_) != CONNECTION_OK) return {};
  return Control("ROLLBACK");
}

Result<bool> PostgresConnection::EndWhatIsLeftOpen() {
  // Results are read whole, so only a transaction can be left open. A lost
  // connection (PQTRANS_UNKNOWN) ended it already; the next use reconnects.
  const PGTransactionStatusType status = PQtransactionStatus(conn_);
  if (status == PQTRANS_ACTIVE) {
    return Fail(ErrorCode::kInternal, "a command is still running on the connection");
  }
  if (!in_transaction_ && status != PQTRANS_INTRANS && status != PQTRANS_INERROR) return false;
  RETURN_IF_ERROR(Rollback());
  return true;
}

Result<void> PostgresConnection::SetCacheSize(int64_t mib) {
  if (mib <= 0) return Fail(ErrorCode::kInvalidArgument, "cache size must be positive");
  return {};
}

Result<bool> PostgresConnection::EnterBulkLoad() { return false; }
Result<void> PostgresConnection::LeaveBulkLoad() { return {}; }

}  // namespace vigie::store::internal
