#pragma once
// Error and Result<T>: how every fallible call in Vigie reports failure.
// Codes carry meaning (they map to HTTP statuses once, in `http`, and to CLI
// exit codes in `cli`); the message is internal detail for logs and operators,
// never shown verbatim to a remote client.

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace vigie {

enum class ErrorCode {
  kInvalidArgument,    // bad input from the caller (HTTP 400)
  kUnauthenticated,    // who you are is unknown or unproven (401)
  kPermissionDenied,   // known, but not allowed (403)
  kNotFound,           // (404)
  kConflict,           // state forbids it, e.g. duplicate (409)
  kResourceExhausted,  // quota or size limit (429 / 413)
  kUnavailable,        // try again later, e.g. audit log not writable (503)
  kDataLoss,           // integrity broken: corrupt data, audit chain broken
  kInternal,           // a bug or an unexpected environment failure (500)
};

std::string_view ErrorCodeName(ErrorCode code);

class [[nodiscard]] Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // The message holds a database's own words (its tables, columns,
  // constraints): for logs and operators, never for a client, whatever the
  // code (a constraint is a Conflict, a value out of a column's range an
  // InvalidArgument, both of which otherwise tell their message).
  Error AsDatabaseDetail() && {
    database_detail_ = true;
    return std::move(*this);
  }
  bool database_detail() const { return database_detail_; }

  // Prefixes context ("reading config: ") so messages read like a path to the cause.
  Error WithContext(std::string_view context) const& {
    Error out(code_, std::string(context) + ": " + message_);
    out.database_detail_ = database_detail_;
    return out;
  }

  // "InvalidArgument: <message>"
  std::string ToString() const;

 private:
  ErrorCode code_;
  std::string message_;
  bool database_detail_ = false;
};

template <typename T>
using Result = std::expected<T, Error>;

// Shorthand for the unexpected side: `return Fail(ErrorCode::kNotFound, "no agent 42");`
inline std::unexpected<Error> Fail(ErrorCode code, std::string message) {
  return std::unexpected<Error>(Error(code, std::move(message)));
}
inline std::unexpected<Error> Fail(Error error) {
  return std::unexpected<Error>(std::move(error));
}

}  // namespace vigie

#define VIGIE_CONCAT_INNER(a, b) a##b
#define VIGIE_CONCAT(a, b) VIGIE_CONCAT_INNER(a, b)

// Propagates the error of an expression returning Result<void> (or any Result).
#define RETURN_IF_ERROR(expr)                                             \
  do {                                                                    \
    auto vigie_status_ = (expr);                                          \
    if (!vigie_status_) return ::std::unexpected(vigie_status_.error()); \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, Compute());` declares x from a Result or propagates its error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(VIGIE_CONCAT(vigie_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)              \
  auto tmp = (expr);                                       \
  if (!tmp) return ::std::unexpected(std::move(tmp).error()); \
  lhs = std::move(*tmp)
