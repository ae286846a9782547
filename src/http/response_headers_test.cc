// Unit tests of the server's internal pieces that need no socket: final
// response headers, access log lines, request ids.
#include "http/internal/response_headers.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "core/random.h"
#include "http/internal/access_log.h"
#include "http/internal/request_id.h"

namespace vigie::http::internal {
namespace {

std::optional<std::string> Find(const HeaderList& headers, std::string_view name) {
  std::optional<std::string> found;
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) {
      EXPECT_FALSE(found.has_value()) << "duplicate " << name;
      found = v;
    }
  }
  return found;
}

TEST(FinalHeadersTest, AddsSecurityHeadersAndRequestId) {
  Response r;
  r.content_type = "application/json";
  HeaderList h = FinalHeaders(r, /*tls=*/true, "abc");
  EXPECT_EQ(Find(h, "Content-Type"), "application/json");
  EXPECT_EQ(Find(h, "Cache-Control"), "no-store");
  EXPECT_EQ(Find(h, "Content-Security-Policy"), std::string(kDefaultContentSecurityPolicy));
  EXPECT_EQ(Find(h, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(Find(h, "Referrer-Policy"), "no-referrer");
  EXPECT_EQ(Find(h, "X-Frame-Options"), "DENY");
  EXPECT_EQ(Find(h, "Strict-Transport-Security"), "max-age=63072000; includeSubDomains");
  EXPECT_EQ(Find(h, "X-Request-Id"), "abc");
}

TEST(HttpDateTest, ImfFixdate) {
  using namespace std::chrono;
  // RFC 9110's own example, and a date past 2038 and a leap day.
  EXPECT_EQ(HttpDate(system_clock::time_point(seconds(784111777))), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(HttpDate(system_clock::time_point(seconds(3981398399))), "Wed, 29 Feb 2096 23:59:59 GMT");
}

TEST(FinalHeadersTest, NoHstsOverPlainHttp) {
  EXPECT_FALSE(Find(FinalHeaders({}, false, "x"), "Strict-Transport-Security").has_value());
}

TEST(FinalHeadersTest, HandlerMayOverrideCspAndCacheControlButNotServerHeaders) {
  Response r;
  r.content_security_policy = "default-src 'self'";
  r.headers = {{"Date", "Thu, 01 Jan 1970 00:00:00 GMT"},
               {"Cache-Control", "public, max-age=3600"},
               {"X-Request-Id", "forged"},
               {"Content-Length", "0"},
               {"Strict-Transport-Security", "max-age=0"},
               {"Transfer-Encoding", "chunked"},
               {"Retry-After", "30"}};
  HeaderList h = FinalHeaders(r, true, "real");
  EXPECT_EQ(Find(h, "Content-Security-Policy"), "default-src 'self'");
  EXPECT_EQ(Find(h, "Cache-Control"), "public, max-age=3600");
  EXPECT_EQ(Find(h, "X-Request-Id"), "real");
  EXPECT_FALSE(Find(h, "Date").has_value()) << "the connection dates every answer itself";
  EXPECT_FALSE(Find(h, "Content-Length").has_value());
  EXPECT_FALSE(Find(h, "Transfer-Encoding").has_value());
  EXPECT_EQ(Find(h, "Strict-Transport-Security"), "max-age=63072000; includeSubDomains");
  EXPECT_EQ(Find(h, "Retry-After"), "30");
}

TEST(FinalHeadersTest, DropsHeadersThatCouldSplitTheResponse) {
  Response r;
  r.headers = {{"X-Echo", "a\r\nSet-Cookie: evil=1"},
               {"Bad Name", "v"},
               {"X-Ok", "fine"},
               {"X-Huge", std::string(kMaxResponseHeaderBytes, 'a')}};
  r.content_security_policy = "x\r\ny";
  HeaderList h = FinalHeaders(r, false, "id");
  EXPECT_FALSE(Find(h, "X-Echo").has_value());
  EXPECT_FALSE(Find(h, "X-Huge").has_value());
  EXPECT_FALSE(Find(h, "Bad Name").has_value());
  EXPECT_EQ(Find(h, "X-Ok"), "fine");
  EXPECT_EQ(Find(h, "Content-Security-Policy"), std::string(kDefaultContentSecurityPolicy));
}

TEST(AccessLogTest, OneJsonObjectWithoutTheQuery) {
  AccessLogEntry e;
  e.time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'123));
  e.request_id = "rid";
  e.remote_address = "127.0.0.1";
  e.method = "GET";
  e.route = "/api/v1/search";
  e.status = 200;
  e.latency = std::chrono::microseconds(812);
  e.response_bytes = 341;
  e.agent_id = "A123";
  std::string line = FormatAccessLogLine(e);
  EXPECT_EQ(line.find("DUPONT"), std::string::npos);
  EXPECT_EQ(line.find('?'), std::string::npos);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  boost::json::object o = boost::json::parse(line).as_object();
  EXPECT_EQ(o["time"], "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(o["route"], "/api/v1/search");
  EXPECT_EQ(o["status"], 200);
  EXPECT_EQ(o["latency_us"], 812);
  EXPECT_EQ(o["bytes"], 341);
  EXPECT_EQ(o["agent"], "A123");
  EXPECT_EQ(o["tls"], false);
}

TEST(AccessLogTest, LogsTheRoutePatternCappedAndNeverARawPath) {
  AccessLogEntry e;
  e.route = "/api/v1/persons/{id}";
  EXPECT_EQ(boost::json::parse(FormatAccessLogLine(e)).as_object()["route"],
            "/api/v1/persons/{id}");
  e.route = "";
  EXPECT_EQ(boost::json::parse(FormatAccessLogLine(e)).as_object()["route"], "(unrouted)");

  // Hostile bytes within the kept part are escaped; the rest is cut.
  std::string hostile = "/\"\n\xff" + std::string(10'000, 'a');
  e.route = hostile;
  std::string line = FormatAccessLogLine(e);
  EXPECT_LT(line.size(), 1000u);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_NO_THROW(boost::json::parse(line));
  EXPECT_FALSE(boost::json::parse(line).as_object().contains("agent"));
  EXPECT_TRUE(boost::json::parse(line).as_object()["route"].as_string().starts_with("/\"\n"));
}

TEST(RequestIdTest, Is128BitsOfHexAndUnique) {
  SeededRandom random(7);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewRequestId(random);
    ASSERT_EQ(id.size(), 32u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace vigie::http::internal
