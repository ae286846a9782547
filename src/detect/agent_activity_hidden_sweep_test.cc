// AgentActivity's enumeration rule against a sweep hidden among other
// searches: its steps are picked out of the last ones, while a day's
// ordinary searches and an inquiry's list worked between street checks
// are left alone.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "detect/agent_activity.h"
#include "detect/agent_activity_test_util.h"

namespace vigie::detect {
namespace {

using namespace activity_test;  // NOLINT: the shared helpers

// Searches across the alphabet in no order, as a day brings them; none
// begins with C, D or E, where the sweeps below walk (one there could be
// the sweep's step as well as any).
const char* const kOrdinary[] = {"MARTIN", "BERNARD", "ROBERT",  "PETIT",   "LEROY", "GIRARD",
                                 "ZIMMER", "FAURE",   "RIVIERE", "VIDAL",   "HENRY", "NOEL",
                                 "AUBERT", "TESSIER", "JOLY",    "SCHMITT", "KLEIN", "ORY",
                                 "URBAIN", "QUERE",   "WEBER",   "YVON",    "IBERT", "OLLIVIER"};

// One search, as a street check gives it: surname, given name, birth date.
std::vector<Finding> Check(AgentActivity& activity, int64_t at, const std::string& surname,
                           const std::string& birth_date = "1975-03-02",
                           const std::string& reference = "") {
  SearchTerms terms{.surname = surname,
                    .given_name = true,
                    .birth_date = birth_date,
                    .inquiry = !reference.empty()};
  AuditEvent search = Search(at, Persons(at / kSecond % 100000, 1));
  search.case_reference = reference;
  return activity.Take(search, &terms, Options(), false);
}

// The i-th day of 1961 counted in months of 28 days (i below 336).
std::string Day(int i) {
  char date[16];
  std::snprintf(date, sizeof date, "1961-%02d-%02d", 1 + i / 28 % 12, 1 + i % 28);
  return date;
}

// The first sweep step, counted from 1, whose search is found to enumerate
// (0 if none), with `others` ordinary searches before each step.
int FirstFlaggedStep(int others, auto step_surname, auto step_birth_date,
                     const std::string& reference = "") {
  AgentActivity activity;
  int64_t at = kMorning;
  int ordinary = 0;
  for (int step = 1; step <= 14; ++step) {
    for (int k = 0; k < others; ++k) {
      at += 40 * kSecond;
      const char* surname = kOrdinary[ordinary++ % std::size(kOrdinary)];
      if (Fired(Check(activity, at, surname), Rule::kEnumeration)) {
        ADD_FAILURE() << "an ordinary search was flagged: " << surname;
        return -1;
      }
    }
    at += 40 * kSecond;
    if (Fired(Check(activity, at, step_surname(step), step_birth_date(step), reference),
              Rule::kEnumeration)) {
      return step;
    }
  }
  return 0;
}

// DUPA, DUPB, ...: a list of surnames walked in order.
std::string Walked(int step) { return "DUP" + std::string(1, static_cast<char>('A' + step)); }

TEST(AgentActivityHiddenSweepTest, SurnamesWalkedBetweenOtherSearchesAreFound) {
  auto any_date = [](int) { return std::string("1975-03-02"); };
  // Twice enumeration_run steps: an ordinary day is never that orderly.
  EXPECT_EQ(FirstFlaggedStep(1, Walked, any_date), 10);
  EXPECT_EQ(FirstFlaggedStep(2, Walked, any_date), 10);
  EXPECT_EQ(FirstFlaggedStep(5, Walked, any_date), 10);
  // Backwards too, and across into the next initial.
  EXPECT_EQ(FirstFlaggedStep(
                1, [](int step) { return Walked(20 - step); }, any_date),
            10);
  auto across = [](int step) {
    return step <= 5 ? "CZ" + std::string(1, static_cast<char>('A' + step)) : Walked(step);
  };
  EXPECT_EQ(FirstFlaggedStep(2, across, any_date), 10);
}

// Four sweeps walked side by side, one step of each in turn: each hides
// the others' steps from a check of consecutive searches, not from this.
TEST(AgentActivityHiddenSweepTest, SweepsWalkedSideBySideAreFound) {
  AgentActivity activity;
  int64_t at = kMorning;
  int first_flagged = 0;
  for (int step = 1; step <= 12 && first_flagged == 0; ++step) {
    for (const char* initial : {"B", "F", "M", "S"}) {
      at += 30 * kSecond;
      const std::string surname = initial + std::string("A") + static_cast<char>('A' + step);
      if (Fired(Check(activity, at, surname), Rule::kEnumeration) && first_flagged == 0) {
        first_flagged = step;
      }
    }
  }
  EXPECT_EQ(first_flagged, 10);
}

TEST(AgentActivityHiddenSweepTest, BirthDatesWalkedBetweenOtherSearchesAreFound) {
  auto durand = [](int) { return std::string("DURAND"); };
  EXPECT_EQ(FirstFlaggedStep(1, durand, Day), 10);
  EXPECT_EQ(FirstFlaggedStep(2, durand, [](int step) { return Day(40 - step); }), 10);
}

// A case's list worked in order under its reference, street checks coming
// in between, is an inquiry's while the reference covers it; past its
// length (enumeration_case_list, 25 here) its next searches are steps like
// any other's.
TEST(AgentActivityHiddenSweepTest, AnInquirysListIsCoveredOnlyUpToItsLength) {
  auto durand = [](int) { return std::string("DURAND"); };
  EXPECT_EQ(FirstFlaggedStep(1, durand, Day, "2026/00412-PJ"), 0);
  AgentActivity activity;
  int64_t at = kMorning;
  int first_flagged = 0;
  for (int step = 1; step <= 40 && first_flagged == 0; ++step) {
    at += 40 * kSecond;
    EXPECT_FALSE(
        Fired(Check(activity, at, kOrdinary[step % std::size(kOrdinary)]), Rule::kEnumeration));
    at += 40 * kSecond;
    if (Fired(Check(activity, at, "DURAND", Day(step), "2026/00412-PJ"), Rule::kEnumeration)) {
      first_flagged = step;
    }
  }
  EXPECT_EQ(first_flagged, 35);
}

// A sweep whose steps change reference every five, each reference within
// its list's length: the lists under other references are steps of it.
TEST(AgentActivityHiddenSweepTest, ASweepSplitBetweenReferencesIsOneSweep) {
  AgentActivity activity;
  int64_t at = kMorning;
  int first_flagged = 0;
  for (int step = 1; step <= 14 && first_flagged == 0; ++step) {
    at += 40 * kSecond;
    EXPECT_FALSE(
        Fired(Check(activity, at, kOrdinary[step % std::size(kOrdinary)]), Rule::kEnumeration));
    at += 40 * kSecond;
    const std::string reference = "2026/0041" + std::to_string((step - 1) / 5) + "-PJ";
    if (Fired(Check(activity, at, Walked(step), "1975-03-02", reference), Rule::kEnumeration)) {
      first_flagged = step;
    }
  }
  EXPECT_EQ(first_flagged, 11);  // the first step under a third reference
}

// The list's searches are no steps of anyone's sweep: a street check that
// happens to fall in order after them (or before them) is no sweep either.
TEST(AgentActivityHiddenSweepTest, AStreetCheckInOrderWithAnInquirysListIsNoSweep) {
  AgentActivity activity;
  int64_t at = kMorning;
  auto street_check = [&](const std::string& birth_date) {
    at += 40 * kSecond;
    return Fired(Check(activity, at, "DURAND", birth_date), Rule::kEnumeration);
  };
  EXPECT_FALSE(street_check(Day(0)));
  for (int step = 1; step <= 12; ++step) {
    at += 40 * kSecond;
    EXPECT_FALSE(
        Fired(Check(activity, at, kOrdinary[step % std::size(kOrdinary)]), Rule::kEnumeration));
    at += 40 * kSecond;
    EXPECT_FALSE(
        Fired(Check(activity, at, "DURAND", Day(step), "2026/00412-PJ"), Rule::kEnumeration));
  }
  EXPECT_FALSE(street_check(Day(30)));
  EXPECT_FALSE(street_check(Day(31)));
}

// A long day of searches drawn from common surnames, in no order: some
// fall in order by chance, never ten within two initials.
TEST(AgentActivityHiddenSweepTest, ADaysOrdinarySearchesAreNoSweep) {
  const char* const common[] = {
      "MARTIN",  "MASSON",   "MARCHAND", "MARIE",    "MATHIEU", "MEUNIER", "MERCIER", "MEYER",
      "MICHEL",  "MOREAU",   "MOREL",    "MULLER",   "BERNARD", "BERTIN",  "BLANC",   "BONNET",
      "BOYER",   "BRUN",     "BARBIER",  "BAILLY",   "BAUDRY",  "BENOIT",  "LEROY",   "LEFEBVRE",
      "LEGRAND", "LAMBERT",  "LAURENT",  "LEMAIRE",  "LUCAS",   "LOPEZ",   "DUBOIS",  "DURAND",
      "DAVID",   "DUPONT",   "DENIS",    "DUMAS",    "RIVIERE", "CLEMENT", "COLIN",   "CHEVALIER",
      "ROBERT",  "RICHARD",  "ROUX",     "RENARD",   "PETIT",   "PERRIN",  "PICARD",  "GIRARD",
      "GARNIER", "GAUTHIER", "GERARD",   "FONTAINE", "FOURNIER"};
  AgentActivity activity;
  uint64_t state = 20261206;
  for (int i = 0; i < 600; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;  // a fixed LCG
    const char* surname = common[(state >> 33) % std::size(common)];
    const int64_t at = kMorning + i * 50 * kSecond;
    EXPECT_FALSE(Fired(Check(activity, at, surname, Day(static_cast<int>((state >> 20) % 300))),
                       Rule::kEnumeration))
        << i << " " << surname;
  }
}

}  // namespace
}  // namespace vigie::detect
