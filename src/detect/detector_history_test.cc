// The Detector when an agent's history cannot be read: it judges what
// comes without it, reads it again a minute later, and then judges again
// only what this node judged without it, firing nothing twice.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "detect/detector.h"
#include "detect/detector_test_util.h"

namespace vigie::detect {
namespace {

using audit::AuditEvent;
using namespace detector_test;  // NOLINT: the shared helpers

TEST(DetectorTest, AnUnreadableHistoryStillJudgesWhatComes) {
  Detector detector(Options(),
                    [](int64_t, int64_t, uint64_t, uint64_t) -> Result<std::vector<AuditEvent>> {
                      return Fail(ErrorCode::kUnavailable, "disk gone");
                    });
  std::vector<Finding> findings;
  for (int i = 0; i < 3 && findings.empty(); ++i) {
    findings = detector.Observe(Search(7, static_cast<uint64_t>(i), kNow + i * kSecond,
                                       [&] {
                                         std::vector<int64_t> ids;
                                         for (int k = 0; k < 20; ++k) ids.push_back(i * 20 + k);
                                         return ids;
                                       }()),
                                nullptr);
  }
  ASSERT_FALSE(findings.empty());
  EXPECT_EQ(findings.front().rule, Rule::kDistinctPersons);
}

// A history read that failed (a busy database) is tried again a minute on,
// rather than leave the agent without a baseline until forgotten idle; the
// events judged without it meanwhile are judged again with it: a dormant
// account is still found out.
TEST(DetectorTest, AnUnreadableHistoryIsReadAgainAMinuteLater) {
  int reads = 0;
  Detector detector(
      Options(),
      [&](int64_t agent, int64_t, uint64_t, uint64_t before) -> Result<std::vector<AuditEvent>> {
        if (++reads == 1) return Fail(ErrorCode::kUnavailable, "database busy");
        // As the log holds it: the old sight, then what was judged meanwhile.
        std::vector<AuditEvent> past{Search(agent, 1, kNow - 61 * 86400 * kSecond, {1}),
                                     Search(agent, 50, kNow, {2}),
                                     Search(agent, 51, kNow + 30 * kSecond, {3})};
        std::erase_if(past, [&](const AuditEvent& e) { return e.sequence >= before; });
        return past;
      });
  EXPECT_TRUE(detector.Observe(Search(7, 50, kNow, {2}), nullptr).empty());
  EXPECT_TRUE(detector.Observe(Search(7, 51, kNow + 30 * kSecond, {3}), nullptr).empty());
  EXPECT_EQ(reads, 1) << "not again within the minute";
  auto findings = detector.Observe(Search(7, 52, kNow + 61 * kSecond, {4}), nullptr);
  EXPECT_EQ(reads, 2);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, Rule::kDormant);
  // Fired by the first event judged without the history: the alert names it.
  ASSERT_TRUE(findings[0].earlier_event.has_value());
  EXPECT_EQ(findings[0].earlier_event->sequence, 50u);
  EXPECT_TRUE(detector.Observe(Search(7, 53, kNow + 200 * kSecond, {5}), nullptr).empty());
  EXPECT_EQ(reads, 2) << "read once it could be";
}

// An agent whose history could not be read, silent for days after, is not
// forgotten as idle with the events judged without it: the next event reads
// the history and judges them again (the dormant account still found out).
TEST(DetectorTest, AnAgentJudgedWithoutHistoryIsNotForgottenIdle) {
  constexpr int64_t kShards = 64;
  int reads_of_7 = 0;
  Detector detector(
      Options(),
      [&](int64_t agent, int64_t, uint64_t, uint64_t before) -> Result<std::vector<AuditEvent>> {
        if (agent != 7) return std::vector<AuditEvent>{};
        if (++reads_of_7 == 1) return Fail(ErrorCode::kUnavailable, "database busy");
        std::vector<AuditEvent> past{Search(agent, 1, kNow - 61 * 86400 * kSecond, {1}),
                                     Search(agent, 50, kNow, {2})};
        std::erase_if(past, [&](const AuditEvent& e) { return e.sequence >= before; });
        return past;
      });
  EXPECT_TRUE(detector.Observe(Search(7, 50, kNow, {2}), nullptr).empty());
  // Two days on, another agent of the same shard: enough events to sweep it.
  const int64_t later = kNow + 2 * 86400 * kSecond;
  for (int i = 0; i < 4096; ++i) {
    detector.Observe(Search(7 + kShards, 100 + i, later + i, {}), nullptr);
  }
  auto findings = detector.Observe(Search(7, 5000, later + 5000, {3}), nullptr);
  EXPECT_EQ(reads_of_7, 2);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, Rule::kDormant);
}

