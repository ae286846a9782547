#include "http/metrics.h"

#include <gtest/gtest.h>

#include "tests/support/matchers.h"

namespace vigie::http {
namespace {

using ::testing::HasSubstr;
using ::vigie::testing::ErrorCodeIs;

TEST(MetricsRegistryTest, RendersCountsByClassAndACumulativeHistogram) {
  MetricsRegistry m;
  m.RecordRequest(200, std::chrono::microseconds(300));
  m.RecordRequest(204, std::chrono::microseconds(2000));
  m.RecordRequest(404, std::chrono::microseconds(7'000'000));
  m.ConnectionOpened();
  m.ConnectionRejected();
  std::string text = m.RenderPrometheus();
  EXPECT_THAT(text, HasSubstr("# TYPE vigie_http_requests_total counter\n"));
  EXPECT_THAT(text, HasSubstr("vigie_http_requests_total{code=\"2xx\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("vigie_http_requests_total{code=\"4xx\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("vigie_http_request_duration_seconds_bucket{le=\"0.0005\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("vigie_http_request_duration_seconds_bucket{le=\"0.0025\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("vigie_http_request_duration_seconds_bucket{le=\"5\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("vigie_http_request_duration_seconds_bucket{le=\"+Inf\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("vigie_http_request_duration_seconds_count 3\n"));
  EXPECT_THAT(text, HasSubstr("vigie_http_open_connections 1\n"));
  EXPECT_THAT(text, HasSubstr("vigie_http_rejected_connections_total 1\n"));
  EXPECT_EQ(text.back(), '\n');
}

TEST(MetricsRegistryTest, ExtraMetricsAreReadAtScrapeTime) {
  MetricsRegistry m;
  double value = 1;
  ASSERT_OK(m.Register("vigie_audit_queue_depth", "Events waiting.", MetricsRegistry::Kind::kGauge,
                       [&] { return value; }));
  value = 42;
  EXPECT_THAT(m.RenderPrometheus(), HasSubstr("# TYPE vigie_audit_queue_depth gauge\n"
                                              "vigie_audit_queue_depth 42\n"));
}

TEST(MetricsRegistryTest, RegisterRejectsBadOrDuplicateNames) {
  MetricsRegistry m;
  auto read = [] { return 0.0; };
  auto kind = MetricsRegistry::Kind::kCounter;
  EXPECT_THAT(m.Register("9lives", "x", kind, read), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(m.Register("a b", "x", kind, read), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(m.Register("ok", "two\nlines", kind, read), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(m.Register("vigie_http_requests_total", "x", kind, read),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_OK(m.Register("ok", "x", kind, read));
  EXPECT_THAT(m.Register("ok", "x", kind, read), ErrorCodeIs(ErrorCode::kInvalidArgument));
}

}  // namespace
}  // namespace vigie::http
