#pragma once
// A JSON array built in memory up to a size, within the text around it:
// for answers whose length the caller's input decides (a claim check's rows).
// Thread-safety: none; one per answer.

#include <cstddef>
#include <string>
#include <string_view>

#include "core/error.h"

namespace vigie::api::internal {

class BoundedJsonArray {
 public:
  // `max_bytes` bounds the array's text, brackets and commas included;
  // `before` is the text ahead of it (not counted).
  explicit BoundedJsonArray(size_t max_bytes, std::string_view before = "")
      : max_bytes_(max_bytes), start_(before.size()), text_(std::string(before) + "[") {}

  // Appends `element` (one JSON value's text). Past the bound, fails with
  // InvalidArgument naming it (asking less of the same call is the fix, not
  // asking again later), and appends nothing.
  Result<void> Add(std::string_view element);

  // `before`, the array ("[" elements "]"), then `after`.
  std::string Finish(std::string_view after = "") &&;

 private:
  size_t array_size() const { return text_.size() - start_; }

  size_t max_bytes_;
  size_t start_;  // where the array begins in text_
  std::string text_;
};

}  // namespace vigie::api::internal
