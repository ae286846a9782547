#include "records/generator.h"
#include "records/name_normaliser.h"
#include "records/search_probe.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "records/generator_data.h"

namespace vigie::records {
namespace {

// A hermetic stand-in for surnames-fr.txt: upper case, no accents, some
// particles, hyphens and apostrophes, plus lines the generator must reject
// or drop (head names, blanks, invalid UTF-8, over-long).
std::vector<std::string> SyntheticTail() {
  static const char* const kStarts[] = {"BRO", "GAL", "LAV", "MOU", "PEL", "RIB", "TOR",
                                        "VIL", "CAS", "DUR", "FER", "HUG", "JOL", "KER",
                                        "LOR", "MAR", "NOV", "OLL", "PAS", "QUI"};
  static const char* const kMids[] = {"AN", "ER", "IL", "OT", "UR", "ON", "AR", "EL", "IN", "OU"};
  static const char* const kEnds[] = {"DIN", "GNAC", "LARD", "TIER", "VAL",
                                      "ZAC", "BERT", "CHON", "NIER", "RAND"};
  std::vector<std::string> tail;
  for (const char* s : kStarts) {
    for (const char* m : kMids) {
      for (const char* e : kEnds) tail.push_back(std::string(s) + m + e);
    }
  }
  tail.push_back("DE LA FONTAINE");
  tail.push_back("ACHARD DE LA VENTE");
  tail.push_back("ABD-EL-KADER");
  tail.push_back("AC'H");
  tail.push_back("MARTIN");              // head name: dropped
  tail.push_back("LEFEVRE");             // head name "Lefèvre": dropped
  tail.push_back("");                    // blank: dropped
  tail.push_back("BAD\xFFNAME");         // invalid UTF-8: dropped
  tail.push_back(std::string(80, 'X'));  // too long: dropped
  tail.push_back("BROANDIN");            // duplicate: dropped
  return tail;
}

constexpr size_t kSyntheticValid = 20 * 10 * 10 + 4;

const PopulationGenerator& Generator() {
  static const PopulationGenerator* gen =
      new PopulationGenerator(GeneratorOptions{}, SyntheticTail());
  return *gen;
}

const std::vector<PopulationGenerator::Generated>& Sample() {
  static const auto* sample = [] {
    auto* v = new std::vector<PopulationGenerator::Generated>();
    for (uint64_t i = 0; i < 20000; ++i) v->push_back(Generator().Make(i));
    return v;
  }();
  return *sample;
}

void ExpectGoodString(const std::string& s, bool may_be_empty = false) {
  EXPECT_TRUE(may_be_empty || !s.empty());
  EXPECT_LE(s.size(), 100u) << s;
  EXPECT_TRUE(IsValidUtf8(s)) << s;
}

// Optimal string alignment distance (Levenshtein + adjacent transposition).
int Osa(const std::string& a, const std::string& b) {
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

bool BornInFrance(const Person& p) {
  // "Lyon (69)", "Ajaccio (2A)", "Saint-Denis (974)" vs "Alger (Algérie)".
  const size_t open = p.birth_place.rfind('(');
  if (open == std::string::npos || p.birth_place.back() != ')') return false;
  const std::string dep = p.birth_place.substr(open + 1, p.birth_place.size() - open - 2);
  if (dep == "2A" || dep == "2B") return true;
  return !dep.empty() && dep.size() <= 3 && std::all_of(dep.begin(), dep.end(), ::isdigit);
}

// ---------------------------------------------------------------------------

TEST(GeneratorTest, SameSeedAndIndexGiveSamePerson) {
  const PopulationGenerator other(GeneratorOptions{}, SyntheticTail());
  for (uint64_t i : {0ull, 1ull, 42ull, 999999ull, 123456789ull}) {
    const auto a = Generator().Make(i);
    const auto b = other.Make(i);
    EXPECT_EQ(a.person, b.person);
    EXPECT_EQ(a.notices, b.notices);
    EXPECT_EQ(a.entries, b.entries);
  }
  // Order of calls does not matter.
  EXPECT_EQ(Generator().Make(7).person, Sample()[7].person);
}

TEST(GeneratorTest, ParallelGenerationMatchesSequential) {
  std::vector<PopulationGenerator::Generated> out(2000);
  std::vector<std::thread> threads;
  for (size_t w = 0; w < 4; ++w) {
    threads.emplace_back([&out, w] {
      for (size_t i = w; i < out.size(); i += 4) out[i] = Generator().Make(i);
    });
  }
  for (auto& th : threads) th.join();
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i].person, Sample()[i].person);
    EXPECT_EQ(out[i].entries, Sample()[i].entries);
  }
}

