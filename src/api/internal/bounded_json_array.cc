#include "api/internal/bounded_json_array.h"

namespace vigie::api::internal {

Result<void> BoundedJsonArray::Add(std::string_view element) {
  // The separator before it, and the closing bracket still to come.
  const size_t needed = (text_.size() > 1 ? 1 : 0) + element.size() + 1;
  if (text_.size() + needed > max_bytes_) {
    return Fail(ErrorCode::kInvalidArgument,
                "the answer would pass " + std::to_string(max_bytes_) + " bytes");
  }
  if (text_.size() > 1) text_.push_back(',');
  text_.append(element);
  return {};
}

std::string BoundedJsonArray::Finish() && {
  text_.push_back(']');
  return std::move(text_);
}

}  // namespace vigie::api::internal
