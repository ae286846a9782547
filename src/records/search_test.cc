#include "records/search.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "core/clock.h"
#include "tests/support/matchers.h"
#include "tests/support/records_db.h"

namespace vigie::records {
namespace {

using ::vigie::testing::ErrorCodeIs;

class SearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tx = store::Transaction::Begin(*t_.db);
    Add("P1", "Lefèvre", {"Jean-Pierre"}, {1972, 4, 3});
    Add("P2", "Lefebvre", {"Marie"}, {1990, 1, 1});
    Add("P3", "Martin-Dupont", {"Chloé"}, {2001, 9, 9});
    Add("P4", "Nguyen", {"Thi Lan"}, {1965, 0, 0}, {"Garnier"});
    Add("P5", "Lefèvre", {"Jean"}, {1972, 11, 30});
    for (int i = 0; i < 30; ++i) {
      Add("M" + std::to_string(i), "Martin", {"Lucas"}, {1999, 1 + i % 12, 1 + i});
    }
    WantedNotice n;
    n.external_id = "W1";
    n.person_external_id = "P1";
    n.issuing_authority = "Tribunal judiciaire de Lyon";
    n.reference = "MA-2026-1";
    n.valid_from = {2026, 1, 1};
    n.valid_until = {2026, 12, 31};
    ASSERT_OK(t_.repository->PutWantedNotice(n));
    WantedNotice expired = n;
    expired.external_id = "W2";
    expired.person_external_id = "P5";
    expired.reference = "MA-2020-7";
    expired.valid_from = {2020, 1, 1};
    expired.valid_until = {2021, 12, 31};
    ASSERT_OK(t_.repository->PutWantedNotice(expired));
    RecordEntry e;
    e.external_id = "R1";
    e.person_external_id = "P1";
    e.date = {2010, 1, 1};
    e.case_reference = "2010/1";
    e.recording_service = "Commissariat de Lyon";
    ASSERT_OK(t_.repository->PutRecordEntry(e));
    ASSERT_OK(tx->Commit());
    auto search = RecordSearch::Load(*t_.repository);
    ASSERT_OK(search);
    search_ = std::make_unique<RecordSearch>(std::move(*search));
  }

  void Add(std::string id, std::string surname, std::vector<std::string> given, PartialDate birth,
           std::vector<std::string> aliases = {}) {
    Person p;
    p.external_id = std::move(id);
    p.surname = std::move(surname);
    p.given_names = std::move(given);
    p.birth_date = birth;
    p.birth_place = "Lyon (69)";
    p.aliases = std::move(aliases);
    ASSERT_OK(t_.repository->PutPerson(p));
  }

  Result<SearchResult> Run(std::string surname, std::string given, PartialDate birth = {},
                           int max = 20) {
    SearchQuery q{std::move(surname), std::move(given), birth};
    return search_->Search(q, *t_.repository, clock_, max);
  }

  testing::RecordsDb t_;
  FakeClock clock_{std::chrono::sys_days{std::chrono::year{2026} / 11 / 27}};
  std::unique_ptr<RecordSearch> search_;
};

TEST_F(SearchTest, ExactMatchComesFirstWithItsReason) {
  auto r = Run("LEFEVRE", "jean-pierre", {1972, 4, 3});
  ASSERT_OK(r);
  ASSERT_FALSE(r->summaries.empty());
  const auto& top = r->summaries[0];
  EXPECT_EQ(top.given_names, std::vector<std::string>{"Jean-Pierre"});
  EXPECT_EQ(top.reason.surname, MatchLevel::kExact);
  EXPECT_EQ(top.reason.given_name, MatchLevel::kExact);
  EXPECT_EQ(top.reason.birth, BirthMatch::kSameDate);
  EXPECT_TRUE(top.wanted);
  EXPECT_EQ(top.record_entries, 1);
}

