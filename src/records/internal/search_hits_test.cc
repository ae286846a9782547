#include "records/internal/search_hits.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

namespace vigie::records::internal {
namespace {

// The fold written the obvious way: a map by person.
std::vector<Hit> ReferenceFold(const std::vector<Hit>& hits) {
  std::map<uint32_t, Hit> by_person;
  for (const Hit& h : hits) {
    auto [it, fresh] = by_person.try_emplace(h.person, h);
    if (fresh) continue;
    it->second.surname_level = std::max(it->second.surname_level, h.surname_level);
    it->second.given_level = std::max(it->second.given_level, h.given_level);
    it->second.year = it->second.year || h.year;
  }
  std::vector<Hit> out;
  for (const auto& [person, hit] : by_person) out.push_back(hit);
  return out;
}

TEST(FoldByPersonTest, FoldsAPersonFoundByTwoProbes) {
  // Probe 1 (exact surname, year) found 3 and 7; probe 2 (phonetic surname,
  // exact given name) found 7 and 9.
  std::vector<Hit> hits = {{3, 3, 0, true}, {7, 3, 0, true}, {7, 2, 3, false}, {9, 2, 3, false}};
  FoldByPerson(hits);
  std::vector<Hit> expected = {{3, 3, 0, true}, {7, 3, 3, true}, {9, 2, 3, false}};
  EXPECT_EQ(hits, expected);
}

TEST(FoldByPersonTest, EmptyAndSingleRunStayAsTheyAre) {
  std::vector<Hit> none;
  FoldByPerson(none);
  EXPECT_TRUE(none.empty());
  std::vector<Hit> one_run = {{1, 1, 0, false}, {4, 3, 1, true}, {8, 0, 2, false}};
  std::vector<Hit> copy = one_run;
  FoldByPerson(one_run);
  EXPECT_EQ(one_run, copy);
}

TEST(FoldByPersonTest, AgreesWithAMapOnRandomRuns) {
  std::mt19937 rng(20261130);
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<Hit> hits;
    // Like a query: a few long runs over a small population (common name),
    // many short ones, the same person in several runs, runs that happen to
    // continue each other, and now and then a run out of order.
    const uint32_t population = 1 + rng() % 5000;
    const int runs = static_cast<int>(rng() % 40);
    for (int r = 0; r < runs; ++r) {
      const size_t length = rng() % 8 == 0 ? rng() % 3000 : rng() % 12;
      std::vector<uint32_t> persons;
      for (size_t i = 0; i < length; ++i) persons.push_back(rng() % population);
      std::sort(persons.begin(), persons.end());
      persons.erase(std::unique(persons.begin(), persons.end()), persons.end());
      if (rng() % 10 == 0) std::shuffle(persons.begin(), persons.end(), rng);
      const auto surname = static_cast<uint8_t>(rng() % 4);
      const auto given = static_cast<uint8_t>(rng() % 4);
      const bool year = rng() % 2 == 0;
      for (uint32_t p : persons) hits.push_back({p, surname, given, year});
    }
    std::vector<Hit> expected = ReferenceFold(hits);
    FoldByPerson(hits);
    ASSERT_EQ(hits, expected) << "trial " << trial;
  }
}

}  // namespace
}  // namespace vigie::records::internal
