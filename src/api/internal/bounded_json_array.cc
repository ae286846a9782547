#include "api/internal/bounded_json_array.h"

namespace vigie::api::internal {

Result<void> BoundedJsonArray::Add(std::string_view element) {
  // The separator before it, and the closing bracket still to come.
  const size_t needed = (array_size() > 1 ? 1 : 0) + element.size() + 1;
  if (array_size() + needed > max_bytes_) {
    return Fail(ErrorCode::kInvalidArgument,
                "the answer would pass " + std::to_string(max_bytes_) + " bytes");
  }
  if (array_size() > 1) text_.push_back(',');
  text_.append(element);
  return {};
}

std::string BoundedJsonArray::Finish(std::string_view after) && {
  text_.push_back(']');
  text_.append(after);
  return std::move(text_);
}

}  // namespace vigie::api::internal
