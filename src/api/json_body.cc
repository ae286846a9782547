#include "api/json_body.h"

#include <boost/json/parse.hpp>
#include <string_view>
#include <vector>

#include "core/json_keys.h"
#include "core/utf8.h"

namespace vigie::api {
namespace {

namespace json = boost::json;

Error FieldError(std::string_view field, std::string_view problem) {
  return Error(ErrorCode::kInvalidArgument, "'" + std::string(field) + "' " + std::string(problem));
}

Result<std::string> CheckedText(std::string_view field, std::string_view text, size_t max_bytes,
                                bool multiline = false) {
  if (text.size() > max_bytes) {
    return std::unexpected(
        FieldError(field, "must be at most " + std::to_string(max_bytes) + " bytes"));
  }
  switch (FindTextFlaw(text, multiline)) {
    case TextFlaw::kNone:
      break;
    case TextFlaw::kIllFormed:  // Boost.JSON refuses it first; kept for other callers
      return std::unexpected(FieldError(field, "is not valid UTF-8"));
    case TextFlaw::kControl:
      return std::unexpected(FieldError(field, "holds a control character"));
    case TextFlaw::kFormatting:
      // Security: bidirectional marks, overrides and isolates make text read
      // in another order than stored ("Trojan Source"), in a log, a report or
      // a page.
      return std::unexpected(FieldError(field, "holds a bidirectional formatting character"));
  }
  return std::string(text);
}

// A client's key in a message about it: at most 64 bytes, cut at a character
// boundary. Security: the detail is shown on pages: no bidirectional mark or
// control passes.
std::string ShownKey(std::string_view key) { return DisplaySafe(key, 64); }

}  // namespace

Result<JsonBody> JsonBody::Parse(std::string_view body,
                                 std::initializer_list<std::string_view> allowed_fields) {
  json::parse_options options;
  options.max_depth = 8;  // Security: bounded recursion on hostile input
  std::error_code error;
  json::value value = json::parse(body, error, {}, options);
  if (error) {
    return Fail(ErrorCode::kInvalidArgument, "body is not valid JSON (" + error.message() + ")");
  }
  if (!value.is_object()) return Fail(ErrorCode::kInvalidArgument, "body must be a JSON object");
  // The body is valid JSON within the depth limit: this second pass only
  // looks at keys.
  if (std::optional<std::string> twice = RepeatedJsonKey(body, options.max_depth)) {
    return Fail(ErrorCode::kInvalidArgument, "duplicate field '" + ShownKey(*twice) + "'");
  }
  for (const auto& [key, unused] : value.as_object()) {
    bool known = false;
    for (std::string_view allowed : allowed_fields) known = known || allowed == key;
    if (!known) return Fail(ErrorCode::kInvalidArgument, "unknown field '" + ShownKey(key) + "'");
  }
  return JsonBody(std::move(value.as_object()));
}

Result<std::optional<std::string>> JsonBody::StringField(std::string_view field, size_t max_bytes,
                                                         bool required, bool multiline) const {
  const json::value* value = object_.if_contains(field);
  if (value == nullptr) {
    if (required) return std::unexpected(FieldError(field, "is required"));
    return std::nullopt;
  }
  if (!value->is_string()) return std::unexpected(FieldError(field, "must be a string"));
  std::string_view text = value->as_string();
  if (required && text.empty()) return std::unexpected(FieldError(field, "must not be empty"));
  ASSIGN_OR_RETURN(std::string checked, CheckedText(field, text, max_bytes, multiline));
  return checked;
}

Result<std::string> JsonBody::RequiredString(std::string_view field, size_t max_bytes) const {
  ASSIGN_OR_RETURN(std::optional<std::string> text, StringField(field, max_bytes, true));
  return std::move(*text);
}

Result<std::optional<std::string>> JsonBody::OptionalString(std::string_view field,
                                                            size_t max_bytes) const {
  return StringField(field, max_bytes, false);
}

Result<std::string> JsonBody::RequiredText(std::string_view field, size_t max_bytes) const {
  ASSIGN_OR_RETURN(std::optional<std::string> text, StringField(field, max_bytes, true, true));
  return std::move(*text);
}

Result<std::optional<std::string>> JsonBody::OptionalText(std::string_view field,
                                                          size_t max_bytes) const {
  return StringField(field, max_bytes, false, true);
}

Result<int64_t> JsonBody::RequiredInt(std::string_view field, int64_t min, int64_t max) const {
  const json::value* value = object_.if_contains(field);
  if (value == nullptr) return std::unexpected(FieldError(field, "is required"));
  int64_t number = 0;
  if (value->is_int64()) {
    number = value->as_int64();
  } else if (value->is_uint64() && value->as_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    number = static_cast<int64_t>(value->as_uint64());
  } else {
    return std::unexpected(FieldError(field, "must be an integer"));
  }
  if (number < min || number > max) {
    return std::unexpected(FieldError(
        field, "must be between " + std::to_string(min) + " and " + std::to_string(max)));
  }
  return number;
}

Result<std::optional<int64_t>> JsonBody::OptionalInt(std::string_view field, int64_t min,
                                                     int64_t max) const {
  const json::value* value = object_.if_contains(field);
  if (value == nullptr) return std::nullopt;
  return RequiredInt(field, min, max);
}

Result<std::optional<bool>> JsonBody::OptionalBool(std::string_view field) const {
  const json::value* value = object_.if_contains(field);
  if (value == nullptr) return std::nullopt;
  if (!value->is_bool()) return std::unexpected(FieldError(field, "must be true or false"));
  return value->as_bool();
}

Result<std::optional<std::vector<std::string>>> JsonBody::OptionalStringList(
    std::string_view field, size_t max_items, size_t max_bytes) const {
  const json::value* value = object_.if_contains(field);
  if (value == nullptr) return std::nullopt;
  if (!value->is_array()) return std::unexpected(FieldError(field, "must be an array of strings"));
  const json::array& items = value->as_array();
  if (items.size() > max_items) {
    return std::unexpected(
        FieldError(field, "must hold at most " + std::to_string(max_items) + " items"));
  }
  std::vector<std::string> out;
  for (const json::value& item : items) {
    if (!item.is_string()) return std::unexpected(FieldError(field, "must be an array of strings"));
    ASSIGN_OR_RETURN(std::string text, CheckedText(field, item.as_string(), max_bytes));
    out.push_back(std::move(text));
  }
  return out;
}

Result<std::optional<std::vector<int64_t>>> JsonBody::OptionalIntList(std::string_view field,
                                                                      size_t max_items, int64_t min,
                                                                      int64_t max) const {
  const json::value* value = object_.if_contains(field);
  if (value == nullptr) return std::nullopt;
  const std::string refusal =
      "must be an array of integers between " + std::to_string(min) + " and " + std::to_string(max);
  if (!value->is_array()) return std::unexpected(FieldError(field, refusal));
  const json::array& items = value->as_array();
  if (items.size() > max_items) {
    return std::unexpected(
        FieldError(field, "must hold at most " + std::to_string(max_items) + " items"));
  }
  std::vector<int64_t> out;
  out.reserve(items.size());
  for (const json::value& item : items) {
    int64_t number = 0;
    if (item.is_int64()) {
      number = item.as_int64();
    } else if (item.is_uint64() && item.as_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
      number = static_cast<int64_t>(item.as_uint64());
    } else {
      return std::unexpected(FieldError(field, refusal));
    }
    if (number < min || number > max) return std::unexpected(FieldError(field, refusal));
    out.push_back(number);
  }
  return out;
}

}  // namespace vigie::api