// The history read again after a failure replays what was judged without
// it: a rule that already fired then (and was answered: an agent suspended,
// then reinstated) does not fire a second time for the same events.
TEST(DetectorTest, AHistoryReadAgainDoesNotFireWhatWasAlreadyFired) {
  std::vector<AuditEvent> log;
  int reads = 0;
  Detector detector(
      Options(),
      [&](int64_t, int64_t, uint64_t, uint64_t before) -> Result<std::vector<AuditEvent>> {
        if (++reads == 1) return Fail(ErrorCode::kUnavailable, "database busy");
        std::vector<AuditEvent> past = log;
        std::erase_if(past, [&](const AuditEvent& e) { return e.sequence >= before; });
        return past;
      });
  int query_rate = 0;
  auto observe = [&](const AuditEvent& event) {
    log.push_back(event);
    for (const Finding& f : detector.Observe(event, nullptr)) {
      if (f.rule == Rule::kQueryRate) ++query_rate;
    }
  };
  // A burst in the first minute, judged without the history.
  for (uint64_t i = 0; i < 40; ++i) {
    observe(Search(7, 50 + i, kNow + static_cast<int64_t>(i) * kSecond, {static_cast<int64_t>(i)}));
  }
  ASSERT_EQ(query_rate, 1);
  EXPECT_EQ(reads, 1);
  observe(Search(7, 100, kNow + 90 * kSecond, {1000}));
  EXPECT_EQ(reads, 2) << "read again after the minute";
  EXPECT_EQ(query_rate, 1) << "the burst's alert is not raised again";
}

// On a shared log, the events another node wrote meanwhile were judged by
// that node: the history read again learns them, it does not judge them.
TEST(DetectorTest, AHistoryReadAgainLeavesOtherNodesEventsToThem) {
  DetectOptions options = Options();
  options.shared_log_node = "node-a";
  std::vector<AuditEvent> log;
  int reads = 0;
  Detector detector(
      options,
      [&](int64_t, int64_t, uint64_t from, uint64_t before) -> Result<std::vector<AuditEvent>> {
        if (++reads == 1) return Fail(ErrorCode::kUnavailable, "database busy");
        std::vector<AuditEvent> past = log;
        std::erase_if(
            past, [&](const AuditEvent& e) { return e.sequence < from || e.sequence >= before; });
        return past;
      });
  AuditEvent first = Search(7, 50, kNow, {1});
  first.node_id = "node-a";
  log.push_back(first);
  EXPECT_TRUE(detector.Observe(first, nullptr).empty());
  // A burst through node B, which judged it (and raised its own alert).
  for (uint64_t i = 1; i <= 40; ++i) {
    AuditEvent burst =
        Search(7, 50 + i, kNow + static_cast<int64_t>(i) * kSecond, {static_cast<int64_t>(i)});
    burst.node_id = "node-b";
    log.push_back(burst);
  }
  AuditEvent later = Search(7, 100, kNow + 95 * kSecond, {1000});
  later.node_id = "node-a";
  log.push_back(later);
  std::vector<Rule> rules;
  for (const Finding& f : detector.Observe(later, nullptr)) rules.push_back(f.rule);
  EXPECT_GE(reads, 2);
  EXPECT_EQ(std::count(rules.begin(), rules.end(), Rule::kQueryRate), 0);
}

// On a shared log, the other nodes' events that could not be read before
// one of this node's are read before the next: a sweep spread over the
// nodes is still judged whole after a database failure.
TEST(DetectorTest, OtherNodesEventsThatCouldNotBeReadAreReadBeforeTheNextEvent) {
  DetectOptions options = Options();
  options.shared_log_node = "node-a";
  std::vector<AuditEvent> log;
  bool failing = false;
  Detector detector(options,
                    [&](int64_t, int64_t since, uint64_t from,
                        uint64_t before) -> Result<std::vector<AuditEvent>> {
                      if (failing) return Fail(ErrorCode::kUnavailable, "database busy");
                      std::vector<AuditEvent> past = log;
                      std::erase_if(past, [&](const AuditEvent& e) {
                        return e.time_unix_micros < since || e.sequence < from ||
                               e.sequence >= before;
                      });
                      return past;
                    });
  // One search every 90 s, one new person each: never a query-rate burst;
  // node A's own share of the hour's persons stays far under the floor.
  auto search = [&](uint64_t sequence, const std::string& node) {
    AuditEvent e = Search(7, sequence, kNow + static_cast<int64_t>(sequence) * 90 * kSecond,
                          {static_cast<int64_t>(sequence) + 1});
    e.node_id = node;
    log.push_back(e);
    return e;
  };
  const auto persons = static_cast<uint64_t>(Options().persons_per_hour_floor);
  EXPECT_TRUE(detector.Observe(search(0, "node-a"), nullptr).empty());
  for (uint64_t i = 1; i + 2 < persons; ++i) search(i, "node-b");
  failing = true;
  EXPECT_TRUE(detector.Observe(search(persons - 2, "node-a"), nullptr).empty());
  failing = false;
  auto distinct_persons = [&](uint64_t sequence) {
    std::vector<Finding> found = detector.Observe(search(sequence, "node-a"), nullptr);
    return std::ranges::count(found, Rule::kDistinctPersons, &Finding::rule);
  };
  EXPECT_EQ(distinct_persons(persons - 1), 0) << "the floor's persons, not more";
  EXPECT_EQ(distinct_persons(persons), 1) << "one more than the floor, most through node B";
}

}  // namespace
}  // namespace vigie::detect
