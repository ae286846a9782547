#include "http/internal/json_text.h"

#include <cstdio>
#include <ctime>

#include "core/utf8.h"

namespace vigie::http::internal {

void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  auto escaped = [&](uint32_t cp) {
    out += "\\u00";
    out += kHex[cp >> 4];
    out += kHex[cp & 15];
  };
  out += '"';
  size_t pos = 0;
  while (pos < s.size()) {
    const size_t start = pos;
    const int32_t cp = DecodeUtf8CodePoint(s, pos);
    if (cp < 0) {
      out += "\\ufffd";  // not UTF-8: one replacement character per byte
      ++pos;
    } else if (cp == '"') {
      out += "\\\"";
    } else if (cp == '\\') {
      out += "\\\\";
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
      escaped(static_cast<uint32_t>(cp));  // C0, DEL and C1: nothing a terminal acts on
    } else {
      out.append(s.substr(start, pos - start));
    }
  }
  out += '"';
}

std::string Rfc3339Millis(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()) % 1000;
  if (millis.count() < 0) millis += std::chrono::seconds(1);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(millis.count()));
  return buf;
}

}  // namespace vigie::http::internal