TEST(GeneratorTest, DifferentSeedGivesDifferentPersons) {
  GeneratorOptions opt;
  opt.seed = 2;
  const PopulationGenerator gen2(opt, SyntheticTail());
  int same = 0;
  for (uint64_t i = 0; i < 200; ++i) {
    if (gen2.Make(i).person == Sample()[i].person) ++same;
    EXPECT_EQ(gen2.Make(i).person.external_id, Sample()[i].person.external_id);
  }
  EXPECT_EQ(same, 0);
  // Neighbouring indexes differ too.
  EXPECT_NE(Sample()[0].person.surname + Sample()[0].person.given_names[0],
            Sample()[1].person.surname + Sample()[1].person.given_names[0]);
}

TEST(GeneratorTest, LongTailIsCleanedAndTitleCased) {
  EXPECT_EQ(Generator().long_tail_size(), kSyntheticValid);

  auto surnames_with_tail = [](std::string line) {
    std::set<std::string> tail_names;
    const PopulationGenerator gen(GeneratorOptions{}, {std::move(line)});
    std::set<std::string> head;
    for (const auto& row : generator_data::HeadSurnames()) head.insert(std::string(row.name));
    for (uint64_t i = 0; i < 300; ++i) {
      for (const auto& s : {gen.Make(i).person.surname}) {
        if (!head.contains(s) && s.find('-') == std::string::npos) tail_names.insert(s);
      }
    }
    return tail_names;
  };
  EXPECT_EQ(surnames_with_tail("DE LA FONTAINE"), std::set<std::string>{"De La Fontaine"});
  EXPECT_EQ(surnames_with_tail("ACHARD DE LA VENTE  \r"),
            std::set<std::string>{"Achard de La Vente"});
  EXPECT_EQ(surnames_with_tail("N'GOLO"), std::set<std::string>{"N'Golo"});
  EXPECT_EQ(surnames_with_tail("AC'H"), std::set<std::string>{"Ac'h"});
}

TEST(GeneratorTest, ExternalIds) {
  const auto& g = Sample()[42];
  EXPECT_EQ(g.person.external_id, "P000000042");
  EXPECT_EQ(Generator().Make(1234567890).person.external_id, "P1234567890");
  std::set<std::string> ids;
  for (const auto& s : Sample()) {
    EXPECT_TRUE(ids.insert(s.person.external_id).second);
    for (const auto& n : s.notices) {
      EXPECT_TRUE(n.external_id.starts_with("W" + s.person.external_id.substr(1) + "-"));
      EXPECT_EQ(n.person_external_id, s.person.external_id);
      EXPECT_TRUE(ids.insert(n.external_id).second);
    }
    for (const auto& e : s.entries) {
      EXPECT_TRUE(e.external_id.starts_with("R" + s.person.external_id.substr(1) + "-"));
      EXPECT_EQ(e.person_external_id, s.person.external_id);
      EXPECT_TRUE(ids.insert(e.external_id).second);
    }
  }
}

