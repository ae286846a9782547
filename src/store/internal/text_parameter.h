#pragma once
// What both backends refuse in a text parameter, checked before either runs
// the statement: a request must fail the same way on SQLite as on PostgreSQL.
// Thread-safety: pure function.

#include <optional>
#include <string_view>

#include "core/error.h"

namespace vigie::store::internal {

// InvalidArgument for a text parameter $`index` that PostgreSQL would not
// take as sent: an embedded NUL (a NUL-terminated value would be silently
// cut: "admin\0x" compared as "admin") or bytes that are not UTF-8 (which
// the server refuses, aborting the transaction). nullopt when it is fine.
std::optional<Error> TextParameterFlaw(int index, std::string_view value);

}  // namespace vigie::store::internal
