#include "records/internal/search_keys.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>

#include "records/name_normaliser.h"
#include "records/phonetic_fr.h"

namespace vigie::records::internal {
namespace {

constexpr std::array<uint8_t, 16> kKeyA{1, 2, 3};
constexpr std::array<uint8_t, 16> kKeyB{9, 9, 9};

Person Sample() {
  Person p;
  p.surname = "Le Goff";
  p.given_names = {"Anne-Sophie"};
  p.birth_date = {1980, 2, 29};
  return p;
}

bool Contains(const std::vector<uint64_t>& keys, uint64_t k) {
  return std::binary_search(keys.begin(), keys.end(), k);
}

TEST(SearchKeysTest, PersonIsFindableByEachFamily) {
  crypto::SearchKeyHasher hasher(kKeyA);
  SearchKeyer keyer(hasher);
  Person p = Sample();
  NameForms forms = PersonForms(p);
  auto keys = keyer.PersonKeys(forms, p.birth_date);
  ASSERT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  auto q = QueryForms("le goff", "anne sophie");
  ASSERT_TRUE(q.has_value());
  EXPECT_TRUE(Contains(keys, keyer.YearKey(KeyFamily::kSurnameYear, q->surnames[0], 1980)));
  EXPECT_TRUE(Contains(keys, keyer.YearKey(KeyFamily::kPhoneticYear, q->surname_phonetic[0], 1980)));
  EXPECT_TRUE(Contains(keys, keyer.Key(KeyFamily::kSurnameGiven, q->surnames[0], q->given[0])));
  EXPECT_FALSE(Contains(keys, keyer.YearKey(KeyFamily::kSurnameYear, q->surnames[0], 1981)));
}

TEST(SearchKeysTest, KeysDependOnTheSecretKey) {
  crypto::SearchKeyHasher a(kKeyA), b(kKeyB);
  SearchKeyer ka(a), kb(b);
  Person p = Sample();
  EXPECT_NE(ka.PersonKeys(PersonForms(p), p.birth_date), kb.PersonKeys(PersonForms(p), p.birth_date));
}

TEST(SearchKeysTest, BirthTagDistinguishesKnowledge) {
  crypto::SearchKeyHasher hasher(kKeyA);
  SearchKeyer keyer(hasher);
  EXPECT_EQ(keyer.BirthTag({}), 0u);
  EXPECT_EQ(keyer.BirthTag({1970, 0, 0}), 1u);
  const uint32_t month = keyer.BirthTag({1970, 5, 0});
  EXPECT_TRUE(IsMonthTag(month));
  EXPECT_FALSE(IsFullDateTag(month));
  EXPECT_EQ(month, keyer.BirthTag({1970, 5, 0}));
  EXPECT_NE(month, keyer.BirthTag({1970, 6, 0}));
  EXPECT_NE(month, keyer.BirthTag({1971, 5, 0}));
  uint32_t full = keyer.BirthTag({1970, 5, 4});
  EXPECT_TRUE(IsFullDateTag(full));
  EXPECT_FALSE(IsMonthTag(full));
  EXPECT_EQ(full, keyer.BirthTag({1970, 5, 4}));
  EXPECT_NE(full, keyer.BirthTag({1970, 4, 5}));
  // Keyed: another key, other tags (a copied database does not give the month away).
  crypto::SearchKeyHasher other_hasher(kKeyB);
  EXPECT_NE(month, SearchKeyer(other_hasher).BirthTag({1970, 5, 0}));
}

TEST(SearchKeysTest, OneEditVariantsAreExactlyOneEditAway) {
  auto variants = OneEditVariants("DUPONT");
  EXPECT_GT(variants.size(), 300u);
  EXPECT_EQ(std::count(variants.begin(), variants.end(), "DUPONT"), 0);
  for (const char* expected : {"DUPOND", "DPUONT", "DUPNT", "DUPPONT", "DUPONTE"}) {
    EXPECT_TRUE(std::binary_search(variants.begin(), variants.end(), expected)) << expected;
  }
  for (const auto& v : variants) EXPECT_EQ(EditDistance("DUPONT", v, 2), 1) << v;
}

TEST(SearchKeysTest, QueryFormsRejectsBadNames) {
  EXPECT_FALSE(QueryForms("R2D2", "").has_value());
  EXPECT_FALSE(QueryForms("Martin", "\xff").has_value());
  EXPECT_TRUE(QueryForms("Martin", "").has_value());
}

}  // namespace
}  // namespace vigie::records::internal
