#include "app/internal/detection_history.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "audit/audit_log_test_util.h"
#include "tests/support/matchers.h"

namespace vigie::app::internal {
namespace {

using audit::AuditEvent;
using audit::testing::AuditLogFixture;

constexpr int64_t kAgent = 4;
constexpr int64_t kT = 1'764'000'000'000'000;

AuditEvent Search(int64_t time_us, bool refused) {
  AuditEvent event = audit::testing::SearchEvent(kAgent, {});
  event.time_unix_micros = time_us;
  if (refused) {
    event.outcome = audit::AuditOutcome::kRefused;
    event.refusal_code = "ResourceExhausted";
  }
  return event;
}

// Events are numbered as they commit, timed as they began: one that began
// before a busy page's but committed among them is still found.
TEST(DetectionHistoryTest, LastSeenFindsAnActTimedBeforeAPageNumberedAfterIt) {
  AuditLogFixture fixture;
  auto log = fixture.OpenLog();
  std::vector<AuditEvent> events = {Search(kT + 1'000, true), Search(kT + 500, false)};
  for (int i = 0; i < 255; ++i) events.push_back(Search(kT + 1'001 + i, true));
  ASSERT_OK(log->AppendAll(std::move(events)));
  auto seen = LastSeenFrom(log.get())(kAgent, 1'000);
  ASSERT_OK(seen);
  EXPECT_EQ(*seen, kT + 500);
}

TEST(DetectionHistoryTest, HistoryIsInSequenceOrder) {
  AuditLogFixture fixture;
  auto log = fixture.OpenLog();
  ASSERT_OK(
      log->AppendAll({Search(kT + 30, false), Search(kT + 10, false), Search(kT + 20, true)}));
  auto history = HistoryFrom(log.get())(kAgent, kT, 0, 1'000);
  ASSERT_OK(history);
  ASSERT_EQ(history->size(), 3u);
  EXPECT_TRUE(std::ranges::is_sorted(*history, {}, &AuditEvent::sequence));
  EXPECT_EQ((*history)[0].time_unix_micros, kT + 30);
}

}  // namespace
}  // namespace vigie::app::internal