TEST_F(SearchTest, WantedAndEntriesAreEachPersonsOwn) {
  auto r = Run("Lefèvre", "Jean", {1972, 0, 0});
  ASSERT_OK(r);
  std::map<std::string, const PersonSummary*> by_given;
  for (const auto& s : r->summaries) by_given[s.given_names[0]] = &s;
  ASSERT_TRUE(by_given.contains("Jean-Pierre") && by_given.contains("Jean"));
  EXPECT_TRUE(by_given["Jean-Pierre"]->wanted);
  EXPECT_EQ(by_given["Jean-Pierre"]->record_entries, 1);
  // Named in a notice that expired in 2021: not wanted today.
  EXPECT_FALSE(by_given["Jean"]->wanted);
  EXPECT_EQ(by_given["Jean"]->record_entries, 0);

  auto none = Run("Lefebvre", "Marie");
  ASSERT_OK(none);
  ASSERT_FALSE(none->summaries.empty());
  EXPECT_EQ(none->summaries[0].given_names[0], "Marie");
  EXPECT_FALSE(none->summaries[0].wanted);
  EXPECT_EQ(none->summaries[0].record_entries, 0);
}

// Scoped to wanted persons, the same query finds Jean-Pierre alone: Jean's
// notice lapsed in 2021, and the count does not tell of him either.
TEST_F(SearchTest, AWantedOnlySearchNeitherListsNorCountsOthers) {
  SearchQuery q{"Lefèvre", "Jean", {1972, 0, 0}};
  auto everyone = search_->Search(q, *t_.repository, clock_, 20, SearchScope::kEveryPerson);
  ASSERT_OK(everyone);
  EXPECT_EQ(everyone->total_matches, 2);
  auto wanted = search_->Search(q, *t_.repository, clock_, 20, SearchScope::kWantedToday);
  ASSERT_OK(wanted);
  ASSERT_EQ(wanted->summaries.size(), 1u);
  EXPECT_EQ(wanted->summaries[0].given_names[0], "Jean-Pierre");
  EXPECT_TRUE(wanted->summaries[0].wanted);
  EXPECT_EQ(wanted->total_matches, 1);
  auto nobody = search_->Search({"Lefebvre", "Marie", {}}, *t_.repository, clock_, 20,
                                SearchScope::kWantedToday);
  ASSERT_OK(nobody);
  EXPECT_TRUE(nobody->summaries.empty());
  EXPECT_EQ(nobody->total_matches, 0);
}

// "Le M" has the 2 letters a surname needs, but without its particle it
// names one: it finds no one named Ma or Mo born that year through typos.
TEST_F(SearchTest, AParticleDoesNotMakeOneLetterSearchable) {
  Add("S1", "Ma", {"Paul"}, {1990, 5, 5});
  Add("S2", "Mo", {"Anne"}, {1990, 6, 6});
  auto reloaded = RecordSearch::Load(*t_.repository);
  ASSERT_OK(reloaded);
  search_ = std::make_unique<RecordSearch>(std::move(*reloaded));
  auto named = Run("Ma", "", {1990, 0, 0});
  ASSERT_OK(named);
  ASSERT_FALSE(named->summaries.empty());  // found by their own names
  auto r = Run("Le M", "", {1990, 0, 0});
  ASSERT_OK(r);
  EXPECT_TRUE(r->summaries.empty()) << r->summaries[0].surname;
  EXPECT_EQ(r->total_matches, 0);
}

TEST_F(SearchTest, PhoneticSpellingFindsThePerson) {
  auto r = Run("Lefebvre", "", {1972, 0, 0});
  ASSERT_OK(r);
  ASSERT_GE(r->summaries.size(), 2u);  // both Lefèvre born 1972
  for (const auto& s : r->summaries) {
    EXPECT_EQ(s.surname, "Lefèvre");
    EXPECT_EQ(s.reason.surname, MatchLevel::kPhonetic);
    EXPECT_EQ(s.reason.birth, BirthMatch::kSameYear);
  }
}

