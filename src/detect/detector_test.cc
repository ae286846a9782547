#include "detect/detector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "detect/detector_test_util.h"

namespace vigie::detect {
namespace {

using audit::AuditEvent;
using audit::AuditEventType;
using namespace detector_test;  // NOLINT: the shared helpers

TEST(DetectorTest, LearnsTheAgentsHistoryOnFirstSightOnly) {
  int loads = 0;
  int64_t asked_since = 0;
  uint64_t asked_before = 0;
  Detector detector(Options(),
                    [&](int64_t agent, int64_t since, uint64_t,
                        uint64_t before) -> Result<std::vector<AuditEvent>> {
                      ++loads;
                      asked_since = since;
                      asked_before = before;
                      // The agent always worked from the office network.
                      return std::vector<AuditEvent>{Search(agent, 1, kNow - 86400 * kSecond, {1})};
                    });
  auto findings = detector.Observe(Search(7, 50, kNow, {2}, "10.0.0.9"), nullptr);
  EXPECT_TRUE(findings.empty());
  EXPECT_EQ(loads, 1);
  EXPECT_EQ(asked_before, 50u);
  // The baseline's 28 days, and back to the dormancy horizon (60 days and one).
  EXPECT_EQ(asked_since, kNow - 61 * 86400 * kSecond);
  findings = detector.Observe(Search(7, 51, kNow + kSecond, {3}, "198.51.100.4"), nullptr);
  ASSERT_FALSE(findings.empty());
  EXPECT_EQ(findings.front().rule, Rule::kNewNetwork);
  EXPECT_EQ(loads, 1);
}

// After a restart (or on another node), an alert the log holds for the agent
// still holds back the same rule for the re-alert interval: no second alert,
// step-up or suspension for what was already answered.
TEST(DetectorTest, AnAlertInTheHistoryHoldsBackItsRuleAfterARestart) {
  auto first_rules = [](bool alert_in_history) {
    Detector detector(
        Options(),
        [&](int64_t agent, int64_t, uint64_t, uint64_t) -> Result<std::vector<AuditEvent>> {
          std::vector<AuditEvent> past{Search(agent, 1, kNow - 86400 * kSecond, {1})};
          if (alert_in_history) {
            AuditEvent raised;
            raised.sequence = 2;
            raised.type = AuditEventType::kAlertRaised;
            raised.time_unix_micros = kNow - 600 * kSecond;
            raised.actor.agent_id = agent;
            raised.subject = AlertRaisedSubject(5, "new_network", "alert");
            past.push_back(raised);
          }
          return past;
        });
    std::vector<Rule> rules;
    for (const Finding& f : detector.Observe(Search(7, 50, kNow, {2}, "198.51.100.4"), nullptr)) {
      rules.push_back(f.rule);
    }
    return rules;
  };
  EXPECT_EQ(first_rules(false), std::vector<Rule>{Rule::kNewNetwork});
  EXPECT_TRUE(first_rules(true).empty());
}

TEST(DetectorTest, AnAlertRaisedSubjectNamesItsRule) {
  EXPECT_EQ(AlertRaisedSubject(12, "query_rate", "suspend"), "alert 12: query_rate, suspend");
  EXPECT_EQ(RuleOfAlertRaised(AlertRaisedSubject(12, "query_rate", "suspend")), Rule::kQueryRate);
  EXPECT_EQ(RuleOfAlertRaised("alert 3: canary, alert"), Rule::kCanary);
  for (std::string_view other : {"", "alert 3", "alert 3: ", "alert 3: no_such_rule, alert",
                                 "acknowledged 3: canary, alert", "alert 3:canary, alert"}) {
    EXPECT_EQ(RuleOfAlertRaised(other), std::nullopt) << other;
  }
}

TEST(DetectorTest, ADormantAccountIsKnownFromBeyondTheBaselineWindow) {
  Detector detector(
      Options(), [](int64_t agent, int64_t, uint64_t, uint64_t) -> Result<std::vector<AuditEvent>> {
        // Last seen 61 days ago, outside the 28-day baseline.
        return std::vector<AuditEvent>{Search(agent, 1, kNow - 61 * 86400 * kSecond, {1})};
      });
  // From another network: dormant, and a network the agent never used (its
  // network is known from beyond the baseline too).
  auto findings = detector.Observe(Search(7, 50, kNow, {2}, "198.51.100.4"), nullptr);
  std::vector<Rule> rules;
  for (const Finding& finding : findings) rules.push_back(finding.rule);
  std::ranges::sort(rules);
  EXPECT_EQ(rules, (std::vector<Rule>{Rule::kNewNetwork, Rule::kDormant}));
}

// An agent back after more than the baseline's days, short of dormancy (a
// month's leave): the network it used before is known, so an intruder's
// first use from elsewhere is a new network, not learnt as its habit; the
// agent's own return from the office is not.
TEST(DetectorTest, AnAgentBackAfterTheBaselineWindowStillKnowsItsNetworks) {
  const auto back_from = [](std::string address) {
    Detector detector(
        Options(),
        [](int64_t agent, int64_t, uint64_t, uint64_t) -> Result<std::vector<AuditEvent>> {
          return std::vector<AuditEvent>{
              Search(agent, 1, kNow - 40 * 86400 * kSecond, {1})};  // the office
        });
    std::vector<Rule> rules;
    for (const Finding& f : detector.Observe(Search(7, 50, kNow, {2}, address), nullptr)) {
      rules.push_back(f.rule);
    }
    return rules;
  };
  EXPECT_EQ(back_from("198.51.100.4"), std::vector<Rule>{Rule::kNewNetwork});
  EXPECT_EQ(back_from("10.0.0.9"), std::vector<Rule>{});  // the office's network
}

// An account silent for longer than the history read on first sight (the
// baseline and the dormancy horizon): its last sign of life is asked for
// on its own, so waking up after 90 days is seen as it is after 61.
TEST(DetectorTest, AnAccountSilentBeyondTheHistoryReadIsDormantToo) {
  int asked = 0;
  uint64_t asked_before = 0;
  Detector detector(
      Options(),
      [](int64_t agent, int64_t since, uint64_t, uint64_t) -> Result<std::vector<AuditEvent>> {
        const AuditEvent last = Search(agent, 1, kNow - 90 * 86400 * kSecond, {1});
        if (last.time_unix_micros < since) return std::vector<AuditEvent>{};
        return std::vector<AuditEvent>{last};
      },
      nullptr,
      [&](int64_t, uint64_t before) -> Result<std::optional<int64_t>> {
        ++asked;
        asked_before = before;
        return kNow - 90 * 86400 * kSecond;
      });
  auto findings = detector.Observe(Search(7, 50, kNow, {2}), nullptr);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, Rule::kDormant);
  EXPECT_NE(findings[0].detail.find("90 days"), std::string::npos) << findings[0].detail;
  EXPECT_EQ(asked, 1);
  EXPECT_EQ(asked_before, 50u);
}

// A wrong second-factor code just before the right one is no sign of life:
// the login that follows still wakes a dormant account, and the alarm rings.
TEST(DetectorTest, AWrongCodeDoesNotHideDormancy) {
  Detector detector(
      Options(),
      [](int64_t, int64_t, uint64_t, uint64_t) -> Result<std::vector<AuditEvent>> {
        return std::vector<AuditEvent>{};
      },
      nullptr,
      [](int64_t, uint64_t) -> Result<std::optional<int64_t>> {
        return kNow - 90 * 86400 * kSecond;
      });
  AuditEvent wrong = Search(7, 10, kNow, {});
  wrong.type = AuditEventType::kLoginSecondFactorFailed;
  wrong.outcome = audit::AuditOutcome::kRefused;
  EXPECT_TRUE(detector.Observe(wrong, nullptr).empty());
  AuditEvent login = Search(7, 11, kNow + 10 * kSecond, {});
  login.type = AuditEventType::kLoginSecondFactorOk;
  auto findings = detector.Observe(login, nullptr);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, Rule::kDormant);
}

