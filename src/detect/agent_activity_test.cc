#include "detect/agent_activity.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "detect/agent_activity_test_util.h"

namespace vigie::detect {
namespace {

using namespace activity_test;  // NOLINT: the shared helpers
using ::testing::HasSubstr;

TEST(NetworkOfTest, GroupsAddressesByNetwork) {
  EXPECT_EQ(NetworkOf("192.0.2.17"), "192.0.2.0/24");
  EXPECT_EQ(NetworkOf("192.0.2.200"), NetworkOf("192.0.2.1"));
  EXPECT_NE(NetworkOf("192.0.3.1"), NetworkOf("192.0.2.1"));
  EXPECT_EQ(NetworkOf("2001:db8:aa:1::5"), "2001:db8:aa::/48");
  // Every spelling of one IPv6 network is one network, compressed or not.
  EXPECT_EQ(NetworkOf("2001:db8::5"), "2001:db8:0::/48");
  EXPECT_EQ(NetworkOf("2001:db8::1:0:0:5"), NetworkOf("2001:db8:0:1::5"));
  EXPECT_EQ(NetworkOf("2001:DB8:0000:0001::5"), "2001:db8:0::/48");
  EXPECT_NE(NetworkOf("2001:db8:1::5"), NetworkOf("2001:db8::5"));
  EXPECT_EQ(NetworkOf("::ffff:192.0.2.7"), "192.0.2.0/24");
  EXPECT_EQ(NetworkOf("::1"), "0:0:0::/48");
  EXPECT_EQ(NetworkOf("2001:db8::zz"), "2001:db8::zz");  // not an address: kept as sent
  EXPECT_EQ(NetworkOf("local"), "local");
}

TEST(AgentActivityTest, SweepOfCommonSurnamesIsCaughtBeforeFiftySummaries) {
  // A new agent (no baseline): the floor applies. Two full pages of 20 pass
  // 30 distinct persons, so the rule fires on the second search.
  AgentActivity activity;
  DetectOptions options = Options();
  int returned = 0;
  int64_t at = kMorning;
  bool fired = false;
  for (int i = 0; i < 10 && !fired; ++i, at += 5 * kSecond) {
    AuditEvent search = Search(at, Persons(1000 + i * 20, 20));
    returned += 20;
    auto findings = activity.Take(search, nullptr, options, false);
    fired = Fired(findings, Rule::kDistinctPersons);
    if (fired) {
      EXPECT_EQ(findings.front().action, Action::kSuspend);
    }
  }
  EXPECT_TRUE(fired);
  EXPECT_LT(returned, 50);
}

TEST(AgentActivityTest, BaselineRaisesTheThresholdForABusyAgent) {
  // Four weeks of busy hours of 25 distinct persons each.
  AgentActivity activity;
  DetectOptions options = Options();
  int64_t next_person = 1;
  for (int day = 0; day < 20; ++day) {
    int64_t hour_start = kMorning - (30 - day) * 24 * kHour;
    AuditEvent search = Search(hour_start, Persons(next_person, 25));
    next_person += 25;
    EXPECT_TRUE(activity.Take(search, nullptr, options, /*learning=*/true).empty());
  }
  // Today: 40 persons in an hour is usual for them (threshold 3 x 25 = 75).
  auto findings = activity.Take(Search(kMorning, Persons(next_person, 20)), nullptr, options, false);
  findings = activity.Take(Search(kMorning + kSecond, Persons(next_person + 20, 20)), nullptr,
                           options, false);
  EXPECT_FALSE(Fired(findings, Rule::kDistinctPersons)) << ::testing::PrintToString(Rules(findings));
  // ... but 80 is not.
  findings = activity.Take(Search(kMorning + 2 * kSecond, Persons(next_person + 40, 40)), nullptr,
                           options, false);
  EXPECT_TRUE(Fired(findings, Rule::kDistinctPersons));
}

// An agent with little history raising its own threshold: each hour spent
// just under it would have become the usual busiest hour at once, tripling
// the next hour's threshold. Hours are learnt a day later.
TEST(AgentActivityTest, HoursSpentUnderTheThresholdDoNotRaiseItTheSameDay) {
  AgentActivity activity;
  DetectOptions options = Options();
  const int64_t usual = 30;
  ASSERT_GE(usual * options.persons_per_hour_factor, options.persons_per_hour_floor);
  int64_t next_person = 1;
  for (int day = 0; day < 8; ++day) {  // eight ordinary hours on past days
    auto findings = activity.Take(
        Search(kMorning - (10 - day) * 24 * kHour, Persons(next_person, static_cast<int>(usual))),
        nullptr, options, /*learning=*/true);
    next_person += usual;
  }
  const int64_t threshold = usual * options.persons_per_hour_factor;
  // Today, an hour exactly at the threshold: no alert...
  auto findings = activity.Take(Search(kMorning, Persons(next_person, static_cast<int>(threshold))),
                                nullptr, options, false);
  EXPECT_FALSE(Fired(findings, Rule::kDistinctPersons));
  next_person += threshold;
  // ...and two hours later, more than that: still above the threshold of
  // the past days, not of today's own hour.
  findings = activity.Take(
      Search(kMorning + 2 * kHour, Persons(next_person, static_cast<int>(threshold + 1))), nullptr,
      options, false);
  EXPECT_TRUE(Fired(findings, Rule::kDistinctPersons)) << ::testing::PrintToString(Rules(findings));
}

// Hours spent just under the threshold, day after day, would raise it
// threefold each day (30, 90, 270, ...): the ceiling holds, however busy the
// agent's learnt hours.
TEST(AgentActivityTest, ABaselineRampedUpDayByDayStopsAtTheCeiling) {
  AgentActivity activity;
  DetectOptions options = Options();
  options.persons_per_hour_ceiling = 200;
  const int64_t usual = 500;  // learnt: threshold 1500 without the ceiling
  int64_t next_person = 1;
  for (int day = 0; day < 8; ++day) {
    activity.Take(
        Search(kMorning - (10 - day) * 24 * kHour, Persons(next_person, static_cast<int>(usual))),
        nullptr, options, /*learning=*/true);
    next_person += usual;
  }
  auto findings =
      activity.Take(Search(kMorning, Persons(next_person, 200)), nullptr, options, false);
  EXPECT_FALSE(Fired(findings, Rule::kDistinctPersons));
  findings =
      activity.Take(Search(kMorning + kSecond, {next_person + 200}), nullptr, options, false);
  ASSERT_TRUE(Fired(findings, Rule::kDistinctPersons));
  EXPECT_NE(findings.front().detail.find("threshold 200"), std::string::npos)
      << findings.front().detail;
}

// A stolen officer's session reads identities through investigations
// (breach reports naming their subjects, claim checks), not searches: the
// persons they name within a day are held to their own threshold.
TEST(AgentActivityTest, PersonsNamedByInvestigationsWithinADayAreHeldToTheirThreshold) {
  AgentActivity activity;
  DetectOptions options = Options();
  options.investigation_persons_per_day = 100;
  auto named = [](int64_t at, int persons, int64_t first = 1) {
    AuditEvent event = Event(AuditEventType::kAuditSearch, at);
    event.person_ids = Persons(first, persons);
    return event;
  };
  EXPECT_FALSE(Fired(activity.Take(named(kMorning, 60), nullptr, options, false),
                     Rule::kInvestigationVolume));
  // The same report again (in another format): the same persons, counted once.
  EXPECT_FALSE(Fired(activity.Take(named(kMorning, 60), nullptr, options, false),
                     Rule::kInvestigationVolume));
  // Reading the log without naming anyone counts for nothing.
  EXPECT_TRUE(
      activity
          .Take(Event(AuditEventType::kAuditSearch, kMorning + kSecond), nullptr, options, false)
          .empty());
  auto findings = activity.Take(named(kMorning + 2 * kSecond, 41, 61), nullptr, options, false);
  ASSERT_TRUE(Fired(findings, Rule::kInvestigationVolume))
      << ::testing::PrintToString(Rules(findings));
  EXPECT_NE(
      findings.front().detail.find("101 distinct persons named by investigations within a day"),
      std::string::npos)
      << findings.front().detail;
  // A day later the window holds only what came since.
  EXPECT_FALSE(Fired(activity.Take(named(kMorning + 25 * kHour, 60), nullptr, options, false),
                     Rule::kInvestigationVolume));
  EXPECT_EQ(SeverityOf(Rule::kInvestigationVolume), Severity::kHigh);
  EXPECT_EQ(Options().ActionFor(Rule::kInvestigationVolume), Action::kAlert);
}

// Reinstated after a false alarm, an agent looking again at a person it saw
// before, or finding someone after its misses, is not suspended again for
// what it did before; a new sweep is.
TEST(AgentActivityTest, AReinstatedAgentIsJudgedOnWhatItDoesNext) {
  DetectOptions options = Options();
  AgentActivity activity;
  int64_t at = kMorning;
  bool fired = false;
  for (int i = 0; i < 5 && !fired; ++i, at += 5 * kSecond) {
    fired = Fired(activity.Take(Search(at, Persons(1000 + i * 20, 20)), nullptr, options, false),
                  Rule::kDistinctPersons);
  }
  ASSERT_TRUE(fired);
  at += 5 * 60 * kSecond;  // reinstated meanwhile
  EXPECT_FALSE(
      Fired(activity.Take(Search(at, {1000}), nullptr, options, false), Rule::kDistinctPersons));
  EXPECT_TRUE(Fired(activity.Take(Search(at + kSecond, {5000}), nullptr, options, false),
                    Rule::kDistinctPersons));

  AgentActivity misses;
  bool missed = false;
  for (int i = 0; i < 20; ++i) {
    SearchTerms terms{.surname = std::string(1, static_cast<char>('Z' - i)) + "ORRO",
                      .given_name = true,
                      .birth_date = "1970-01-01"};
    missed = Fired(misses.Take(Search(kMorning + i * 60 * kSecond, {}), &terms, options, false),
                   Rule::kEnumeration) ||
             missed;
  }
  ASSERT_TRUE(missed);
  SearchTerms found{.surname = "DUPONT", .given_name = true, .birth_date = "1970-01-01"};
  EXPECT_FALSE(Fired(
      misses.Take(Search(kMorning + 30 * 60 * kSecond, Persons(7, 1)), &found, options, false),
      Rule::kEnumeration));
}

TEST(AgentActivityTest, TheSamePersonsAgainAreNotNewPersons) {
  AgentActivity activity;
  DetectOptions options = Options();
  for (int i = 0; i < 20; ++i) {
    auto findings = activity.Take(Search(kMorning + i * 60 * kSecond, Persons(1, 20)), nullptr,
                                  options, false);
    EXPECT_FALSE(Fired(findings, Rule::kDistinctPersons));
  }
}

TEST(AgentActivityTest, QueryRateCountsConsultationsWithinAMinute) {
  AgentActivity activity;
  DetectOptions options = Options();
  std::vector<Finding> findings;
  for (int i = 0; i <= options.query_rate_per_minute; ++i) {
    findings = activity.Take(Search(kMorning + i * kSecond, {}), nullptr, options, false);
    if (i < options.query_rate_per_minute) {
      EXPECT_FALSE(Fired(findings, Rule::kQueryRate));
    }
  }
  EXPECT_TRUE(Fired(findings, Rule::kQueryRate));
  // Spread over minutes, the same count is fine.
  AgentActivity calm;
  for (int i = 0; i <= 2 * options.query_rate_per_minute; ++i) {
    findings = calm.Take(Search(kMorning + i * 10 * kSecond, {}), nullptr, options, false);
    EXPECT_FALSE(Fired(findings, Rule::kQueryRate));
  }
}

// A session detection flagged is refused its consultations until it steps
// up (the API records each refusal): hammering on counts toward query_rate,
// and a refused act is never learnt from nor judged by the other rules.
TEST(AgentActivityTest, RefusedConsultationsCountTowardQueryRateOnly) {
  AgentActivity activity;
  DetectOptions options = Options();
  // History: the office network, and an act just before (so the new
  // networks below would fire new_network and concurrent_addresses were
  // the acts not refused).
  EXPECT_TRUE(
      activity.Take(Search(kMorning - 48 * kHour, {}, "10.1.2.3"), nullptr, options, true).empty());
  EXPECT_TRUE(
      activity.Take(Search(kMorning - 6 * kHour - kSecond, {}, "10.1.2.3"), nullptr, options, false)
          .empty());
  bool fired = false;
  for (int i = 0; i <= options.query_rate_per_minute; ++i) {
    // From a network never used, at night: nothing the other rules would miss.
    AuditEvent refused =
        Event(i % 2 ? AuditEventType::kFileOpening : AuditEventType::kSearch,
              kMorning - 6 * kHour + i * kSecond, "198.51.100." + std::to_string(i % 200));
    refused.outcome = audit::AuditOutcome::kRefused;
    refused.refusal_code = "PermissionDenied";
    for (const Finding& finding : activity.Take(refused, nullptr, options, false)) {
      EXPECT_EQ(finding.rule, Rule::kQueryRate) << i;
      fired = true;
    }
  }
  EXPECT_TRUE(fired);
}

TEST(AgentActivityTest, NewNetworkAndConcurrentAddresses) {
  AgentActivity activity;
  DetectOptions options = Options();
  // History: the office network.
  EXPECT_TRUE(activity.Take(Search(kMorning - 48 * kHour, {}, "10.1.2.3"), nullptr, options, true)
                  .empty());
  auto findings = activity.Take(Search(kMorning, {}, "10.1.2.9"), nullptr, options, false);
  EXPECT_TRUE(findings.empty()) << ::testing::PrintToString(Rules(findings));
  findings = activity.Take(Search(kMorning + kSecond, {}, "203.0.113.5"), nullptr, options, false);
  EXPECT_TRUE(Fired(findings, Rule::kNewNetwork));
  EXPECT_TRUE(Fired(findings, Rule::kConcurrentAddresses));
  // Fired once per realert interval.
  findings = activity.Take(Search(kMorning + 2 * kSecond, {}, "198.51.100.7"), nullptr, options,
                           false);
  EXPECT_FALSE(Fired(findings, Rule::kNewNetwork));
}

TEST(AgentActivityTest, ConcurrentAddressesCountNetworksUsedWithinTheWindowOnly) {
  AgentActivity activity;
  DetectOptions options = Options();
  const int64_t window = options.concurrent_window_seconds * kSecond;
  // A long busy stretch from the office: one network, however many uses.
  for (int i = 0; i < 2000; ++i) {
    auto findings =
        activity.Take(Search(kMorning + i * 100'000, {}, "10.1.2.3"), nullptr, options, false);
    EXPECT_FALSE(Fired(findings, Rule::kConcurrentAddresses)) << i;
  }
  const int64_t last_office = kMorning + 1999 * 100'000;
  // The office's last use is older than the window: a new network alone.
  auto findings = activity.Take(Search(last_office + window + kSecond, {}, "203.0.113.5"), nullptr,
                                options, false);
  EXPECT_TRUE(Fired(findings, Rule::kNewNetwork));
  EXPECT_FALSE(Fired(findings, Rule::kConcurrentAddresses));
  // Back at the office within the window of that use: two networks.
  findings = activity.Take(Search(last_office + window + 2 * kSecond, {}, "10.1.2.3"), nullptr,
                           options, false);
  auto concurrent = std::ranges::find(findings, Rule::kConcurrentAddresses, &Finding::rule);
  ASSERT_NE(concurrent, findings.end());
  EXPECT_NE(concurrent->detail.find("2 networks"), std::string::npos) << concurrent->detail;
}

TEST(AgentActivityTest, NetworksBeyondTheCapStayNew) {
  AgentActivity activity;
  DetectOptions options = Options();
  auto address = [](int n) {
    return "10." + std::to_string(n / 256) + "." + std::to_string(n % 256) + ".1";
  };
  // History from 5 000 networks, the first 4 096 remembered.
  for (int n = 0; n < 5000; ++n) {
    activity.Take(Search(kMorning - 48 * kHour + n * kSecond, {}, address(n)), nullptr, options,
                  true);
  }
  auto findings = activity.Take(Search(kMorning, {}, address(7)), nullptr, options, false);
  EXPECT_FALSE(Fired(findings, Rule::kNewNetwork));
  findings = activity.Take(Search(kMorning + kSecond, {}, address(4999)), nullptr, options, false);
  EXPECT_TRUE(Fired(findings, Rule::kNewNetwork));
}

TEST(AgentActivityTest, NewDeviceAtLogin) {
  AgentActivity activity;
  DetectOptions options = Options();
  AuditEvent login = Event(AuditEventType::kLoginSecondFactorOk, kMorning - 24 * kHour);
  EXPECT_TRUE(activity.Take(login, nullptr, options, true).empty());
  login.time_unix_micros = kMorning;
  EXPECT_TRUE(activity.Take(login, nullptr, options, false).empty());
  login.dpop_jkt = "key-2";
  login.time_unix_micros += kHour;
  EXPECT_TRUE(Fired(activity.Take(login, nullptr, options, false), Rule::kNewDevice));
}

// Activity older than the baseline's window still makes its key known: a
// login after a month's leave with another key is a new device.
TEST(AgentActivityTest, AKeyUsedBeforeTheBaselineWindowIsKnown) {
  DetectOptions options = Options();
  const AuditEvent earlier =
      Event(AuditEventType::kLoginSecondFactorOk, kMorning - 40 * 24 * kHour);  // key-1
  const auto first_login_with = [&](std::string key) {
    AgentActivity activity;
    activity.NoteEarlierActivity(earlier);
    AuditEvent login = earlier;
    login.time_unix_micros = kMorning;
    login.dpop_jkt = std::move(key);
    return Fired(activity.Take(login, nullptr, options, false), Rule::kNewDevice);
  };
  EXPECT_TRUE(first_login_with("key-2"));
  EXPECT_FALSE(first_login_with("key-1"));
}

TEST(AgentActivityTest, DormantAccountWakingUp) {
  AgentActivity activity;
  DetectOptions options = Options();
  activity.Take(Event(AuditEventType::kLoginSecondFactorOk, kMorning - 90 * 24 * kHour), nullptr,
                options, true);
  auto findings = activity.Take(Event(AuditEventType::kLoginSecondFactorOk, kMorning), nullptr,
                                options, false);
  ASSERT_TRUE(Fired(findings, Rule::kDormant));
  EXPECT_NE(findings.front().detail.find("90 days"), std::string::npos);
}

TEST(AgentActivityTest, OffHoursNeedsAKnownRoutine) {
  DetectOptions options = Options();
  AgentActivity activity;
  // 300 events at 10h UTC over the past weeks.
  for (int i = 0; i < 300; ++i) {
    activity.Take(Event(AuditEventType::kRefresh, kMorning - (i + 1) * 2 * kHour * 12), nullptr,
                  options, true);
  }
  EXPECT_TRUE(activity.Take(Event(AuditEventType::kRefresh, kMorning), nullptr, options, false)
                  .empty());
  auto findings =
      activity.Take(Event(AuditEventType::kRefresh, kMorning + 17 * kHour), nullptr, options, false);
  EXPECT_TRUE(Fired(findings, Rule::kOffHours));
  // Without history, nothing is unusual.
  AgentActivity fresh;
  EXPECT_TRUE(fresh.Take(Event(AuditEventType::kRefresh, kMorning + 17 * kHour), nullptr, options,
                         false)
                  .empty());
}

TEST(AgentActivityTest, OneNightsSweepDoesNotMakeItsHourUsual) {
  DetectOptions options = Options();
  AgentActivity activity;
  // 300 days of work at 8h.
  for (int i = 0; i < 300; ++i) {
    activity.Take(Event(AuditEventType::kRefresh, kMorning - (i + 1) * 24 * kHour), nullptr,
                  options, true);
  }
  // An intruder's nights at 3h, 60 searches each: far more than 1 % of the
  // events, but on one day more each night.
  const int64_t night = kMorning - 5 * kHour + 24 * kHour;
  auto sweep = [&](int n) {
    bool fired = false;
    for (int i = 0; i < 60; ++i) {
      const int64_t at = night + n * 24 * kHour + i * 30 * kSecond;
      fired |= Fired(activity.Take(Event(AuditEventType::kRefresh, at), nullptr, options, false),
                     Rule::kOffHours);
    }
    return fired;
  };
  EXPECT_TRUE(sweep(0));
  EXPECT_TRUE(sweep(1));  // 60 of 360 events at 3h, seen on one day
  EXPECT_TRUE(sweep(2));
  // Seen on three days now: the hour is the agent's (off_hours_usual_days).
  EXPECT_FALSE(sweep(3));
}

TEST(AgentActivityTest, ANewAgentsHoursAreJudgedByShareUntilTheyHaveDays) {
  DetectOptions options = Options();
  AgentActivity activity;
  // A first day of 250 events at 8h, then two more days: the history is
  // long enough (off_hours_min_events), the days too few to count.
  for (int i = 0; i < 250; ++i) {
    activity.Take(Event(AuditEventType::kRefresh, kMorning + i * 10 * kSecond), nullptr, options,
                  true);
  }
  for (int day = 1; day <= 2; ++day) {
    EXPECT_FALSE(Fired(activity.Take(Event(AuditEventType::kRefresh, kMorning + day * 24 * kHour),
                                     nullptr, options, false),
                       Rule::kOffHours));
  }
  // An hour the agent never worked is still unusual.
  EXPECT_TRUE(
      Fired(activity.Take(Event(AuditEventType::kRefresh, kMorning + 2 * 24 * kHour + 19 * kHour),
                          nullptr, options, false),
            Rule::kOffHours));
}

// Wrong codes, at login or step-up, count; a factor our side failed to
// check (a seed or stored passkey that does not open) is no one guessing.
TEST(AgentActivityTest, OnlyFactorsRefusedForTheirCodeCountAsSecondFactorFailures) {
  DetectOptions options = Options();
  for (AuditEventType type : {AuditEventType::kLoginSecondFactorFailed, AuditEventType::kStepUp}) {
    for (const char* code : {"DataLoss", "Unauthenticated"}) {
      AgentActivity activity;
      AuditEvent refused = Event(type, kMorning);
      refused.outcome = audit::AuditOutcome::kRefused;
      refused.refusal_code = code;
      std::vector<Finding> findings;
      for (int i = 0; i < options.second_factor_failures; ++i) {
        refused.time_unix_micros = kMorning + i * 30 * kSecond;
        findings = activity.Take(refused, nullptr, options, false);
      }
      EXPECT_EQ(Fired(findings, Rule::kSecondFactorFailures),
                std::string_view(code) == "Unauthenticated")
          << audit::AuditEventTypeName(type) << " " << code;
    }
  }
}

// A passkey that signed with a sign counter behind its own was copied: the
// refusal says so in its subject, and raises an alert naming the passkey.
// Other passkey refusals (a bad signature) are wrong factors only.
TEST(AgentActivityTest, APasskeyCounterThatWentBackFiresClonedPasskey) {
  DetectOptions options = Options();
  AuditEvent refused = Event(AuditEventType::kLoginSecondFactorFailed, kMorning);
  refused.outcome = audit::AuditOutcome::kRefused;
  refused.refusal_code = "Unauthenticated";
  refused.subject = "passkey=12 refused: bad signature";
  AgentActivity activity;
  EXPECT_FALSE(Fired(activity.Take(refused, nullptr, options, false), Rule::kClonedPasskey));
  refused.subject = "passkey=12 refused: " + std::string(audit::kPasskeyCounterWentBack);
  EXPECT_TRUE(activity.Take(refused, nullptr, options, /*learning=*/true).empty());
  std::vector<Finding> findings = activity.Take(refused, nullptr, options, false);
  ASSERT_TRUE(Fired(findings, Rule::kClonedPasskey));
  const auto cloned = std::ranges::find(findings, Rule::kClonedPasskey, &Finding::rule);
  EXPECT_EQ(cloned->severity, Severity::kHigh);
  EXPECT_EQ(cloned->action, Action::kAlert);
  EXPECT_TRUE(cloned->detail.starts_with("passkey=12 ")) << cloned->detail;
}

// A refresh token presented again (the session was stolen, or its client
// lost it in a race): high severity, the configured action, and learning
// from the agent's past never raises it.
TEST(AgentActivityTest, ARefreshTokenPresentedAgainFiresItsRule) {
  AgentActivity activity;
  DetectOptions options = Options();
  AuditEvent reuse = Event(AuditEventType::kRefreshReuse, kMorning);
  reuse.outcome = audit::AuditOutcome::kRefused;
  EXPECT_TRUE(activity.Take(reuse, nullptr, options, /*learning=*/true).empty());
  std::vector<Finding> findings = activity.Take(reuse, nullptr, options, false);
  ASSERT_TRUE(Fired(findings, Rule::kRefreshReuse));
  EXPECT_EQ(findings[0].severity, Severity::kHigh);
  EXPECT_EQ(findings[0].action, Action::kAlert);
}

// A spent token under a stranger's key (the session goes on) raises an
// alert and no more, whatever action is set: whoever found the token must
// not have its agent suspended. Nor does that alert spare a reuse under the
// session's key, just after, its action.
TEST(AgentActivityTest, AReuseUnderAStrangersKeyIsAnAlertAndSparesNoLaterReuse) {
  Config::Detect config;
  config.refresh_reuse_action = "suspend";
  auto options = DetectOptions::From(config);
  ASSERT_TRUE(options.has_value());
  AgentActivity activity;
  AuditEvent stranger = Event(AuditEventType::kRefreshReuse, kMorning);
  stranger.outcome = audit::AuditOutcome::kRefused;
  stranger.subject = std::string(audit::kRefreshReuseStrangerKey);
  std::vector<Finding> found = activity.Take(stranger, nullptr, *options, false);
  ASSERT_TRUE(Fired(found, Rule::kRefreshReuse));
  EXPECT_EQ(found[0].action, Action::kAlert);
  EXPECT_THAT(found[0].detail, HasSubstr("no suspend for a stranger's key"));
  // Presented again two minutes on: past a suspension's minute, within the
  // re-alert interval: no second alert.
  AuditEvent again = stranger;
  again.time_unix_micros += 120 * kSecond;
  EXPECT_FALSE(Fired(activity.Take(again, nullptr, *options, false), Rule::kRefreshReuse));

  AuditEvent owner = stranger;
  owner.subject.clear();
  owner.time_unix_micros += 1'000'000;  // within any re-alert interval
  found = activity.Take(owner, nullptr, *options, false);
  ASSERT_TRUE(Fired(found, Rule::kRefreshReuse));
  EXPECT_EQ(found[0].action, Action::kSuspend);
  EXPECT_THAT(found[0].detail, HasSubstr("the session was ended"));
}

TEST(AgentActivityTest, ActionsFollowTheConfigurationAndOffSilencesARule) {
  Config::Detect config;
  config.distinct_persons_action = "step_up";
  config.enumeration_action = "off";
  auto options = DetectOptions::From(config);
  ASSERT_TRUE(options.has_value());
  AgentActivity activity;
  std::vector<Finding> findings;
  const char* names[] = {"ABADIE", "ABBAS", "ABEL", "ABGRALL", "ABIDI"};
  for (int i = 0; i < 5; ++i) {
    SearchTerms terms{.surname = names[i]};
    auto fired = activity.Take(Search(kMorning + i * kSecond, Persons(i * 20, 20)), &terms,
                               *options, false);
    findings.insert(findings.end(), fired.begin(), fired.end());
  }
  EXPECT_FALSE(Fired(findings, Rule::kEnumeration));
  ASSERT_TRUE(Fired(findings, Rule::kDistinctPersons));
  EXPECT_EQ(findings.front().action, Action::kStepUp);
}

// The re-alert interval holds back alerts, not suspensions: an agent back at
// work (reinstated, or its suspension failed) and sweeping again within the
// hour is suspended again.
TEST(AgentActivityTest, ASuspendingRuleFiresAgainWithinTheRealertInterval) {
  auto sweep = [](AgentActivity& activity, int64_t from, const DetectOptions& options) {
    bool fired = false;
    for (int i = 0; i <= options.query_rate_per_minute; ++i) {
      fired = Fired(activity.Take(Search(from + i * kSecond, {}), nullptr, options, false),
                    Rule::kQueryRate) ||
              fired;
    }
    return fired;
  };
  Config::Detect config;
  config.query_rate_action = "suspend";
  auto suspending = DetectOptions::From(config);
  ASSERT_TRUE(suspending.has_value());
  AgentActivity suspended;
  EXPECT_TRUE(sweep(suspended, kMorning, *suspending));
  // Not for the requests still in flight when it fired...
  EXPECT_FALSE(sweep(suspended, kMorning + 31 * kSecond, *suspending));
  // ...but for a sweep ten minutes on.
  EXPECT_TRUE(sweep(suspended, kMorning + 600 * kSecond, *suspending));
  // An alert-only rule keeps its interval.
  config.query_rate_action = "alert";
  auto alerting = DetectOptions::From(config);
  ASSERT_TRUE(alerting.has_value());
  AgentActivity alerted;
  EXPECT_TRUE(sweep(alerted, kMorning, *alerting));
  EXPECT_FALSE(sweep(alerted, kMorning + 600 * kSecond, *alerting));
}

TEST(DetectOptionsTest, RefusesAnUnknownAction) {
  Config::Detect config;
  config.canary_action = "shout";
  EXPECT_FALSE(DetectOptions::From(config).has_value());
}

}  // namespace
}  // namespace vigie::detect
