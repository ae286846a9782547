#include <charconv>
#include <string>

#include "core/utf8.h"
#include "store/internal/postgres_connection.h"
#include "store/internal/sqlite_connection.h"
#include "store/store.h"

namespace vigie::store {

Result<std::unique_ptr<Connection>> Open(std::string_view url, const OpenOptions& options) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.starts_with(kSqlite) && url.size() > kSqlite.size()) {
    ASSIGN_OR_RETURN(auto connection,
                     internal::SqliteConnection::Open(std::string(url.substr(kSqlite.size())),
                                                      options));
    return std::unique_ptr<Connection>(std::move(connection));
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    ASSIGN_OR_RETURN(auto connection, internal::PostgresConnection::Open(std::string(url), options));
    return std::unique_ptr<Connection>(std::move(connection));
  }
  // Security: the scheme only - the rest may hold a password.
  const size_t colon = url.find(':');
  const std::string scheme =
      colon == std::string_view::npos ? "none" : "'" + DisplaySafe(url.substr(0, colon), 32) + "'";
  return Fail(ErrorCode::kInvalidArgument, "unsupported database URL scheme " + scheme +
                                               " (expected sqlite:<path> or postgresql://...)");
}

Result<Transaction> Transaction::Begin(Connection& connection) {
  RETURN_IF_ERROR(connection.Begin());
  return Transaction(&connection);
}

Result<Transaction> Transaction::BeginRead(Connection& connection) {
  RETURN_IF_ERROR(connection.BeginRead());
  return Transaction(&connection);
}

Result<Transaction> Transaction::BeginQueued(Connection& connection, int64_t queue) {
  RETURN_IF_ERROR(connection.BeginQueued(queue));
  return Transaction(&connection);
}

Transaction::Transaction(Transaction&& other) noexcept : connection_(other.connection_) {
  other.connection_ = nullptr;
}

Transaction::~Transaction() {
  if (connection_ != nullptr) (void)connection_->Rollback();
}

Result<void> Transaction::Commit() {
  if (connection_ == nullptr) return Fail(ErrorCode::kInternal, "transaction already finished");
  Connection* connection = connection_;
  connection_ = nullptr;
  auto committed = connection->Commit();
  if (!committed) (void)connection->Rollback();
  return committed;
}

std::string PostgresArrayLiteral(std::span<const int64_t> values) {
  std::string literal = "{";
  char digits[24];
  for (int64_t value : values) {
    if (literal.size() > 1) literal += ',';
    literal.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
  }
  return literal + "}";
}

}  // namespace vigie::store
