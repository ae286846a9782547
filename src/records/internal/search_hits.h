#pragma once
// The hits of one search's posting look-ups, and their folding into one
// candidate per person.
//
// Each look-up returns its persons in ascending order (the index is built in
// person order), so a query's hits are sorted runs, one per probe. A person
// found by several probes (exact and phonetic keys, a year and a given name)
// becomes one candidate with the best level of each name and "year" if any
// probe had the year.
// Thread-safety: stateless.

#include <cstdint>
#include <vector>

namespace vigie::records::internal {

// One posting hit: which person, and how well the looked-up key matched.
struct Hit {
  uint32_t person;
  uint8_t surname_level;  // 2 × MatchLevel, + 1 for the query's whole name (search.cc L())
  uint8_t given_level;
  bool year;

  friend bool operator==(const Hit&, const Hit&) = default;
};

// Leaves one hit per person in `hits`, sorted by person, each the fold of
// that person's hits. Any order is accepted; runs already ascending (as the
// index returns them) are merged, not sorted.
void FoldByPerson(std::vector<Hit>& hits);

}  // namespace vigie::records::internal
