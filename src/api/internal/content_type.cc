#include "api/internal/content_type.h"

#include <optional>
#include <string>
#include <string_view>

namespace vigie::api::internal {
namespace {

constexpr std::string_view kNotJson = "the request body must be sent as application/json";

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Skips optional whitespace (RFC 9110 §5.6.3: spaces and horizontal tabs).
void SkipWhitespace(std::string_view& text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
}

// Takes a token off the front of `text` ("" if there is none).
std::string_view TakeToken(std::string_view& text) {
  size_t n = 0;
  while (n < text.size() && IsTokenChar(text[n])) ++n;
  std::string_view token = text.substr(0, n);
  text.remove_prefix(n);
  return token;
}

// Takes a quoted-string off the front of `text`, which starts with '"';
// returns its value unescaped, or nothing when it is not closed.
std::optional<std::string> TakeQuoted(std::string_view& text) {
  std::string value;
  for (size_t i = 1; i < text.size(); ++i) {
    if (text[i] == '"') {
      text.remove_prefix(i + 1);
      return value;
    }
    if (text[i] == '\\') {
      if (++i == text.size()) return std::nullopt;
    }
    value.push_back(text[i]);
  }
  return std::nullopt;
}

}  // namespace

Result<void> CheckJsonContentType(const http::Request& request) {
  int count = 0;
  std::string_view value;
  for (const auto& [name, header] : request.headers) {
    if (http::EqualsIgnoreCase(name, "Content-Type")) {
      ++count;
      value = header;
    }
  }
  if (count != 1) return Fail(ErrorCode::kInvalidArgument, std::string(kNotJson));
  // media-type = type "/" subtype parameters (RFC 9110 §8.3.1)
  SkipWhitespace(value);
  std::string_view type = TakeToken(value);
  if (value.empty() || value.front() != '/')
    return Fail(ErrorCode::kInvalidArgument, std::string(kNotJson));
  value.remove_prefix(1);
  std::string_view subtype = TakeToken(value);
  if (!http::EqualsIgnoreCase(type, "application") || !http::EqualsIgnoreCase(subtype, "json")) {
    return Fail(ErrorCode::kInvalidArgument, std::string(kNotJson));
  }
  // parameters = *( OWS ";" OWS [ parameter ] ); parameter = name "=" ( token / quoted-string )
  for (;;) {
    SkipWhitespace(value);
    if (value.empty()) return {};
    if (value.front() != ';') return Fail(ErrorCode::kInvalidArgument, std::string(kNotJson));
    value.remove_prefix(1);
    SkipWhitespace(value);
    if (value.empty() || value.front() == ';') continue;
    std::string_view name = TakeToken(value);
    if (name.empty() || value.empty() || value.front() != '=') {
      return Fail(ErrorCode::kInvalidArgument, std::string(kNotJson));
    }
    value.remove_prefix(1);
    std::string parameter;
    if (!value.empty() && value.front() == '"') {
      std::optional<std::string> quoted = TakeQuoted(value);
      if (!quoted) return Fail(ErrorCode::kInvalidArgument, std::string(kNotJson));
      parameter = std::move(*quoted);
    } else {
      parameter = std::string(TakeToken(value));
      if (parameter.empty()) return Fail(ErrorCode::kInvalidArgument, std::string(kNotJson));
    }
    // Security: the body is read as UTF-8 whatever a client declares; one
    // declaring anything else means something else by its bytes.
    if (http::EqualsIgnoreCase(name, "charset") && !http::EqualsIgnoreCase(parameter, "utf-8")) {
      return Fail(ErrorCode::kInvalidArgument, "the request body's charset must be utf-8");
    }
  }
}

}  // namespace vigie::api::internal
