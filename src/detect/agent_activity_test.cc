#include "detect/agent_activity.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace vigie::detect {
namespace {

using audit::AuditEvent;
using audit::AuditEventType;

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kHour = 3600 * kSecond;
// 2027-01-15 08:00:00 UTC, a Friday morning.
constexpr int64_t kMorning = 1'800'000'000LL * kSecond;

DetectOptions Options() {
  auto options = DetectOptions::From(Config::Detect{});
  EXPECT_TRUE(options.has_value());
  return *options;
}

AuditEvent Event(AuditEventType type, int64_t at, std::string address = "10.1.2.3") {
  AuditEvent e;
  e.type = type;
  e.time_unix_micros = at;
  e.actor.agent_id = 7;
  e.session_id = 1;
  e.source_address = std::move(address);
  e.dpop_jkt = "key-1";
  return e;
}

AuditEvent Search(int64_t at, std::vector<int64_t> persons, std::string address = "10.1.2.3") {
  AuditEvent e = Event(AuditEventType::kSearch, at, std::move(address));
  e.person_ids = std::move(persons);
  return e;
}

std::vector<int64_t> Persons(int64_t first, int count) {
  std::vector<int64_t> ids;
  for (int i = 0; i < count; ++i) ids.push_back(first + i);
  return ids;
}

std::vector<std::string> Rules(const std::vector<Finding>& findings) {
  std::vector<std::string> names;
  for (const Finding& f : findings) names.emplace_back(RuleName(f.rule));
  return names;
}

bool Fired(const std::vector<Finding>& findings, Rule rule) {
  for (const Finding& f : findings) {
    if (f.rule == rule) return true;
  }
  return false;
}

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

TEST(AgentActivityTest, AlphabeticalSweepOfSurnamesIsEnumeration) {
  AgentActivity activity;
  DetectOptions options = Options();
  const char* names[] = {"ABADIE", "ABBAS", "ABEL", "ABGRALL", "ABIDI"};
  std::vector<Finding> findings;
  for (int i = 0; i < 5; ++i) {
    SearchTerms terms{.surname = names[i], .given_name = true};
    findings = activity.Take(Search(kMorning + i * 60 * kSecond, Persons(i, 1)), &terms, options,
                             false);
    if (i < 4) {
      EXPECT_FALSE(Fired(findings, Rule::kEnumeration));
    }
  }
  ASSERT_TRUE(Fired(findings, Rule::kEnumeration));
  EXPECT_NE(findings.front().detail.find("alphabetical"), std::string::npos);
}

// The same list walked backwards, each search under a reference of its own
// (a typed one is no inquiry's list): a sweep all the same.
TEST(AgentActivityTest, ADescendingSweepIsEnumerationToo) {
  AgentActivity activity;
  DetectOptions options = Options();
  const char* names[] = {"ABIDI", "ABGRALL", "ABEL", "ABBAS", "ABADIE"};
  std::vector<Finding> findings;
  for (int i = 0; i < 5; ++i) {
    SearchTerms terms{.surname = names[i], .given_name = true};
    AuditEvent search = Search(kMorning + i * 60 * kSecond, Persons(i, 1));
    search.case_reference = "X" + std::to_string(1000 + i);
    findings = activity.Take(search, &terms, options, false);
  }
  ASSERT_TRUE(Fired(findings, Rule::kEnumeration));
  EXPECT_NE(findings.front().detail.find("alphabetical"), std::string::npos);
}

TEST(AgentActivityTest, AlphabeticalByChanceOrWithACaseIsNotASweep) {
  DetectOptions options = Options();
  {
    // In order, but across the alphabet: an ordinary day.
    AgentActivity activity;
    const char* names[] = {"ARNAUD", "BERNARD", "DUBOIS", "MARTIN", "ROBERT", "VIDAL"};
    for (int i = 0; i < 6; ++i) {
      SearchTerms terms{.surname = names[i], .given_name = true};
      EXPECT_TRUE(activity.Take(Search(kMorning + i * 600 * kSecond, Persons(i, 1)), &terms,
                                options, false)
                      .empty());
    }
  }
  {
    // A list worked through for an inquiry, under its case reference.
    AgentActivity activity;
    const char* names[] = {"ABADIE", "ABBAS", "ABEL", "ABGRALL", "ABIDI"};
    for (int i = 0; i < 5; ++i) {
      SearchTerms terms{.surname = names[i], .given_name = true};
      AuditEvent search = Search(kMorning + i * 60 * kSecond, Persons(i, 1));
      search.case_reference = "2026/00412-PJ";
      EXPECT_FALSE(Fired(activity.Take(search, &terms, options, false), Rule::kEnumeration));
    }
  }
}

// A case reference anyone can type must not switch the sweep rule off: an
// inquiry's list is one reference and of bounded length.
TEST(AgentActivityTest, ACaseReferenceCoversAListOnlyUpToItsLength) {
  DetectOptions options = Options();
  options.enumeration_case_list = 12;
  auto surname = [](int i) {  // "AA", "AB", ... "BA": in order, across initials
    return std::string{static_cast<char>('A' + i / 26), static_cast<char>('A' + i % 26)};
  };
  {
    AgentActivity activity;
    for (int i = 0; i < 13; ++i) {
      SearchTerms terms{.surname = surname(i * 5), .given_name = true};
      AuditEvent search = Search(kMorning + i * 60 * kSecond, Persons(i, 1));
      search.case_reference = "2026/00412-PJ";
      std::vector<Finding> findings = activity.Take(search, &terms, options, false);
      EXPECT_EQ(Fired(findings, Rule::kEnumeration), i == 12) << i;
      if (i == 12) {
        ASSERT_FALSE(findings.empty());
        EXPECT_NE(findings.front().detail.find("one case reference"), std::string::npos);
      }
    }
  }
  {
    // One search out of order every sixth does not start the list anew.
    AgentActivity activity;
    bool fired = false;
    for (int i = 0; i < 30 && !fired; ++i) {
      SearchTerms terms{.surname = i % 6 == 5 ? "A" : surname(i * 5), .given_name = true};
      AuditEvent search = Search(kMorning + i * 60 * kSecond, Persons(i, 1));
      search.case_reference = "2026/00412-PJ";
      fired = Fired(activity.Take(search, &terms, options, false), Rule::kEnumeration);
    }
    EXPECT_TRUE(fired);
  }
  // Five searches walking ABADIE..ABIDI, the i-th naming `reference(i)`.
  auto sweep = [&](auto reference) {
    AgentActivity activity;
    const char* names[] = {"ABADIE", "ABBAS", "ABEL", "ABGRALL", "ABIDI"};
    std::vector<Finding> findings;
    for (int i = 0; i < 5; ++i) {
      SearchTerms terms{.surname = names[i], .given_name = true};
      AuditEvent search = Search(kMorning + i * 60 * kSecond, Persons(i, 1));
      search.case_reference = reference(i);
      findings = activity.Take(search, &terms, options, false);
    }
    return Fired(findings, Rule::kEnumeration);
  };
  // A sweep whose every search names another reference is no inquiry's list,
  EXPECT_TRUE(sweep([](int i) { return "2026/0041" + std::to_string(i) + "-PJ"; }));
  // nor is one where only some searches name one.
  EXPECT_TRUE(sweep([](int i) { return i % 2 == 0 ? std::string("2026/00412-PJ") : ""; }));
}

TEST(AgentActivityTest, OrdinarySearchesAreNotEnumeration) {
  AgentActivity activity;
  DetectOptions options = Options();
  const char* names[] = {"MARTIN", "DUBOIS", "BERNARD", "PETIT", "ROBERT",
                         "RICHARD", "DURAND", "LEROY", "MOREAU", "SIMON", "LAURENT"};
  for (int i = 0; i < 11; ++i) {
    SearchTerms terms{.surname = names[i], .given_name = true, .birth_date = "1975-03-02"};
    auto findings = activity.Take(Search(kMorning + i * 120 * kSecond, Persons(i * 3, 2)), &terms,
                                  options, false);
    EXPECT_FALSE(Fired(findings, Rule::kEnumeration)) << names[i];
  }
}

TEST(AgentActivityTest, BirthDateSweepAndMissesAreEnumeration) {
  DetectOptions options = Options();
  {
    AgentActivity activity;
    std::vector<Finding> findings;
    for (int i = 0; i < 5; ++i) {
      SearchTerms terms{.surname = "MARTIN", .given_name = false,
                        .birth_date = "1980-01-0" + std::to_string(i + 1)};
      findings = activity.Take(Search(kMorning + i * 60 * kSecond, {}), &terms, options, false);
    }
    ASSERT_TRUE(Fired(findings, Rule::kEnumeration));
    EXPECT_NE(findings.front().detail.find("birth dates"), std::string::npos);
  }
  {
    AgentActivity activity;
    std::vector<Finding> findings;
    for (int i = 0; i < 20; ++i) {
      // Full identities (linked to a purpose), in no order, mostly not found.
      SearchTerms terms{.surname = std::string(1, static_cast<char>('Z' - i)) + "ORRO",
                        .given_name = true, .birth_date = "1970-01-01"};
      findings = activity.Take(Search(kMorning + i * 60 * kSecond, i % 4 == 0 ? Persons(i, 1)
                                                                               : std::vector<int64_t>{}),
                               &terms, options, false);
      if (i < 19) {
        EXPECT_FALSE(Fired(findings, Rule::kEnumeration)) << i;
      }
    }
    ASSERT_TRUE(Fired(findings, Rule::kEnumeration));
    EXPECT_NE(findings.front().detail.find("found nobody"), std::string::npos);
  }
}

// Street checks find wanted persons only: most find nobody, as they should.
TEST(AgentActivityTest, StreetChecksThatFindNobodyWantedAreNoMisses) {
  DetectOptions options = Options();
  AgentActivity activity;
  for (int i = 0; i < 40; ++i) {
    SearchTerms terms{.surname = std::string(1, static_cast<char>('Z' - i % 26)) + "ORRO",
                      .given_name = true,
                      .birth_date = "1970-01-01",
                      .wanted_only = true};
    EXPECT_FALSE(
        Fired(activity.Take(Search(kMorning + i * 60 * kSecond, {}), &terms, options, false),
              Rule::kEnumeration))
        << i;
  }
}

TEST(AgentActivityTest, SearchesWithoutPurposeLinkAreEnumeration) {
  DetectOptions options = Options();
  AgentActivity activity;
  std::vector<Finding> findings;
  for (int i = 0; i < 20; ++i) {
    // Found, in no order, but neither a case nor a full identity.
    SearchTerms terms{.surname = std::string(1, static_cast<char>('Z' - i)) + "ORRO",
                      .given_name = true, .birth_date = "1970"};
    findings = activity.Take(Search(kMorning + i * 60 * kSecond, Persons(i, 1)), &terms, options,
                             false);
  }
  ASSERT_TRUE(Fired(findings, Rule::kEnumeration));
  EXPECT_NE(findings.front().detail.find("no plausible purpose link"), std::string::npos);
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

TEST(AgentActivityTest, RepeatedSecondFactorFailures) {
  AgentActivity activity;
  DetectOptions options = Options();
  AuditEvent failure = Event(AuditEventType::kLoginSecondFactorFailed, kMorning);
  failure.outcome = audit::AuditOutcome::kRefused;
  std::vector<Finding> findings;
  for (int i = 0; i < options.second_factor_failures; ++i) {
    failure.time_unix_micros = kMorning + i * 30 * kSecond;
    findings = activity.Take(failure, nullptr, options, false);
  }
  EXPECT_TRUE(Fired(findings, Rule::kSecondFactorFailures));
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
