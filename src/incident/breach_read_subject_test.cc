#include <gtest/gtest.h>

#include "audit/audit_event_codec.h"
#include "incident/breach_report.h"

namespace vigie::incident {
namespace {

constexpr int64_t kT0 = 1'764'000'000'000'000;  // 2025-11-24T16:00:00Z
constexpr int64_t kHour = 3'600'000'000;

// Six keys and a dozen addresses do not fit the log's short text: the
// window still does, and each list says how many it leaves out rather than
// cutting a value.
TEST(BreachReadSubjectTest, ALongScopeKeepsItsWindowAndCountsWhatItLeavesOut) {
  BreachScope scope{.since_unix_micros = kT0, .until_unix_micros = kT0 + kHour};
  for (char c = 'a'; c < 'g'; ++c) scope.dpop_jkts.push_back(std::string(43, c));
  for (int i = 1; i <= 12; ++i) scope.source_addresses.push_back("198.51.100." + std::to_string(i));
  const std::vector<std::string> agents = {"GN-1"};
  const std::string subject = BreachReadSubject(agents, scope);
  EXPECT_LE(subject.size(), audit::kMaxAuditShortText - 40) << subject;
  EXPECT_TRUE(subject.starts_with("breach report: since 2025-11-24T16:00:00")) << subject;
  EXPECT_NE(subject.find("; until 2025-11-24T17:00:00"), std::string::npos) << subject;
  EXPECT_NE(subject.find("agents GN-1;"), std::string::npos) << subject;
  EXPECT_NE(subject.find(std::string(43, 'a')), std::string::npos) << subject;
  EXPECT_NE(subject.find(" more;"), std::string::npos) << subject;
  // Every key is there whole, or counted among those left out.
  size_t keys_whole = 0;
  for (const std::string& key : scope.dpop_jkts) keys_whole += subject.contains(key) ? 1 : 0;
  const size_t more = subject.find(" more;", subject.find("keys"));
  ASSERT_NE(more, std::string::npos);
  const size_t plus = subject.rfind('+', more);
  EXPECT_EQ(keys_whole + std::stoul(subject.substr(plus + 1, more - plus - 1)), 6u) << subject;
  // A short scope is whole.
  EXPECT_EQ(BreachReadSubject(agents, {.agent_ids = {1}}),
            "breach report: agents GN-1; agent ids 1;");
}

}  // namespace
}  // namespace vigie::incident