// The same when the agent's state is rebuilt from the log (another node, or
// after being forgotten idle): a history holding only a refused attempt
// still asks when they last acted, and the login wakes a dormant account.
TEST(DetectorTest, ARefusedAttemptInTheHistoryDoesNotHideDormancy) {
  Detector detector(
      Options(),
      [](int64_t agent, int64_t, uint64_t, uint64_t) -> Result<std::vector<AuditEvent>> {
        AuditEvent wrong = Search(agent, 10, kNow - 10 * kSecond, {});
        wrong.type = AuditEventType::kLoginSecondFactorFailed;
        wrong.outcome = audit::AuditOutcome::kRefused;
        return std::vector<AuditEvent>{wrong};
      },
      nullptr,
      [](int64_t, uint64_t) -> Result<std::optional<int64_t>> {
        return kNow - 90 * 86400 * kSecond;
      });
  AuditEvent login = Search(7, 11, kNow, {});
  login.type = AuditEventType::kLoginSecondFactorOk;
  auto findings = detector.Observe(login, nullptr);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, Rule::kDormant);
}

// An account activated and never used is dormant too: its activation is its
// last sign of life. Only then: an account reset and activated again (its
// code maybe intercepted) is judged on when it last acted.
TEST(DetectorTest, AnAccountActivatedLongAgoAndNeverUsedIsDormant) {
  auto activated = [](int64_t agent, int64_t days_ago) {
    AuditEvent activation = Search(agent, 1, kNow - days_ago * 86400 * kSecond, {});
    activation.type = AuditEventType::kActivation;
    return activation;
  };
  EXPECT_TRUE(Detector::IsActivation(activated(7, 1)));
  EXPECT_FALSE(Detector::IsSignOfLife(activated(7, 1)));
  AuditEvent refused = activated(7, 1);
  refused.outcome = audit::AuditOutcome::kRefused;
  EXPECT_FALSE(Detector::IsActivation(refused));

  AuditEvent login = Search(7, 50, kNow, {});
  login.type = AuditEventType::kLoginSecondFactorOk;
  auto history_of = [&](int64_t days_ago) {
    return [&, days_ago](int64_t agent, int64_t, uint64_t,
                         uint64_t) -> Result<std::vector<AuditEvent>> {
      return std::vector<AuditEvent>{activated(agent, days_ago)};
    };
  };
  auto never_acted = [](int64_t, uint64_t) -> Result<std::optional<int64_t>> {
    return std::nullopt;
  };
  // Activated 61 days ago, in the history read, never used.
  Detector in_history(Options(), history_of(61), nullptr, never_acted);
  auto findings = in_history.Observe(login, nullptr);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, Rule::kDormant);
  // Without a last-sight lookup, the same.
  Detector without_lookup(Options(), history_of(61));
  findings = without_lookup.Observe(login, nullptr);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, Rule::kDormant);
  // Activated yesterday: the login that follows is no waking.
  Detector fresh(Options(), history_of(1), nullptr, never_acted);
  EXPECT_TRUE(fresh.Observe(login, nullptr).empty());
  // Activated again yesterday after a reset, last active 100 days ago: dormant.
  Detector reset(Options(), history_of(1), nullptr,
                 [](int64_t, uint64_t) -> Result<std::optional<int64_t>> {
                   return kNow - 100 * 86400 * kSecond;
                 });
  findings = reset.Observe(login, nullptr);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, Rule::kDormant);
}

