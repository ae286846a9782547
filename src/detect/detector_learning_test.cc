// What the Detector learns from an agent's history on first sight: not the
// events of this node still waiting for their turn, and the searches with
// their terms.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "detect/detector.h"
#include "detect/detector_test_util.h"

namespace vigie::detect {
namespace {

using audit::AuditEvent;
using namespace detector_test;  // NOLINT: the shared helpers

bool Fired(const std::vector<Finding>& findings, Rule rule) {
  return std::ranges::any_of(findings, [&](const Finding& f) { return f.rule == rule; });
}

// A stolen session's burst from a new network: the requests reach the
// detector in any order. The one judged first must not learn the others
// (in the log, not judged yet) as the agent's habits, or new_network never
// fires.
TEST(DetectorTest, RacingEventsOfThisNodeAreJudgedNotLearnt) {
  const AuditEvent office = Search(7, 1, kNow - 86400 * kSecond, {1}, "10.0.0.9");
  const AuditEvent first = Search(7, 50, kNow, {2}, "198.51.100.4");
  const AuditEvent second = Search(7, 51, kNow + kSecond, {3}, "198.51.100.4");
  std::set<uint64_t> pending = {50, 51};
  uint64_t last_seen_before = 0;
  Detector detector(
      Options(),
      [&](int64_t, int64_t, uint64_t, uint64_t before) -> Result<std::vector<AuditEvent>> {
        std::vector<AuditEvent> past;
        for (const AuditEvent& e : {office, first, second}) {
          if (e.sequence < before) past.push_back(e);
        }
        return past;
      },
      nullptr,
      [&](int64_t, uint64_t before) -> Result<std::optional<int64_t>> {
        last_seen_before = before;
        return std::nullopt;
      },
      [&](uint64_t sequence) { return pending.contains(sequence); });
  // The second request's thread took the shard first.
  std::vector<Finding> findings = detector.Observe(second, nullptr);
  pending.erase(51);
  EXPECT_TRUE(Fired(findings, Rule::kNewNetwork));
  EXPECT_FALSE(Fired(detector.Observe(first, nullptr), Rule::kNewNetwork))
      << "fired once for the network";
  pending.erase(50);
  EXPECT_EQ(last_seen_before, 0u) << "the office search is in the window: not dormant";
}

// A dormant account woken by two requests at once is dormant whichever is
// judged first: the last sign of life is looked for before both.
TEST(DetectorTest, RacingEventsDoNotHideADormantAccount) {
  const AuditEvent first = Search(7, 50, kNow, {2});
  const AuditEvent second = Search(7, 51, kNow + kSecond, {3});
  uint64_t last_seen_before = 0;
  Detector detector(
      Options(),
      [&](int64_t, int64_t, uint64_t, uint64_t before) -> Result<std::vector<AuditEvent>> {
        if (before > 50) return std::vector<AuditEvent>{first};
        return std::vector<AuditEvent>{};
      },
      nullptr,
      [&](int64_t, uint64_t before) -> Result<std::optional<int64_t>> {
        last_seen_before = before;
        // Their last sign of life: a year ago.
        return std::optional<int64_t>(kNow - 365 * 86400 * kSecond);
      },
      [&](uint64_t sequence) { return sequence == 50; });
  EXPECT_TRUE(Fired(detector.Observe(second, nullptr), Rule::kDormant));
  EXPECT_EQ(last_seen_before, 50u);
}

// The sweep rules count searches by their terms (sealed in the log): after a
// restart, or a day away, the searches already made under a reference still
// count, so a sweep cannot be spread over restarts.
TEST(DetectorTest, TheHistorysSearchesCountWithTheirTerms) {
  DetectOptions options = Options();
  options.enumeration_case_list = 12;
  const char* shuffled[] = {"MOREL", "ABADIE", "ZELLER",  "DURAND", "PETIT",  "BLANC",  "ROUX",
                            "FAURE", "ANDRE",  "MERCIER", "GIRARD", "BONNET", "LAMBERT"};
  std::vector<AuditEvent> past;
  std::map<uint64_t, std::string> surnames;
  for (int i = 0; i < 13; ++i) {
    AuditEvent search = Search(7, static_cast<uint64_t>(i + 1), kNow + i * 60 * kSecond, {i});
    search.case_reference = "ABC/1";
    surnames[search.sequence] = shuffled[i];
    past.push_back(search);
  }
  const AuditEvent last = past.back();
  past.pop_back();
  auto judge_last = [&](bool terms_known) {
    Detector detector(
        options,
        [&](int64_t, int64_t, uint64_t, uint64_t) -> Result<std::vector<AuditEvent>> {
          return past;
        },
        nullptr, nullptr, nullptr,
        [&](const AuditEvent& search) -> std::optional<SearchTerms> {
          if (!terms_known) return std::nullopt;
          return SearchTerms{
              .surname = surnames.at(search.sequence), .given_name = true, .inquiry = true};
        });
    SearchTerms terms{.surname = surnames.at(last.sequence), .given_name = true, .inquiry = true};
    return Fired(detector.Observe(last, &terms), Rule::kEnumeration);
  };
  EXPECT_TRUE(judge_last(true)) << "the thirteenth surname under one reference";
  EXPECT_FALSE(judge_last(false)) << "without the terms, the history holds no surnames";
}

}  // namespace
}  // namespace vigie::detect