TEST_F(SearchTest, OneTypoInSurnameOrGivenName) {
  auto surname_typo = Run("Nugyen", "Thi Lan");
  ASSERT_OK(surname_typo);
  ASSERT_FALSE(surname_typo->summaries.empty());
  EXPECT_EQ(surname_typo->summaries[0].surname, "Nguyen");
  EXPECT_EQ(surname_typo->summaries[0].reason.surname, MatchLevel::kTypo);

  auto given_typo = Run("Martin-Dupont", "Chleo");
  ASSERT_OK(given_typo);
  ASSERT_FALSE(given_typo->summaries.empty());
  EXPECT_EQ(given_typo->summaries[0].surname, "Martin-Dupont");
  EXPECT_NE(given_typo->summaries[0].reason.given_name, MatchLevel::kNone);
}

// An initial typed for the given name finds that initial, not every other
// letter one edit away nor the short names holding it (a sweep of the
// surname); two letters and more still forgive a typo.
TEST_F(SearchTest, AGivenInitialHasNoTypoForms) {
  Add("I1", "Dupont", {"J"}, {1980, 1, 1});
  Add("I2", "Dupont", {"Qi"}, {1981, 2, 2});
  Add("I3", "Dupont", {"Léa"}, {1982, 3, 3});
  auto reloaded = RecordSearch::Load(*t_.repository);
  ASSERT_OK(reloaded);
  search_ = std::make_unique<RecordSearch>(std::move(*reloaded));
  auto initial = Run("Dupont", "Q");
  ASSERT_OK(initial);
  EXPECT_TRUE(initial->summaries.empty()) << initial->summaries[0].given_names[0];
  EXPECT_EQ(initial->total_matches, 0);
  auto own = Run("Dupont", "J");
  ASSERT_OK(own);
  ASSERT_EQ(own->summaries.size(), 1u);
  EXPECT_EQ(own->summaries[0].reason.given_name, MatchLevel::kExact);
  for (const std::string typed : {"Lia", "Le"}) {
    auto typo = Run("Dupont", typed);
    ASSERT_OK(typo);
    ASSERT_EQ(typo->summaries.size(), 1u) << typed;
    EXPECT_EQ(typo->summaries[0].surname + typo->summaries[0].given_names[0], "DupontLéa");
    EXPECT_EQ(typo->summaries[0].reason.given_name, MatchLevel::kTypo) << typed;
  }
}

TEST_F(SearchTest, AliasAndCompoundPartsAreSearchable) {
  auto alias = Run("Garnier", "", {1965, 0, 0});
  ASSERT_OK(alias);
  ASSERT_EQ(alias->summaries.size(), 1u);
  EXPECT_EQ(alias->summaries[0].surname, "Nguyen");
  EXPECT_TRUE(alias->summaries[0].reason.surname_via_alias);

  auto part = Run("Dupont", "Chloé");
  ASSERT_OK(part);
  ASSERT_EQ(part->summaries.size(), 1u);
  EXPECT_EQ(part->summaries[0].surname, "Martin-Dupont");
}

TEST_F(SearchTest, ResultsAreCappedAndCounted) {
  auto r = Run("Martin", "Lucas", {}, 20);
  ASSERT_OK(r);
  EXPECT_EQ(r->summaries.size(), 20u);
  EXPECT_EQ(r->total_matches, 30);
  auto few = Run("Martin", "Lucas", {}, 5);
  EXPECT_EQ(few->summaries.size(), 5u);
}

TEST_F(SearchTest, WrongBirthYearRanksBelowRightOne) {
  auto r = Run("Lefèvre", "Jean", {1972, 11, 30});
  ASSERT_OK(r);
  ASSERT_GE(r->summaries.size(), 1u);
  EXPECT_EQ(r->summaries[0].given_names[0], "Jean");
  EXPECT_EQ(r->summaries[0].reason.birth, BirthMatch::kSameDate);
}