TEST(GeneratorTest, Proportions) {
  int wanted = 0, records = 0, abroad = 0, female = 0, aliases = 0, year_only = 0, year_month = 0,
      hyphenated = 0;
  size_t entries = 0, victims = 0;
  for (const auto& g : Sample()) {
    wanted += !g.notices.empty();
    records += !g.entries.empty();
    abroad += !BornInFrance(g.person);
    female += g.person.sex == Sex::kFemale;
    aliases += !g.person.aliases.empty();
    year_only += g.person.birth_date.month == 0;
    year_month += g.person.birth_date.month != 0 && g.person.birth_date.day == 0;
    hyphenated += g.person.surname.find('-') != std::string::npos;
    entries += g.entries.size();
    for (const auto& e : g.entries) victims += e.role == EntryRole::kVictim;
  }
  const double n = static_cast<double>(Sample().size());
  EXPECT_NEAR(wanted / n, 0.05, 0.008);
  EXPECT_NEAR(records / n, 0.30, 0.015);
  EXPECT_NEAR(abroad / n, 0.08, 0.01);
  EXPECT_NEAR(female / n, 0.50, 0.015);
  EXPECT_NEAR(aliases / n, 0.04, 0.008);
  EXPECT_NEAR(year_only / n, 0.02, 0.005);
  EXPECT_NEAR(year_month / n, 0.01, 0.004);
  EXPECT_NEAR(hyphenated / n, 0.04, 0.015);  // 3 % double-barrelled + hyphenated names
  EXPECT_NEAR(static_cast<double>(victims) / static_cast<double>(entries), 0.25, 0.03);
  EXPECT_GT(static_cast<double>(entries) / records, 1.4);  // geometric 1..6
}

TEST(GeneratorTest, SharesAreClamped) {
  GeneratorOptions opt;
  opt.wanted_share = -3;
  opt.record_share = 7;
  opt.alias_share = 0;
  const PopulationGenerator gen(opt, {});
  EXPECT_EQ(gen.options().record_share, 1.0);
  EXPECT_EQ(gen.long_tail_size(), 0u);
  for (uint64_t i = 0; i < 500; ++i) {
    const auto g = gen.Make(i);
    EXPECT_TRUE(g.notices.empty());
    EXPECT_FALSE(g.entries.empty());
    EXPECT_TRUE(g.person.aliases.empty());
  }
}

TEST(GeneratorTest, HeadSurnamesFollowTheirWeights) {
  std::map<std::string, int> counts;
  for (const auto& g : Sample()) ++counts[g.person.surname];
  const auto most = std::max_element(counts.begin(), counts.end(),
                                     [](auto& a, auto& b) { return a.second < b.second; });
  EXPECT_EQ(most->first, "Martin");

  std::vector<generator_data::SurnameRow> head(generator_data::HeadSurnames().begin(),
                                               generator_data::HeadSurnames().end());
  EXPECT_GE(head.size(), 300u);
  std::stable_sort(head.begin(), head.end(),
                   [](const auto& a, const auto& b) { return a.weight > b.weight; });
  auto mean_count = [&](size_t from, size_t to) {
    double sum = 0;
    for (size_t i = from; i < to; ++i) sum += counts[std::string(head[i].name)];
    return sum / static_cast<double>(to - from);
  };
  const double top = mean_count(0, 10), mid = mean_count(40, 100), low = mean_count(200, 300);
  EXPECT_GT(top, 2 * mid);
  EXPECT_GT(mid, 1.5 * low);
  EXPECT_GT(low, 0.5);

  // The head is ~15-25 % of persons; the rest is the tail.
  std::set<std::string> head_names;
  for (const auto& row : head) head_names.insert(std::string(row.name));
  int from_head = 0;
  for (const auto& g : Sample()) from_head += head_names.contains(g.person.surname);
  EXPECT_GT(from_head, 0.15 * 20000);
  EXPECT_LT(from_head, 0.25 * 20000);
}

