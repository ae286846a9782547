// AgentActivity's enumeration rule: lists of names or birth dates swept in
// order, searches finding nobody, searches with no purpose link, and the
// case reference that covers an inquiry's list only up to its length.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "detect/agent_activity.h"
#include "detect/agent_activity_test_util.h"

namespace vigie::detect {
namespace {

using namespace activity_test;  // NOLINT: the shared helpers

TEST(AgentActivityTest, AlphabeticalSweepOfSurnamesIsEnumeration) {
  AgentActivity activity;
  DetectOptions options = Options();
  const char* names[] = {"ABADIE", "ABBAS", "ABEL", "ABGRALL", "ABIDI"};
  std::vector<Finding> findings;
  for (int i = 0; i < 5; ++i) {
    SearchTerms terms{.surname = names[i], .given_name = true};
    findings =
        activity.Take(Search(kMorning + i * 60 * kSecond, Persons(i, 1)), &terms, options, false);
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
    SearchTerms terms{.surname = names[i], .given_name = true, .inquiry = true};
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
      EXPECT_TRUE(
          activity.Take(Search(kMorning + i * 600 * kSecond, Persons(i, 1)), &terms, options, false)
              .empty());
    }
  }
  {
    // A list worked through for an inquiry, under its case reference.
    AgentActivity activity;
    const char* names[] = {"ABADIE", "ABBAS", "ABEL", "ABGRALL", "ABIDI"};
    for (int i = 0; i < 5; ++i) {
      SearchTerms terms{.surname = names[i], .given_name = true, .inquiry = true};
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
      SearchTerms terms{.surname = surname(i * 5), .given_name = true, .inquiry = true};
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
      SearchTerms terms{
          .surname = i % 6 == 5 ? "A" : surname(i * 5), .given_name = true, .inquiry = true};
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
      SearchTerms terms{.surname = names[i], .given_name = true, .inquiry = true};
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

// Shuffled, a list under one typed reference walks no order at all: it is
// its length in different surnames that no inquiry's list reaches. The same
// few names searched again and again under a case are an inquiry.
TEST(AgentActivityTest, ASweepShuffledUnderOneReferenceIsEnumerationByItsSurnames) {
  DetectOptions options = Options();
  options.enumeration_case_list = 12;
  const char* shuffled[] = {"MOREL", "ABADIE", "ZELLER",  "DURAND", "PETIT",  "BLANC",  "ROUX",
                            "FAURE", "ANDRE",  "MERCIER", "GIRARD", "BONNET", "LAMBERT"};
  {
    AgentActivity activity;
    for (int i = 0; i < 13; ++i) {
      SearchTerms terms{.surname = shuffled[i], .given_name = true, .inquiry = true};
      AuditEvent search = Search(kMorning + i * 60 * kSecond, Persons(i, 1));
      search.case_reference = "ABC/1";
      std::vector<Finding> findings = activity.Take(search, &terms, options, false);
      EXPECT_EQ(Fired(findings, Rule::kEnumeration), i == 12) << i;
      if (i == 12) {
        ASSERT_FALSE(findings.empty());
        EXPECT_NE(findings.front().detail.find("different surnames searched under one case"),
                  std::string::npos)
            << findings.front().detail;
      }
    }
  }
  {
    // Twelve people a day under one case, for two days: never a list.
    AgentActivity activity;
    for (int i = 0; i < 24; ++i) {
      SearchTerms terms{.surname = i < 12 ? shuffled[i] : std::string(shuffled[i - 12]) + "E",
                        .given_name = true,
                        .inquiry = true};
      AuditEvent search =
          Search(kMorning + (i < 12 ? 0 : 25 * kHour) + i * 60 * kSecond, Persons(i, 1));
      search.case_reference = "2026/00412-PJ";
      EXPECT_FALSE(Fired(activity.Take(search, &terms, options, false), Rule::kEnumeration)) << i;
    }
  }
  {
    AgentActivity activity;
    for (int i = 0; i < 60; ++i) {  // three suspects, sixty searches
      SearchTerms terms{.surname = shuffled[i % 3], .given_name = true, .inquiry = true};
      AuditEvent search = Search(kMorning + i * 60 * kSecond, Persons(i % 3, 1));
      search.case_reference = "2026/00412-PJ";
      EXPECT_FALSE(Fired(activity.Take(search, &terms, options, false), Rule::kEnumeration)) << i;
    }
  }
}

// References are remembered up to a bound: typing many throwaway ones
// forgets those, not the one a sweep runs under.
TEST(AgentActivityTest, ThrowawayReferencesDoNotWipeASweepsCounts) {
  DetectOptions options = Options();
  options.enumeration_case_list = 12;
  options.enumeration_case_references = 100000;
  AgentActivity activity;
  int64_t at = kMorning;
  auto search = [&](const std::string& surname, const std::string& reference, bool learning) {
    SearchTerms terms{.surname = surname, .given_name = true, .inquiry = true};
    at += 30 * kSecond;
    AuditEvent event = Search(at, Persons(1, 1));  // one person: no other rule to fire
    event.case_reference = reference;
    return activity.Take(event, &terms, options, learning);
  };
  const char* shuffled[] = {"MOREL", "ABADIE", "ZELLER",  "DURAND", "PETIT",  "BLANC",  "ROUX",
                            "FAURE", "ANDRE",  "MERCIER", "GIRARD", "BONNET", "LAMBERT"};
  for (int i = 0; i < 12; ++i) {
    EXPECT_FALSE(Fired(search(shuffled[i], "ABC/1", false), Rule::kEnumeration)) << i;
  }
  // Seen, not judged (what they would fire is beside the point here).
  for (int i = 0; i < 1100; ++i) search("DUPONT", "T/" + std::to_string(i), true);
  std::vector<Finding> findings = search(shuffled[12], "ABC/1", false);
  ASSERT_TRUE(Fired(findings, Rule::kEnumeration));
  EXPECT_NE(findings.front().detail.find("different surnames searched under one case"),
            std::string::npos)
      << findings.front().detail;
}

// The day slides: a sweep split across any moment (half just before, half
// just after) is still that many surnames within a day.
TEST(AgentActivityTest, ASweepUnderOneReferenceStraddlingAnyMomentIsStillOneDays) {
  DetectOptions options = Options();
  options.enumeration_case_list = 12;
  AgentActivity activity;
  auto search_at = [&](int64_t at, const std::string& surname) {
    SearchTerms terms{.surname = surname, .given_name = true, .inquiry = true};
    AuditEvent search = Search(at, Persons(static_cast<int>(surname.size()), 1));
    search.case_reference = "ABC/1";
    return Fired(activity.Take(search, &terms, options, false), Rule::kEnumeration);
  };
  EXPECT_FALSE(search_at(kMorning, "AUBERT"));
  // Eleven more just before a day has passed since the first: twelve.
  const int64_t before = kMorning + 24 * kHour - 20 * 60 * kSecond;
  for (int i = 0; i < 11; ++i) {
    EXPECT_FALSE(search_at(before + i * kSecond, "BEFORE" + std::string(1, char('A' + i)))) << i;
  }
  // Just after: the first surname has left the day, the eleven have not.
  const int64_t after = kMorning + 24 * kHour + 60 * kSecond;
  EXPECT_FALSE(search_at(after, "AFTERA"));  // twelve within the day
  EXPECT_TRUE(search_at(after + kSecond, "AFTERB")) << "thirteen within a day";
  // A day after the eleven, they have left it too.
  EXPECT_FALSE(search_at(before + 24 * kHour + 60 * kSecond, "LATERA"));
}

TEST(AgentActivityTest, OrdinarySearchesAreNotEnumeration) {
  AgentActivity activity;
  DetectOptions options = Options();
  const char* names[] = {"MARTIN", "DUBOIS", "BERNARD", "PETIT", "ROBERT", "RICHARD",
                         "DURAND", "LEROY",  "MOREAU",  "SIMON", "LAURENT"};
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
      SearchTerms terms{.surname = "MARTIN",
                        .given_name = false,
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
                        .given_name = true,
                        .birth_date = "1970-01-01"};
      findings = activity.Take(
          Search(kMorning + i * 60 * kSecond, i % 4 == 0 ? Persons(i, 1) : std::vector<int64_t>{}),
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

// A street check's purpose names no case: a reference typed with it links
// the search to nothing either.
TEST(AgentActivityTest, SearchesWithoutPurposeLinkAreEnumeration) {
  DetectOptions options = Options();
  for (const std::string reference : {"", "2026/00412-PJ"}) {
    AgentActivity activity;
    std::vector<Finding> findings;
    for (int i = 0; i < 20; ++i) {
      // Found, in no order, but neither an inquiry's case nor a full identity.
      SearchTerms terms{.surname = std::string(1, static_cast<char>('Z' - i)) + "ORRO",
                        .given_name = true,
                        .birth_date = "1970"};
      AuditEvent search = Search(kMorning + i * 60 * kSecond, Persons(i, 1));
      search.case_reference = reference;
      findings = activity.Take(search, &terms, options, false);
    }
    ASSERT_TRUE(Fired(findings, Rule::kEnumeration)) << reference;
    EXPECT_NE(findings.front().detail.find("no plausible purpose link"), std::string::npos);
  }
}

// A reference typed anew every few searches covers a list of its own each
// time: more than enumeration_case_references of them in a day, each a
// search's only link, is a sweep. Files checked one each (clearances) show
// full identities and pass; a day later the count starts again.
TEST(AgentActivityTest, TooManyCaseReferencesInADayAreEnumeration) {
  DetectOptions options = Options();
  options.enumeration_case_references = 10;
  const char* shuffled[] = {"MOREL", "ABADIE", "ZELLER",  "DURAND", "PETIT",  "BLANC",  "ROUX",
                            "FAURE", "ANDRE",  "MERCIER", "GIRARD", "BONNET", "LAMBERT"};
  // `searches` inquiry searches from `start`, the reference (numbered from
  // `first_reference`) changing every `per_reference`; the index of the
  // first that fires, or -1.
  auto first_fired = [&](AgentActivity& activity, int64_t start, int searches, int per_reference,
                         bool full_identity, int first_reference = 41200) {
    for (int i = 0; i < searches; ++i) {
      SearchTerms terms{.surname = shuffled[i % 13],
                        .given_name = true,
                        .birth_date = full_identity ? "1970-01-01" : "",
                        .inquiry = true};
      AuditEvent search = Search(start + i * 60 * kSecond, Persons(i % 13, 1));
      search.case_reference = "2026/" + std::to_string(first_reference + i / per_reference) + "-AD";
      if (Fired(activity.Take(search, &terms, options, false), Rule::kEnumeration)) return i;
    }
    return -1;
  };
  {
    AgentActivity activity;
    EXPECT_EQ(first_fired(activity, kMorning, 40, 1, /*full_identity=*/false), 10);
  }
  {
    // Each reference used three times: the eleventh still fires.
    AgentActivity activity;
    EXPECT_EQ(first_fired(activity, kMorning, 60, 3, /*full_identity=*/false), 30);
  }
  {
    AgentActivity activity;
    EXPECT_EQ(first_fired(activity, kMorning, 40, 1, /*full_identity=*/true), -1);
  }
  {
    // Ten one day, ten the next: never more than ten within a day.
    AgentActivity activity;
    EXPECT_EQ(first_fired(activity, kMorning, 10, 1, /*full_identity=*/false), -1);
    EXPECT_EQ(first_fired(activity, kMorning + 25 * kHour, 10, 1, /*full_identity=*/false, 51200),
              -1);
  }
}

// Only an inquiry names a case: a street check under one typed reference
// walking names in order is a sweep, papers shown or not.
TEST(AgentActivityTest, AStreetCheckReferenceMakesNoInquirysList) {
  AgentActivity activity;
  DetectOptions options = Options();
  const char* names[] = {"ABADIE", "ABBAS", "ABEL", "ABGRALL", "ABIDI"};
  std::vector<Finding> findings;
  for (int i = 0; i < 5; ++i) {
    SearchTerms terms{.surname = names[i], .given_name = true, .birth_date = "1970-01-01"};
    AuditEvent search = Search(kMorning + i * 60 * kSecond, Persons(i, 1));
    search.case_reference = "2026/00412-PJ";
    findings = activity.Take(search, &terms, options, false);
  }
  ASSERT_TRUE(Fired(findings, Rule::kEnumeration));
  EXPECT_NE(findings.front().detail.find("alphabetical"), std::string::npos);
}

}  // namespace
}  // namespace vigie::detect