// Surname and full birth date, no given name: those born another day of
// that year are neither listed nor counted (the count would tell how many
// of that name were born that year), and one whose record holds the year
// alone - maybe that very day - is found even behind many others of it.
TEST_F(SearchTest, AFullBirthDateCountsOnlyThatDayOrAnUnknownDayOfThatYear) {
  {
    auto tx = store::Transaction::Begin(*t_.db);
    Add("M-year", "Martin", {"Paul"}, {1999, 0, 0});  // the highest id: ranked last of its score
    ASSERT_OK(tx->Commit());
    auto search = RecordSearch::Load(*t_.repository);
    ASSERT_OK(search);
    search_ = std::make_unique<RecordSearch>(std::move(*search));
  }
  auto r = Run("Martin", "", {1999, 3, 3});  // M2's date; 29 other Martins born in 1999
  ASSERT_OK(r);
  EXPECT_EQ(r->total_matches, 2);
  ASSERT_EQ(r->summaries.size(), 2u);
  EXPECT_EQ(r->summaries[0].birth_date, (PartialDate{1999, 3, 3}));
  EXPECT_EQ(r->summaries[0].reason.birth, BirthMatch::kSameDate);
  EXPECT_EQ(r->summaries[1].given_names[0], "Paul");
  EXPECT_EQ(r->summaries[1].reason.birth, BirthMatch::kSameYear);
}

// A record's month is compared as its day is: born in July 1999 is not
// born on 3 March 1999, so it is neither listed nor counted, nor let crowd
// out (more of them than the search opens) those that are.
TEST_F(SearchTest, AFullBirthDateCountsNoRecordOfAnotherMonth) {
  {
    auto tx = store::Transaction::Begin(*t_.db);
    Add("M-july", "Martin", {"Paul"}, {1999, 7, 0});
    for (int i = 0; i < 40; ++i)
      Add("M-july-" + std::to_string(i), "Martin", {"Hugo"}, {1999, 7, 0});
    Add("M-march", "Martin", {"Marc"}, {1999, 3, 0});
    ASSERT_OK(tx->Commit());
    auto search = RecordSearch::Load(*t_.repository);
    ASSERT_OK(search);
    search_ = std::make_unique<RecordSearch>(std::move(*search));
  }
  auto r = Run("Martin", "", {1999, 3, 3});  // M2's date
  ASSERT_OK(r);
  EXPECT_EQ(r->total_matches, 2);
  ASSERT_EQ(r->summaries.size(), 2u);
  EXPECT_EQ(r->summaries[0].reason.birth, BirthMatch::kSameDate);
  EXPECT_EQ(r->summaries[1].given_names[0], "Marc");
  EXPECT_EQ(r->summaries[1].reason.birth, BirthMatch::kSameYear);

  // With a given name that matches, it is listed, the month against it.
  auto paul = Run("Martin", "Paul", {1999, 3, 3});
  ASSERT_OK(paul);
  auto listed = std::find_if(paul->summaries.begin(), paul->summaries.end(),
                             [](const PersonSummary& s) { return s.given_names[0] == "Paul"; });
  ASSERT_NE(listed, paul->summaries.end());
  EXPECT_EQ(listed->reason.birth, BirthMatch::kDiffers);
}

// A compound name asked for ranks the person who bears it whole above the
// many who bear one of its parts, however many of those come first: both
// match "exactly", but only one is the name asked for.
TEST_F(SearchTest, AWholeCompoundNameRanksAboveItsParts) {
  {
    auto tx = store::Transaction::Begin(*t_.db);
    for (int i = 0; i < 30; ++i) {
      Add("J" + std::to_string(i), "Martin", {i % 2 == 0 ? "Jean" : "Pierre"}, {1980, 1, 1 + i});
      Add("R" + std::to_string(i), "Roux", {"Inès"}, {1985, 1, 1 + i});
    }
    Add("JP", "Martin", {"Jean-Pierre"}, {1981, 5, 5});
    Add("GR", "Garnier-Roux", {"Inès"}, {1986, 6, 6});
    ASSERT_OK(tx->Commit());
    auto search = RecordSearch::Load(*t_.repository);
    ASSERT_OK(search);
    search_ = std::make_unique<RecordSearch>(std::move(*search));
  }
  auto given = Run("Martin", "Jean-Pierre");
  ASSERT_OK(given);
  ASSERT_FALSE(given->summaries.empty());
  EXPECT_EQ(given->summaries[0].given_names[0], "Jean-Pierre");
  EXPECT_TRUE(given->summaries[0].reason.given_name_whole);
  ASSERT_GT(given->summaries.size(), 1u);
  EXPECT_EQ(given->summaries[1].reason.given_name, MatchLevel::kExact) << "a part still matches";
  EXPECT_FALSE(given->summaries[1].reason.given_name_whole);

  auto surname = Run("Garnier-Roux", "Inès");
  ASSERT_OK(surname);
  ASSERT_FALSE(surname->summaries.empty());
  EXPECT_EQ(surname->summaries[0].surname, "Garnier-Roux");
  EXPECT_TRUE(surname->summaries[0].reason.surname_whole);
}