TEST(GeneratorTest, AllStringsAreValid) {
  for (const auto& g : Sample()) {
    const Person& p = g.person;
    ExpectGoodString(p.external_id);
    ExpectGoodString(p.surname);
    ExpectGoodString(p.birth_place);
    ExpectGoodString(p.nationality);
    EXPECT_EQ(p.nationality.size(), 3u);
    ASSERT_GE(p.given_names.size(), 1u);
    EXPECT_LE(p.given_names.size(), 3u);
    for (const auto& n : p.given_names) ExpectGoodString(n);
    for (const auto& a : p.aliases) {
      ExpectGoodString(a);
      EXPECT_NE(a, p.surname);
    }
    for (const auto& n : g.notices) {
      ExpectGoodString(n.issuing_authority);
      ExpectGoodString(n.reference);
    }
    for (const auto& e : g.entries) {
      ExpectGoodString(e.case_reference);
      ExpectGoodString(e.recording_service);
      EXPECT_EQ(e.case_reference.size(), 11u) << e.case_reference;
    }
  }
}

TEST(GeneratorTest, DatesAndAgesAreConsistent) {
  const int ref_year = kGeneratorReferenceDate.year;
  std::set<int> ages;
  for (const auto& g : Sample()) {
    const Person& p = g.person;
    ASSERT_TRUE(p.birth_date.known());
    const int age = ref_year - p.birth_date.year;
    EXPECT_GE(age, 13);
    EXPECT_LE(age, 96);
    ages.insert(age);
    if (p.birth_date.month != 0) {
      EXPECT_LE(p.birth_date.month, 12);
    }
    for (size_t k = 1; k < g.entries.size(); ++k) {
      EXPECT_LE(g.entries[k - 1].date.year, g.entries[k].date.year);  // chronological
    }
    for (const auto& e : g.entries) {
      EXPECT_GE(e.date.year, p.birth_date.year + 13);
      EXPECT_LE(e.date.year, ref_year);
      EXPECT_EQ(e.case_reference.substr(0, 4), std::to_string(e.date.year));
    }
    for (const auto& n : g.notices) {
      EXPECT_TRUE(n.valid_from.full());
      EXPECT_LE(n.valid_from.year, ref_year);
      EXPECT_GE(n.valid_from.year, p.birth_date.year + 12);
      if (n.valid_until.known()) {
        EXPECT_GE(std::tie(n.valid_until.year, n.valid_until.month, n.valid_until.day),
                  std::tie(n.valid_from.year, n.valid_from.month, n.valid_from.day));
      }
    }
  }
  EXPECT_GT(ages.size(), 75u);  // the whole 13..95 range is used
}

TEST(GeneratorTest, NoticesAreCoherent) {
  std::map<WantedReason, int> reasons;
  for (const auto& g : Sample()) {
    const Person& p = g.person;
    for (const auto& n : g.notices) {
      ++reasons[n.reason];
      switch (n.reason) {
        case WantedReason::kMissingMinor:
          EXPECT_EQ(n.conduct, Conduct::kProtect);
          EXPECT_GE(p.birth_date.year, kGeneratorReferenceDate.year - 18);
          EXPECT_TRUE(n.reference.starts_with("MF-"));
          break;
        case WantedReason::kArrestWarrant:
          EXPECT_EQ(n.conduct, Conduct::kArrest);
          EXPECT_TRUE(n.reference.starts_with("MA-"));
          break;
        case WantedReason::kBannedFromTerritory:
          EXPECT_NE(p.nationality, "FRA");
          break;
        case WantedReason::kMissingAdult:
          EXPECT_EQ(n.conduct, Conduct::kLocateDiscreetly);
          break;
        default:
          break;
      }
      // "MA-2024-0012345"
      EXPECT_EQ(n.reference.size(), 15u) << n.reference;
      EXPECT_EQ(n.reference.substr(3, 4), std::to_string(n.valid_from.year));
    }
    if (BornInFrance(p)) {
      EXPECT_EQ(p.nationality, "FRA");
    }
  }
  EXPECT_GT(reasons[WantedReason::kArrestWarrant], reasons[WantedReason::kEscapee]);
  EXPECT_GT(reasons[WantedReason::kMissingMinor], 0);
  EXPECT_GT(reasons[WantedReason::kMissingAdult], 0);
}

