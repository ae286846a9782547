#pragma once
// A JSON array built in memory up to a size: for answers whose length the
// caller's input decides. A claim check's row repeats the accesses to its
// persons, so a sample naming one much-consulted person on every row
// (attackers write the samples) would otherwise grow the answer to
// gigabytes.
// Thread-safety: none; one per answer.

#include <cstddef>
#include <string>
#include <string_view>

#include "core/error.h"

namespace vigie::api::internal {

class BoundedJsonArray {
 public:
  // `max_bytes` bounds the whole array's text, brackets and commas included.
  explicit BoundedJsonArray(size_t max_bytes) : max_bytes_(max_bytes) {}

  // Appends `element` (one JSON value's text). Past the bound, fails with
  // InvalidArgument naming it (asking less of the same call is the fix, not
  // asking again later), and appends nothing.
  Result<void> Add(std::string_view element);

  // The array, "[" elements "]".
  std::string Finish() &&;

 private:
  size_t max_bytes_;
  std::string text_ = "[";
};

}  // namespace vigie::api::internal