TEST_F(SearchTest, NoMatchIsAnEmptyResultNotAnError) {
  auto r = Run("Zyxwvutsrq", "Jean");
  ASSERT_OK(r);
  EXPECT_TRUE(r->summaries.empty());
  EXPECT_EQ(r->total_matches, 0);
}

// A blank given name is none; an initial is one, but no name spelled out
// (which alone makes, with a full birth date, someone's identity).
TEST(GivenNameTest, ABlankOneIsNoneAndAnInitialIsNotSpelledOut) {
  EXPECT_FALSE(AsksGivenName(""));
  EXPECT_FALSE(AsksGivenName(" \t "));
  EXPECT_TRUE(AsksGivenName(" J"));
  for (const char* initial : {"", " ", "J", "J.", " j ", "\xC3\x89.", "J.-P.", "A B"}) {
    EXPECT_FALSE(IsGivenNameSpelledOut(initial)) << initial;
  }
  EXPECT_FALSE(IsGivenNameSpelledOut("Je\xFFn"));  // not a name at all
  for (const char* name : {"Jo",
                           "L\xC3\xA9"
                           "a",
                           " \xC3\x89lodie ", "Jean-Pierre"}) {
    EXPECT_TRUE(IsGivenNameSpelledOut(name)) << name;
  }
}

struct BadQuery {
  SearchQuery query;
  const char* fragment;
};

class BadQueryTest : public SearchTest, public ::testing::WithParamInterface<BadQuery> {};

TEST_P(BadQueryTest, IsRefusedWithAClearMessage) {
  auto r = search_->Search(GetParam().query, *t_.repository, clock_, 20);
  ASSERT_THAT(r, ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_NE(r.error().message().find(GetParam().fragment), std::string::npos)
      << r.error().message();
}

INSTANTIATE_TEST_SUITE_P(
    All, BadQueryTest,
    ::testing::Values(BadQuery{{"", "Jean", {}}, "surname is required"},
                      BadQuery{{"   ", "Jean", {}}, "surname is required"},
                      BadQuery{{"Mart*", "Jean", {}}, "wildcards"},
                      BadQuery{{"Martin", "J%", {}}, "wildcards"},
                      BadQuery{{"M_rtin", "", {1990, 0, 0}}, "wildcards"},
                      BadQuery{{"Martin", "", {}}, "give a given name or a birth date"},
                      BadQuery{{"Martin", " \t ", {}}, "give a given name or a birth date"},
                      BadQuery{{"M", "Jean", {}}, "at least 2 letters"},
                      BadQuery{{"Martin", "", {1980, 3, 0}}, "not a month"},
                      BadQuery{{"Martin", "Jean", {1980, 3, 0}}, "not a month"},
                      BadQuery{{"Martin1", "Jean", {}}, "surname"},
                      BadQuery{{"Mar\xC3", "Jean", {}}, "surname"},
                      BadQuery{{"Martin", "Je\xFFn", {}}, "given_name"},
                      BadQuery{{"Martin'; DROP TABLE person; --", "Jean", {}}, "surname"}),
    [](const auto& param) { return "case" + std::to_string(param.index); });

}  // namespace
}  // namespace vigie::records
