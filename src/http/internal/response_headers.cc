#include "http/internal/response_headers.h"

#include <array>
#include <cstdio>
#include <ctime>
#include <string>

namespace vigie::http::internal {
namespace {

constexpr std::array<std::string_view, 14> kServerOwned = {"content-length",
                                                           "transfer-encoding",
                                                           "connection",
                                                           "keep-alive",
                                                           "upgrade",
                                                           "x-request-id",
                                                           "strict-transport-security",
                                                           "content-security-policy",
                                                           "x-content-type-options",
                                                           "referrer-policy",
                                                           "x-frame-options",
                                                           "content-type",
                                                           "trailer",
                                                           "date"};

bool IsTokenChar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

}  // namespace

bool IsServerOwnedHeader(std::string_view name) {
  for (std::string_view owned : kServerOwned) {
    if (EqualsIgnoreCase(name, owned)) return true;
  }
  return false;
}

bool IsValidHeader(std::string_view name, std::string_view value) {
  if (name.empty() || name.size() + value.size() > kMaxResponseHeaderBytes) return false;
  for (unsigned char c : name) {
    if (!IsTokenChar(c)) return false;
  }
  for (unsigned char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

std::string HttpDate(std::chrono::system_clock::time_point when) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[utc.tm_wday],
                utc.tm_mday, kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min,
                utc.tm_sec);
  return text;
}

HeaderList FinalHeaders(const Response& response, bool tls, std::string_view request_id) {
  HeaderList out;
  out.reserve(response.headers.size() + 9);
  bool has_cache_control = false;
  for (const auto& [name, value] : response.headers) {
    // Content-Type is set from response.content_type, so it is owned here too.
    if (IsServerOwnedHeader(name) || !IsValidHeader(name, value)) continue;
    if (EqualsIgnoreCase(name, "cache-control")) has_cache_control = true;
    out.emplace_back(name, value);
  }
  if (!response.content_type.empty() && IsValidHeader("Content-Type", response.content_type)) {
    out.emplace_back("Content-Type", response.content_type);
  }
  // Security: API answers hold personal data; no cache (browser, proxy) keeps them.
  if (!has_cache_control) out.emplace_back("Cache-Control", "no-store");
  std::string_view csp =
      response.content_security_policy.empty() ||
              !IsValidHeader("Content-Security-Policy", response.content_security_policy)
          ? kDefaultContentSecurityPolicy
          : std::string_view(response.content_security_policy);
  out.emplace_back("Content-Security-Policy", std::string(csp));
  // Security: no MIME sniffing (a JSON body is never run as a script), no
  // Referer leaking URLs, no framing by old browsers ignoring frame-ancestors.
  out.emplace_back("X-Content-Type-Options", "nosniff");
  out.emplace_back("Referrer-Policy", "no-referrer");
  out.emplace_back("X-Frame-Options", "DENY");
  // Security: HSTS only means something over TLS (RFC 6797 §7.2: ignored on
  // plain HTTP, which we serve on loopback only).
  if (tls) out.emplace_back("Strict-Transport-Security", std::string(kStrictTransportSecurity));
  out.emplace_back("X-Request-Id", std::string(request_id));
  return out;
}

}  // namespace vigie::http::internal
