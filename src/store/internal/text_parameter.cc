#include "store/internal/text_parameter.h"

#include <string>

#include "core/utf8.h"

namespace vigie::store::internal {

std::optional<Error> TextParameterFlaw(int index, std::string_view value) {
  if (value.find('\0') != std::string_view::npos) {
    return Error(ErrorCode::kInvalidArgument,
                 "text parameter $" + std::to_string(index) + " contains a NUL byte");
  }
  if (!IsWellFormedUtf8(value)) {
    return Error(ErrorCode::kInvalidArgument,
                 "text parameter $" + std::to_string(index) + " is not UTF-8");
  }
  return std::nullopt;
}

}  // namespace vigie::store::internal
