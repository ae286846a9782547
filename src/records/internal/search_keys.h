#pragma once
// Search postings: the keyed hashes under which a person is findable.
//
// A posting key is SipHash-2-4 (keyed with the "search-index" data key) of a
// family byte and two normalised fields. Without the key, postings reveal
// neither names nor dates; with it, they only answer "does this exact
// combination exist". Families:
//   kSurnameYear    surname form + birth year
//   kPhoneticYear   phonetic key of a surname form + birth year
//   kSurnameGiven   surname form + given-name form
//   kPhoneticGiven  phonetic key of a surname form + phonetic key of a given-name form
// and, apart from the postings, a vocabulary of the surname and given-name
// forms that exist, so a query tries only the one-edit variants that are real
// names (a few) instead of all of them (hundreds).
// A query hashes the same combinations, plus every one-edit variant of its
// surname and given name, so exact, phonetic and one-typo matches are all
// point look-ups. See docs/formats/search-index.md.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/crypto.h"
#include "records/model.h"

namespace vigie::records::internal {

enum class KeyFamily : uint8_t {
  kSurnameYear = 1,
  kPhoneticYear = 2,
  kSurnameGiven = 3,
  kPhoneticGiven = 4,
  kSurnameVocabulary = 5,  // a surname form alone: "does anyone bear this name?"
  kGivenVocabulary = 6,    // a given-name form alone
};

// Normalised index forms of a person or a query; computed once, hashed many times.
struct NameForms {
  std::vector<std::string> surnames;         // compact forms (surname, then aliases)
  std::vector<std::string> surname_phonetic;  // phonetic key per surname form
  std::vector<std::string> given;            // compact given-name forms
  std::vector<std::string> given_phonetic;    // phonetic key per given-name form
};

// Forms for a person (surname + aliases, all given names). Names are assumed
// validated; a name that fails to normalise contributes no form.
NameForms PersonForms(const Person& person, bool with_aliases = true);

// Forms for a query surname / given name (either may be empty). Errors:
// InvalidArgument when a non-empty name does not normalise.
Result<NameForms> QueryForms(std::string_view surname, std::string_view given_name);

// The bit of a BirthTag that says the date is a full one; without it, the
// bit that says it is a year and month.
inline constexpr uint32_t kFullDateTag = 0x40000000U;
inline constexpr uint32_t kMonthTag = 0x20000000U;
inline bool IsFullDateTag(uint32_t tag) { return (tag & kFullDateTag) != 0; }
inline bool IsMonthTag(uint32_t tag) { return !IsFullDateTag(tag) && (tag & kMonthTag) != 0; }

class SearchKeyer {
 public:
  explicit SearchKeyer(const crypto::SearchKeyHasher& hasher) : hasher_(hasher) {}

  uint64_t Key(KeyFamily family, std::string_view a, std::string_view b) const;
  uint64_t YearKey(KeyFamily family, std::string_view a, int year) const;

  // Sorted, de-duplicated postings of one person.
  std::vector<uint64_t> PersonKeys(const NameForms& forms, const PartialDate& birth) const;
  // Vocabulary keys of one person's surname forms, then given-name forms,
  // preceded by the number of surname keys (the packed `names` column).
  std::vector<uint64_t> VocabularyKeys(const NameForms& forms) const;

  // 0: birth year unknown; 1: the year alone known; otherwise a keyed tag
  // of the year and month (29 bits, with kMonthTag) or of the full date (30
  // bits, with kFullDateTag), so a query can test "same month" or "same
  // full date" without the date being stored in clear. (Rows written before
  // month tags carry 1 for a year and month: judged once opened.)
  uint32_t BirthTag(const PartialDate& birth) const;

 private:
  const crypto::SearchKeyHasher& hasher_;
};

// Calls visit(variant) for every string one edit away from `s` over A–Z:
// deletions, adjacent transpositions, substitutions, insertions. A variant
// may be visited more than once (e.g. deleting either of a doubled letter).
// No allocation: searches call this for every query.
template <typename Visit>
void ForEachOneEditVariant(std::string_view s, Visit&& visit) {
  constexpr size_t kMax = 256;
  if (s.empty() || s.size() >= kMax) return;
  char w[kMax + 1];
  const size_t n = s.size();
  for (size_t i = 0; i < n && n > 1; ++i) {  // deletions
    s.copy(w, i);
    s.copy(w + i, n - i - 1, i + 1);
    visit(std::string_view(w, n - 1));
  }
  for (size_t i = 0; i + 1 < n; ++i) {  // adjacent transpositions
    if (s[i] == s[i + 1]) continue;
    s.copy(w, n);
    std::swap(w[i], w[i + 1]);
    visit(std::string_view(w, n));
  }
  s.copy(w, n);
  for (size_t i = 0; i < n; ++i) {  // substitutions
    for (char c = 'A'; c <= 'Z'; ++c) {
      if (c == s[i]) continue;
      w[i] = c;
      visit(std::string_view(w, n));
    }
    w[i] = s[i];
  }
  for (size_t i = 0; i <= n; ++i) {  // insertions
    s.copy(w, i);
    s.copy(w + i + 1, n - i, i);
    for (char c = 'A'; c <= 'Z'; ++c) {
      w[i] = c;
      visit(std::string_view(w, n + 1));
    }
  }
}

// The distinct one-edit variants of `s`, sorted (for tests and tools).
std::vector<std::string> OneEditVariants(std::string_view s);

}  // namespace vigie::records::internal
