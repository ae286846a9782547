#pragma once
// Strict reading of a JSON request body. A body is one JSON object whose
// every field is known to the route; each field has the expected type and a
// bounded length. Anything else is refused with a message naming the field,
// before any use case runs (DESIGN invariant 5: bad input changes nothing).
//
// Security: Boost.JSON refuses invalid UTF-8 and we refuse control
// characters (C0, DEL, C1) and bidirectional overrides and isolates in
// strings, so no malformed or misleading text reaches storage, logs or
// reports; a key repeated in any object is refused (readers disagree on which
// one counts); nesting is limited so a hostile body cannot exhaust the stack.
// A field given as null is of the wrong type, not absent: an optional
// field's default (a release's "reset") is taken only when it is left out.
// Thread-safety: a JsonBody is a value used by one thread.

#include <boost/json/object.hpp>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace vigie::api {

class JsonBody {
 public:
  // InvalidArgument: not JSON, not an object, too deep, a key twice in one
  // object (at any depth; "a" and "\u0061" are the same key), or a field
  // not in `allowed_fields`.
  static Result<JsonBody> Parse(std::string_view body,
                                std::initializer_list<std::string_view> allowed_fields);

  // InvalidArgument when absent (required), not a string, empty (required),
  // longer than `max_bytes`, or holding a control character (U+0000-U+001F,
  // U+007F-U+009F) or a bidirectional override or isolate (U+202A-U+202E,
  // U+2066-U+2069).
  Result<std::string> RequiredString(std::string_view field, size_t max_bytes) const;
  Result<std::optional<std::string>> OptionalString(std::string_view field, size_t max_bytes) const;
  // As above, for a text of several lines (a file's content, a paragraph):
  // line feeds, carriage returns and tabs are allowed, other controls not.
  Result<std::string> RequiredText(std::string_view field, size_t max_bytes) const;
  Result<std::optional<std::string>> OptionalText(std::string_view field, size_t max_bytes) const;

  // InvalidArgument when absent (required), not an integer, or outside [min, max].
  Result<int64_t> RequiredInt(std::string_view field, int64_t min, int64_t max) const;
  Result<std::optional<int64_t>> OptionalInt(std::string_view field, int64_t min,
                                             int64_t max) const;

  // InvalidArgument when present but not true or false.
  Result<std::optional<bool>> OptionalBool(std::string_view field) const;

  // InvalidArgument when present but not an array of strings within the bounds.
  Result<std::optional<std::vector<std::string>>> OptionalStringList(std::string_view field,
                                                                     size_t max_items,
                                                                     size_t max_bytes) const;
  // InvalidArgument when present but not an array of integers in [min, max]
  // with at most `max_items` items.
  Result<std::optional<std::vector<int64_t>>> OptionalIntList(std::string_view field,
                                                              size_t max_items, int64_t min,
                                                              int64_t max) const;

 private:
  explicit JsonBody(boost::json::object object) : object_(std::move(object)) {}
  Result<std::optional<std::string>> StringField(std::string_view field, size_t max_bytes,
                                                 bool required, bool multiline = false) const;
  boost::json::object object_;
};

}  // namespace vigie::api