TEST(GeneratorTest, GivenNamesAreDistinctAndSexed) {
  std::map<std::string, std::set<Sex>> sexes;
  for (const auto& row : generator_data::GivenNames()) sexes[std::string(row.name)].insert(row.sex);
  for (const auto& g : Sample()) {
    const auto& names = g.person.given_names;
    std::set<std::string> parts;  // "Jean-Paul Jean" would repeat "Jean"
    size_t total_parts = 0;
    for (const auto& n : names) {
      size_t start = 0;
      while (start <= n.size()) {
        const size_t end = std::min(n.find('-', start), n.size());
        parts.insert(n.substr(start, end - start));
        ++total_parts;
        start = end + 1;
      }
    }
    EXPECT_EQ(parts.size(), total_parts);
    for (const auto& n : names) EXPECT_TRUE(sexes[n].contains(g.person.sex)) << n;
  }
}

// ---------------------------------------------------------------------------

TEST(FoldTest, Examples) {
  EXPECT_EQ(FoldToUpperAscii("Lefèvre"), "LEFEVRE");
  EXPECT_EQ(FoldToUpperAscii("N'Diaye"), "NDIAYE");
  EXPECT_EQ(FoldToUpperAscii("Schœlcher"), "SCHOELCHER");
  EXPECT_EQ(FoldToUpperAscii("Wiśniewski"), "WISNIEWSKI");
  EXPECT_EQ(FoldToUpperAscii("Iași"), "IASI");
  EXPECT_EQ(FoldToUpperAscii("Gonçalves"), "GONCALVES");
  EXPECT_EQ(FoldToUpperAscii("Maëlle"), "MAELLE");
  EXPECT_EQ(FoldToUpperAscii(""), "");
}

TEST(ProbeTest, RejectsIncompletePersons) {
  SeededRandom rng(1);
  Person p;
  EXPECT_FALSE(MakeProbe(p, QueryVariant::kExact, rng).has_value());
  p.surname = "Martin";
  EXPECT_FALSE(MakeProbe(p, QueryVariant::kTypo, rng).has_value());
  p.given_names = {"Jean"};
  EXPECT_TRUE(MakeProbe(p, QueryVariant::kTypo, rng).has_value());
}

TEST(ProbeTest, ExactMatchesAfterFolding) {
  SeededRandom rng(11);
  bool saw_recased = false;
  for (size_t i = 0; i < 3000; ++i) {
    const Person& p = Sample()[i].person;
    const auto probe = MakeProbe(p, QueryVariant::kExact, rng);
    ASSERT_TRUE(probe.has_value());
    EXPECT_EQ(probe->variant, QueryVariant::kExact);
    EXPECT_EQ(FoldToUpperAscii(probe->surname), FoldToUpperAscii(p.surname));
    EXPECT_EQ(FoldToUpperAscii(probe->given_name), FoldToUpperAscii(p.given_names[0]));
    EXPECT_TRUE(IsValidUtf8(probe->surname) && IsValidUtf8(probe->given_name));
    saw_recased |= probe->surname != p.surname;
    EXPECT_EQ(probe->birth_date.year, p.birth_date.year);
    if (probe->birth_date.month != 0) {
      EXPECT_EQ(probe->birth_date, p.birth_date);
    }
  }
  EXPECT_TRUE(saw_recased);
}