TEST(DetectorTest, ANewAgentIsNotDormantAndTheLastSightIsAskedOnlyWithoutHistory) {
  int asked = 0;
  auto last_seen = [&](int64_t, uint64_t) -> Result<std::optional<int64_t>> {
    ++asked;
    return std::nullopt;
  };
  Detector fresh(
      Options(),
      [](int64_t, int64_t, uint64_t, uint64_t) -> Result<std::vector<AuditEvent>> {
        return std::vector<AuditEvent>{};
      },
      nullptr, last_seen);
  EXPECT_TRUE(fresh.Observe(Search(7, 50, kNow, {2}), nullptr).empty());
  EXPECT_EQ(asked, 1);
  Detector known(
      Options(),
      [](int64_t agent, int64_t, uint64_t, uint64_t) -> Result<std::vector<AuditEvent>> {
        return std::vector<AuditEvent>{Search(agent, 1, kNow - 86400 * kSecond, {1})};
      },
      nullptr, last_seen);
  EXPECT_TRUE(known.Observe(Search(7, 50, kNow, {2}), nullptr).empty());
  EXPECT_EQ(asked, 1) << "the history already held the last sight";
}

TEST(DetectorTest, AnAgentIdleForADayIsForgottenAndLearntAgain) {
  int loads = 0;
  Detector detector(Options(),
                    [&](int64_t, int64_t, uint64_t, uint64_t) -> Result<std::vector<AuditEvent>> {
                      ++loads;
                      return std::vector<AuditEvent>{};
                    });
  constexpr int64_t kShards = 64;
  detector.Observe(Search(kShards, 1, kNow, {1}), nullptr);  // agent 64, then silent
  // 4096 events of another agent of the same shard, two days later.
  for (int i = 0; i < 4096; ++i) {
    detector.Observe(Search(2 * kShards, 2 + i, kNow + 2 * 86400 * kSecond + i, {}), nullptr);
  }
  EXPECT_EQ(loads, 2);
  detector.Observe(Search(kShards, 5000, kNow + 2 * 86400 * kSecond + 5000, {1}), nullptr);
  EXPECT_EQ(loads, 3);  // read again
}

