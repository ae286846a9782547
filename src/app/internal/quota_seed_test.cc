#include "app/internal/quota_seed.h"

#include <gtest/gtest.h>

#include <vector>

#include "audit/audit_log_test_util.h"
#include "tests/support/matchers.h"

namespace vigie::app::internal {
namespace {

using audit::AuditEvent;
using audit::AuditEventType;
using audit::testing::AuditLogFixture;

constexpr int64_t kAgent = 4;
constexpr int64_t kSecond = 1'000'000;
// 10:30 UTC on some day.
constexpr int64_t kNow = 1'764'000'000 / 86400 * 86400 + 10 * 3600 + 1800;

AuditEvent Consultation(AuditEventType type, int64_t at_seconds, std::string refusal = "") {
  AuditEvent event = audit::testing::SearchEvent(kAgent, {});
  event.type = type;
  event.time_unix_micros = at_seconds * kSecond;
  if (!refusal.empty()) {
    event.outcome = audit::AuditOutcome::kRefused;
    event.refusal_code = std::move(refusal);
  }
  return event;
}

// What the quota counted: answered consultations, and a file found missing
// (it pays the same); not refusals, not yesterday, not another agent's.
TEST(QuotaSeedTest, CountsWhatTheQuotaCountedInTheCurrentHourAndDay) {
  AuditLogFixture fixture;
  auto log = fixture.OpenLog();
  const int64_t midnight = kNow / 86400 * 86400;
  AuditEvent other = Consultation(AuditEventType::kFileOpening, kNow - 60);
  other.actor.agent_id = kAgent + 1;
  ASSERT_OK(log->AppendAll({
      Consultation(AuditEventType::kFileOpening, midnight - 60),            // yesterday
      Consultation(AuditEventType::kFileOpening, midnight + 60),            // today
      Consultation(AuditEventType::kFileOpening, kNow - 3000, "NotFound"),  // 09:40, pays
      Consultation(AuditEventType::kFileOpening, kNow - 600),               // this hour
      Consultation(AuditEventType::kFileOpening, kNow - 300, "NotFound"),   // this hour, pays
      Consultation(AuditEventType::kFileOpening, kNow - 200, "ResourceExhausted"),
      Consultation(AuditEventType::kSearch, kNow - 100),
      Consultation(AuditEventType::kSearch, kNow - 90, "NotFound"),  // a search never pays so
      other,
  }));
  auto files = QuotaSeedFrom(log.get())(kAgent, policy::ConsultationKind::kFileOpening, kNow);
  ASSERT_OK(files);
  EXPECT_EQ(files->day, 4);
  EXPECT_EQ(files->hour, 2);
  auto searches = QuotaSeedFrom(log.get())(kAgent, policy::ConsultationKind::kSearch, kNow);
  ASSERT_OK(searches);
  EXPECT_EQ(searches->day, 1);
  EXPECT_EQ(searches->hour, 1);
}

// More than a page of the day's events: every page is read.
TEST(QuotaSeedTest, ReadsTheDayPastOnePage) {
  AuditLogFixture fixture;
  auto log = fixture.OpenLog();
  std::vector<AuditEvent> events;
  for (int i = 0; i < 5000; ++i) {
    events.push_back(Consultation(AuditEventType::kSearch, kNow - 5000 + i));
  }
  ASSERT_OK(log->AppendAll(std::move(events)));
  auto counted = QuotaSeedFrom(log.get())(kAgent, policy::ConsultationKind::kSearch, kNow);
  ASSERT_OK(counted);
  EXPECT_EQ(counted->day, 5000);
  EXPECT_EQ(counted->hour, 1800);
}

}  // namespace
}  // namespace vigie::app::internal