TEST(ProbeTest, TypoIsExactlyOneEditInOneField) {
  SeededRandom rng(12);
  int on_surname = 0;
  for (size_t i = 0; i < 5000; ++i) {
    const Person& p = Sample()[i].person;
    const auto probe = MakeProbe(p, QueryVariant::kTypo, rng);
    ASSERT_TRUE(probe.has_value());
    const std::string s = FoldToUpperAscii(probe->surname);
    const std::string g = FoldToUpperAscii(probe->given_name);
    ASSERT_FALSE(s.empty());
    ASSERT_FALSE(g.empty());
    const int ds = Osa(s, FoldToUpperAscii(p.surname));
    const int dg = Osa(g, FoldToUpperAscii(p.given_names[0]));
    EXPECT_EQ(ds + dg, 1) << p.surname << " " << p.given_names[0] << " -> " << probe->surname << " "
                          << probe->given_name;
    on_surname += ds;
  }
  EXPECT_GT(on_surname, 2000);
  EXPECT_LT(on_surname, 4000);
}

TEST(ProbeTest, PhoneticDiffersInSpellingOnly) {
  SeededRandom rng(13);
  int made = 0;
  const size_t n = 5000;
  for (size_t i = 0; i < n; ++i) {
    const Person& p = Sample()[i].person;
    const auto probe = MakeProbe(p, QueryVariant::kPhonetic, rng);
    if (!probe) continue;
    ++made;
    EXPECT_NE(FoldToUpperAscii(probe->surname), FoldToUpperAscii(p.surname));
    EXPECT_FALSE(probe->surname.empty());
    EXPECT_EQ(FoldToUpperAscii(probe->given_name), FoldToUpperAscii(p.given_names[0]));
  }
  EXPECT_GT(made, static_cast<int>(n * 0.8));

  auto variants = [&](const char* surname) {
    Person p;
    p.surname = surname;
    p.given_names = {"Jean"};
    std::set<std::string> out;
    for (int k = 0; k < 400; ++k) {
      if (auto probe = MakeProbe(p, QueryVariant::kPhonetic, rng)) out.insert(probe->surname);
    }
    return out;
  };
  EXPECT_TRUE(variants("Renaud").contains("RENAULT"));
  EXPECT_TRUE(variants("Gauthier").contains("GAUTIER"));
  EXPECT_TRUE(variants("Moreau").contains("MORO"));
  EXPECT_TRUE(variants("Philippe").contains("FILIPPE"));
  EXPECT_TRUE(variants("Henry").contains("HENRI"));
  EXPECT_TRUE(variants("Roger").contains("ROGEZ"));
  EXPECT_TRUE(variants("Bonnet").contains("BONET"));
  EXPECT_TRUE(variants("Camus").contains("KAMUS"));
  EXPECT_TRUE(variants("Durand").contains("DURAN"));
  EXPECT_TRUE(variants("Lefebvre").contains("LEFEVRE"));
  EXPECT_TRUE(variants("Leclercq").contains("LECLERC"));
  EXPECT_TRUE(variants("Garcia").contains("GARSIA"));
  Person short_name;  // nothing applies to "BA"
  short_name.surname = "Ba";
  short_name.given_names = {"Awa"};
  EXPECT_FALSE(MakeProbe(short_name, QueryVariant::kPhonetic, rng).has_value());
}

TEST(ProbeTest, YearOnlyPersonsGiveYearProbes) {
  SeededRandom rng(14);
  int checked = 0;
  for (const auto& g : Sample()) {
    const Person& p = g.person;
    if (p.birth_date.month != 0) continue;
    for (auto v : {QueryVariant::kExact, QueryVariant::kTypo, QueryVariant::kPhonetic}) {
      const auto probe = MakeProbe(p, v, rng);
      if (!probe) continue;
      EXPECT_EQ(probe->birth_date, (PartialDate{p.birth_date.year, 0, 0}));
      ++checked;
    }
  }
  EXPECT_GT(checked, 300);
}

}  // namespace
}  // namespace vigie::records