TEST(DetectorTest, CanaryFiresForAnyoneEveryTime) {
  Detector detector(Options(), nullptr);
  detector.SetCanaries({424242});
  EXPECT_TRUE(detector.Observe(Search(7, 1, kNow, {1, 2}), nullptr).empty());
  for (int i = 0; i < 2; ++i) {
    auto findings = detector.Observe(Search(7, 2 + i, kNow + i, {1, 424242}), nullptr);
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].rule, Rule::kCanary);
    EXPECT_EQ(findings[0].severity, Severity::kCritical);
    EXPECT_EQ(findings[0].action, Action::kSuspend);
    EXPECT_NE(findings[0].detail.find("424242"), std::string::npos);
  }
  // The local operator (agent 0) too; refused events returned nothing.
  EXPECT_EQ(detector.Observe(Search(0, 9, kNow, {424242}), nullptr).size(), 1u);
  AuditEvent refused = Search(7, 10, kNow, {424242});
  refused.outcome = audit::AuditOutcome::kRefused;
  EXPECT_TRUE(detector.Observe(refused, nullptr).empty());
}

TEST(DetectorTest, IgnoresWhatIsNotAnAgentsOwnActivity) {
  Detector detector(Options(), nullptr);
  for (int i = 0; i < 100; ++i) {
    AuditEvent admin = Search(7, static_cast<uint64_t>(i), kNow + i, {i});
    admin.type = AuditEventType::kAgentSuspended;
    EXPECT_TRUE(detector.Observe(admin, nullptr).empty());
  }
}

TEST(DetectorTest, DisabledDetectsNothing) {
  Config::Detect config;
  config.enabled = false;
  Detector detector(*DetectOptions::From(config), nullptr);
  detector.SetCanaries({5});
  EXPECT_TRUE(detector.Observe(Search(7, 1, kNow, {5}), nullptr).empty());
}

TEST(DetectorTest, AgentsAreJudgedApartFromSeveralThreads) {
  Detector detector(Options(), nullptr);
  std::atomic<int> distinct_persons_alerts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int agent = 1 + t * 25; agent <= 25 + t * 25; ++agent) {
        for (int i = 0; i < 3; ++i) {
          std::vector<int64_t> persons;
          for (int k = 0; k < 20; ++k) persons.push_back(agent * 1000 + i * 20 + k);
          for (const Finding& f : detector.Observe(Search(agent, 0, kNow + i, persons), nullptr)) {
            if (f.rule == Rule::kDistinctPersons) ++distinct_persons_alerts;
          }
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(distinct_persons_alerts.load(), 100);  // once per agent
}

// A shared log as node A sees it: the agent's events in a window, and
// whether another node wrote between two sequences; counts the reads.
struct SharedLog {
  std::vector<AuditEvent> events;
  int reads = 0;

  Detector::History History() {
    return [this](int64_t agent, int64_t since, uint64_t after,
                  uint64_t before) -> Result<std::vector<AuditEvent>> {
      ++reads;
      std::vector<AuditEvent> found;
      for (const AuditEvent& e : events) {
        if (e.actor.agent_id == agent && e.time_unix_micros >= since && e.sequence >= after &&
            e.sequence < before) {
          found.push_back(e);
        }
      }
      return found;
    };
  }
  // As AuditLog::ForeignEventsOf: the other node's events, without a read
  // of the agent's history (counted apart).
  int foreign_reads = 0;
  Detector::Foreign Foreign() {
    return [this](int64_t agent, uint64_t after,
                  uint64_t before) -> Result<std::optional<std::vector<AuditEvent>>> {
      ++foreign_reads;
      std::vector<AuditEvent> found;
      for (const AuditEvent& e : events) {
        if (e.actor.agent_id == agent && e.sequence > after && e.sequence < before &&
            e.node_id != "node-a") {
          found.push_back(e);
        }
      }
      return found;
    };
  }
};

// Two nodes on one log: each judges its own events, knowing the other's.
// An agent's sweep split across them (2 persons a search, alternately on
// each node) is caught when the whole of it crosses the threshold, not when
// one node's half does.
int FirstDistinctPersonsAlert(const std::string& shared_log_node, bool foreign_known = false) {
  DetectOptions options = Options();
  options.shared_log_node = shared_log_node;
  SharedLog log;
  Detector node_a(options, log.History(), foreign_known ? log.Foreign() : nullptr);
  for (int i = 0; i < 100; ++i) {
    AuditEvent search = Search(7, static_cast<uint64_t>(i), kNow + i * kSecond, {2 * i, 2 * i + 1});
    search.node_id = i % 2 == 0 ? "node-b" : "node-a";
    log.events.push_back(search);
    if (search.node_id != "node-a") continue;
    for (const Finding& finding : node_a.Observe(search, nullptr)) {
      if (finding.rule == Rule::kDistinctPersons) return i;
    }
  }
  return -1;
}

TEST(DetectorTest, ASweepSpreadOverTwoNodesIsJudgedWhole) {
  const int shared = FirstDistinctPersonsAlert("node-a");
  const int alone = FirstDistinctPersonsAlert("");
  ASSERT_GT(shared, 0);
  // Whole: fired once the sweep's persons (2 per search, i + 1 searches)
  // passed the hourly floor, while node A's own half was still under it.
  EXPECT_GT(2 * (shared + 1), Options().persons_per_hour_floor);
  EXPECT_LE((shared + 1), Options().persons_per_hour_floor);
  // Without the shared log, node A sees only its half, and later.
  EXPECT_GT(alone, shared);
  // Learning the other node's events without reading the agent's history
  // changes nothing to the judgement.
  EXPECT_EQ(FirstDistinctPersonsAlert("node-a", /*foreign_known=*/true), shared);
}

TEST(DetectorTest, CatchingUpTakesTheOtherNodesEventsWithoutReadingTheAgentsHistory) {
  DetectOptions options = Options();
  options.shared_log_node = "node-a";
  SharedLog log;
  Detector node_a(options, log.History(), log.Foreign());
  uint64_t sequence = 0;
  auto append = [&](int64_t agent, const std::string& node, int64_t person) {
    AuditEvent search =
        Search(agent, sequence, kNow + static_cast<int64_t>(sequence) * kSecond, {person});
    ++sequence;
    search.node_id = node;
    log.events.push_back(search);
    return search;
  };
  // Agents 7 and 8 alternate, node B serving one search in three: node A
  // reads each agent's history once, when it first meets them.
  for (int i = 0; i < 30; ++i) {
    const int64_t agent = i % 2 == 0 ? 7 : 8;
    AuditEvent search = append(agent, i % 3 == 0 ? "node-b" : "node-a", i);
    if (search.node_id == "node-a") node_a.Observe(search, nullptr);
  }
  EXPECT_EQ(log.reads, 2);
  EXPECT_GT(log.foreign_reads, 0);
}

// Another node's alert about the agent, learnt while catching up, holds back
// the same rule here: one alert (and one step-up) for one finding.
TEST(DetectorTest, AnAlertRaisedByAnotherNodeHoldsBackItsRuleHere) {
  auto rules_on_node_a = [](bool other_node_alerted) {
    DetectOptions options = Options();
    options.shared_log_node = "node-a";
    SharedLog log;
    log.events.push_back(Search(7, 0, kNow - 86400 * kSecond, {1}));  // the office, yesterday
    log.events.back().node_id = "node-a";
    Detector node_a(options, log.History(), log.Foreign());
    AuditEvent office = Search(7, 1, kNow, {2});
    office.node_id = "node-a";
    log.events.push_back(office);
    EXPECT_TRUE(node_a.Observe(office, nullptr).empty());
    // Node B judged a search from elsewhere and raised new_network.
    AuditEvent elsewhere = Search(7, 2, kNow + kSecond, {3}, "198.51.100.4");
    elsewhere.node_id = "node-b";
    log.events.push_back(elsewhere);
    if (other_node_alerted) {
      AuditEvent raised;
      raised.sequence = 3;
      raised.node_id = "node-b";
      raised.type = AuditEventType::kAlertRaised;
      raised.time_unix_micros = kNow + kSecond;
      raised.actor.agent_id = 7;
      raised.subject = AlertRaisedSubject(9, "new_network", "alert");
      log.events.push_back(raised);
    }
    AuditEvent again = Search(7, 4, kNow + 2 * kSecond, {4}, "203.0.113.9");
    again.node_id = "node-a";
    log.events.push_back(again);
    std::vector<Rule> rules;
    for (const Finding& f : node_a.Observe(again, nullptr)) rules.push_back(f.rule);
    return rules;
  };
  const std::vector<Rule> fired = rules_on_node_a(false);
  EXPECT_NE(std::ranges::find(fired, Rule::kNewNetwork), fired.end());
  const std::vector<Rule> held = rules_on_node_a(true);
  EXPECT_EQ(std::ranges::find(held, Rule::kNewNetwork), held.end());
}

// When the other node's stretch is not known (ForeignEventsOf's nullopt), or
// cannot be read, the agent's history is read instead.
TEST(DetectorTest, CatchingUpReadsTheHistoryWhenTheOtherNodesEventsAreNotKnown) {
  DetectOptions options = Options();
  options.shared_log_node = "node-a";
  for (bool failing : {false, true}) {
    SharedLog log;
    Detector node_a(
        options, log.History(),
        [&](int64_t, uint64_t, uint64_t) -> Result<std::optional<std::vector<AuditEvent>>> {
          if (failing) return Fail(ErrorCode::kUnavailable, "no reader");
          return std::nullopt;
        });
    for (uint64_t i = 0; i < 4; ++i) {
      AuditEvent search =
          Search(7, i, kNow + static_cast<int64_t>(i) * kSecond, {static_cast<int64_t>(i)});
      search.node_id = i % 2 == 0 ? "node-a" : "node-b";
      log.events.push_back(search);
      if (search.node_id == "node-a") node_a.Observe(search, nullptr);
    }
    EXPECT_EQ(log.reads, 2) << "failing " << failing;  // first sight, then the catch-up
  }
}

// Nodes' clocks may differ by up to 30 s: another node's event stamped that
// far before this node's last one is still caught up on when the history is
// read (its number alone says it is new).
TEST(DetectorTest, CatchingUpFromTheHistoryAllowsForTheNodesClocksDiffering) {
  DetectOptions options = Options();
  options.shared_log_node = "node-a";
  SharedLog log;
  Detector node_a(
      options, log.History(),
      [](int64_t, uint64_t, uint64_t) -> Result<std::optional<std::vector<AuditEvent>>> {
        return std::nullopt;  // not known: the history is read
      });
  auto on = [&](uint64_t sequence, std::string node, int64_t at, std::string address) {
    AuditEvent search = Search(7, sequence, at, {static_cast<int64_t>(sequence)}, address);
    search.node_id = std::move(node);
    log.events.push_back(search);
    return search;
  };
  on(1, "node-a", kNow - 86400 * kSecond, "10.0.0.1");  // the agent's office
  EXPECT_TRUE(node_a.Observe(on(2, "node-a", kNow, "10.0.0.1"), nullptr).empty());
  // Node B, its clock 25 s behind, judged (and alerted on) this new network.
  on(3, "node-b", kNow - 25 * kSecond + kSecond, "198.51.100.4");
  const std::vector<Finding> findings =
      node_a.Observe(on(4, "node-a", kNow + 2 * kSecond, "198.51.100.4"), nullptr);
  EXPECT_TRUE(std::ranges::none_of(findings, [](const Finding& f) {
    return f.rule == Rule::kNewNetwork;
  })) << "node B's event was learnt: the network is known";
}

}  // namespace
}  // namespace vigie::detect
