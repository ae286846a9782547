#include "records/generator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <unordered_set>
#include <utility>

#include "records/generator_data.h"
#include "records/internal/generator_calendar.h"
#include "records/internal/generator_text.h"
#include "records/internal/weighted_pick.h"
#include "records/name_normaliser.h"

namespace vigie::records {
namespace {

namespace gd = generator_data;
using gd::Origin;
using internal::AddYears;
using internal::AppendPadded;
using internal::CivilFromDays;
using internal::DayBetween;
using internal::DaysFromCivil;
using internal::ExternalId;
using internal::HasControlChar;
using internal::OfPlace;
using internal::RowPicker;
using internal::TitleCase;
using internal::WeightedIndex;

// Share of persons whose surname comes from the built-in head table; the
// rest come from the long tail (when one was given).
constexpr double kHeadSurnameShare = 0.18;
// Zipf offset for the long tail: rank r has weight 1 / (r + q). With q = 1000
// the most frequent tail name is rarer than the rarest head names.
constexpr double kTailZipfOffset = 1000.0;
// Fixed, so that the same tail names are the "common" ones whatever the seed.
constexpr uint64_t kTailShuffleSeed = 0x5649474945544149ULL;
constexpr size_t kMaxTailNameBytes = 60;
constexpr size_t kMaxFieldBytes = 100;

constexpr double kDoubleBarrelShare = 0.03;
constexpr double kBornAbroadShare = 0.08;
constexpr double kYearOnlyShare = 0.02;
constexpr double kYearMonthShare = 0.01;
constexpr int kMinAge = 13;
constexpr int kMaxAge = 95;

const int64_t kReferenceDays = DaysFromCivil(
    kGeneratorReferenceDate.year, kGeneratorReferenceDate.month, kGeneratorReferenceDate.day);

int SexSlot(Sex s) { return s == Sex::kFemale ? 0 : 1; }

uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double Clamp01(double v) { return v >= 0.0 ? std::min(v, 1.0) : 0.0; }  // NaN → 0

// Person age distribution (ages kMinAge..kMaxAge): a rough French pyramid,
// denser between 25 and 60, thinning after 70.
double AgeWeight(int age) {
  if (age < 18) return 0.55;
  if (age < 25) return 1.0;
  if (age <= 60) return 1.15;
  if (age <= 70) return 0.85;
  if (age <= 80) return 0.55;
  if (age <= 90) return 0.25;
  return 0.08;
}

struct OffenceMix {
  OffenceCategory category;
  double weight;
  bool can_be_victim;
};
constexpr OffenceMix kOffenceMix[] = {
    {OffenceCategory::kTheft, 24, true},      {OffenceCategory::kTraffic, 18, true},
    {OffenceCategory::kDrugs, 16, false},     {OffenceCategory::kAssault, 14, true},
    {OffenceCategory::kFraud, 6, true},       {OffenceCategory::kVandalism, 6, true},
    {OffenceCategory::kBurglary, 5, true},    {OffenceCategory::kThreats, 5, true},
    {OffenceCategory::kWeapons, 2.5, false},  {OffenceCategory::kSexualOffence, 1.5, true},
    {OffenceCategory::kHomicide, 0.3, false}, {OffenceCategory::kOther, 3, true},
};
// Victim probability for categories that can have one, so that ~25 % of all
// entries are victims overall (drugs, weapons and homicide are always suspects).
constexpr double kVictimShareWhenPossible = 0.31;

}  // namespace

// ---------------------------------------------------------------------------

struct internal::GeneratorTables {
  std::span<const gd::SurnameRow> head;
  RowPicker head_all;
  std::array<RowPicker, gd::kOriginCount> head_by_origin;

  std::span<const gd::GivenNameRow> given;
  std::array<std::array<RowPicker, gd::kDecadeCount>, 2> given_by_decade;  // [sex][decade]
  std::array<std::array<RowPicker, gd::kOriginCount>, 2> given_by_origin;  // [sex][origin]

  WeightedIndex ages;  // index + kMinAge

  std::span<const gd::CommuneRow> communes;
  std::vector<std::string> commune_display;  // "Lyon (69)"
  WeightedIndex commune_pick;

  std::span<const gd::ForeignPlaceRow> foreign;
  std::vector<std::string> foreign_display;  // "Alger (Algérie)"
  WeightedIndex foreign_pick;

  std::span<const gd::CourtRow> courts;
  std::vector<std::string> court_of;  // "de Lyon", "d'Évry"
  WeightedIndex court_pick;

  double tail_log_ratio = 0.0;
  double wanted_if_record = 0.0;
  double wanted_if_clean = 0.0;
};

PopulationGenerator::PopulationGenerator(GeneratorOptions options,
                                         std::vector<std::string> long_tail_surnames)
    : options_(options) {
  options_.wanted_share = Clamp01(options_.wanted_share);
  options_.record_share = Clamp01(options_.record_share);
  options_.alias_share = Clamp01(options_.alias_share);

  auto t = std::make_shared<internal::GeneratorTables>();

  t->head = gd::HeadSurnames();
  std::unordered_set<std::string> head_keys;
  for (uint32_t i = 0; i < t->head.size(); ++i) {
    const auto& row = t->head[i];
    t->head_all.Add(i, row.weight);
    t->head_by_origin[static_cast<int>(row.origin)].Add(i, row.weight);
    head_keys.insert(NormaliseName(row.name).value_or(""));
  }

  t->given = gd::GivenNames();
  for (uint32_t i = 0; i < t->given.size(); ++i) {
    const auto& row = t->given[i];
    const int s = SexSlot(row.sex);
    for (int d = 0; d < gd::kDecadeCount; ++d) t->given_by_decade[s][d].Add(i, row.per_mille[d]);
    if (row.origin != Origin::kGeneral) {
      t->given_by_origin[s][static_cast<int>(row.origin)].Add(i, row.origin_weight);
    }
  }

  for (int age = kMinAge; age <= kMaxAge; ++age) t->ages.Add(AgeWeight(age));

  // +20k per commune stands for the small neighbouring communes whose births
  // are registered at its maternity; it also keeps Paris near its real share.
  t->communes = gd::Communes();
  for (const auto& c : t->communes) {
    t->commune_display.push_back(std::string(c.name) + " (" + std::string(c.department) + ")");
    t->commune_pick.Add(static_cast<double>(c.population_k) + 20.0);
  }
  t->foreign = gd::ForeignPlaces();
  for (const auto& f : t->foreign) {
    t->foreign_display.push_back(std::string(f.city) + " (" + std::string(f.country) + ")");
    t->foreign_pick.Add(f.weight);
  }
  t->courts = gd::Courts();
  for (const auto& c : t->courts) {
    t->court_of.push_back(OfPlace(c.city));
    t->court_pick.Add(c.weight);
  }

  // Long tail: clean, title-case, drop head names and duplicates, then put in
  // a fixed pseudo-random rank order (the input is alphabetical).
  tail_.reserve(long_tail_surnames.size());
  std::unordered_set<std::string> seen;
  seen.reserve(long_tail_surnames.size());
  for (std::string& raw : long_tail_surnames) {
    std::string_view s = raw;
    while (!s.empty() &&
           (s.back() == ' ' || s.back() == '\r' || s.back() == '\n' || s.back() == '\t')) {
      s.remove_suffix(1);
    }
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    if (s.empty() || s.size() > kMaxTailNameBytes || HasControlChar(s) || !IsValidUtf8(s)) {
      continue;
    }
    std::string key = NormaliseName(s).value_or("");
    if (key.empty() || head_keys.contains(key) || !seen.insert(std::move(key)).second) continue;
    tail_.push_back(TitleCase(s));
  }
  SeededRandom shuffle(kTailShuffleSeed);
  for (size_t i = tail_.size(); i > 1; --i) {
    std::swap(tail_[i - 1], tail_[shuffle.Below(i)]);
  }
  t->tail_log_ratio =
      std::log((static_cast<double>(tail_.size()) + kTailZipfOffset) / kTailZipfOffset);

  // Wanted persons more often have a record: P(W | record) = 2.4 w, capped so
  // that the overall share stays w.
  const double w = options_.wanted_share;
  const double r = options_.record_share;
  t->wanted_if_record = r > 0 ? std::min({1.0, 2.4 * w, w / r}) : 0.0;
  t->wanted_if_clean = r < 1 ? Clamp01((w - r * t->wanted_if_record) / (1 - r)) : 0.0;

  tables_ = std::move(t);
}

namespace {

// Per-person drawing state, so helpers read like the domain steps.
class PersonBuilder {
 public:
  PersonBuilder(const internal::GeneratorTables& t, const std::vector<std::string>& tail,
                SeededRandom& rng)
      : t_(t), tail_(tail), rng_(rng) {}

  std::string Surname(Origin* origin) {
    if (tail_.empty() || rng_.Unit() < kHeadSurnameShare) {
      const auto& row = t_.head[t_.head_all.Pick(rng_)];
      *origin = row.origin;
      return std::string(row.name);
    }
    *origin = Origin::kGeneral;
    const double x = kTailZipfOffset * std::expm1(rng_.Unit() * t_.tail_log_ratio);
    const size_t rank = std::min(static_cast<size_t>(x), tail_.size() - 1);
    return tail_[rank];
  }

  std::string SurnameOfOrigin(Origin origin) {
    return std::string(t_.head[t_.head_by_origin[static_cast<int>(origin)].Pick(rng_)].name);
  }

  std::string_view GivenName(Sex sex, int decade, Origin origin) {
    const int s = SexSlot(sex);
    const RowPicker* picker = &t_.given_by_decade[s][std::clamp(decade, 0, gd::kDecadeCount - 1)];
    if (origin != Origin::kGeneral && !t_.given_by_origin[s][static_cast<int>(origin)].empty()) {
      picker = &t_.given_by_origin[s][static_cast<int>(origin)];
    }
    return t_.given[picker->Pick(rng_)].name;
  }

  double Unit() { return rng_.Unit(); }
  uint64_t Below(uint64_t n) { return rng_.Below(n); }
  SeededRandom& rng() { return rng_; }
  const internal::GeneratorTables& tables() const { return t_; }

 private:
  const internal::GeneratorTables& t_;
  const std::vector<std::string>& tail_;
  SeededRandom& rng_;
};

// "Jean-Paul" and "Jean" (or "Marie-Thérèse" and "Thérèse") would read as a
// repetition within one person's given names.
bool SharesPart(std::string_view a, std::string_view b) {
  auto parts = [](std::string_view s) {
    std::vector<std::string_view> out;
    size_t start = 0;
    while (start <= s.size()) {
      const size_t end = std::min(s.find('-', start), s.size());
      out.push_back(s.substr(start, end - start));
      start = end + 1;
    }
    return out;
  };
  for (std::string_view x : parts(a)) {
    for (std::string_view y : parts(b)) {
      if (x == y) return true;
    }
  }
  return false;
}

std::string JoinSurnames(const std::string& a, const std::string& b) {
  if (a.size() + 1 + b.size() > kMaxFieldBytes || a == b) return a;
  return a + "-" + b;
}

std::string RecordingService(PersonBuilder& b, OffenceCategory category, int commune_hint) {
  const auto& t = b.tables();
  const size_t ci = commune_hint >= 0 && b.Unit() < 0.5 ? static_cast<size_t>(commune_hint)
                                                        : t.commune_pick.Pick(b.rng());
  const auto& commune = t.communes[ci];
  const std::string name(commune.name);
  const bool paris = commune.department == "75";
  const bool big = commune.population_k >= 100;
  const double u = b.Unit();
  switch (category) {
    case OffenceCategory::kDrugs:
      if (big && u < 0.2) return "Brigade des stupéfiants " + OfPlace(name);
      break;
    case OffenceCategory::kBurglary:
    case OffenceCategory::kTheft:
      if (big && u < 0.05) return "BRI " + name;
      break;
    case OffenceCategory::kHomicide:
      if (paris) return "Brigade criminelle de Paris";
      if (big) return "Police judiciaire " + OfPlace(name);
      return "Section de recherches " + OfPlace(name);
    case OffenceCategory::kSexualOffence:
      if (u < 0.4) {
        if (paris) return "Brigade de protection des mineurs de Paris";
        if (commune.population_k >= 20)
          return "Brigade de protection des familles " + OfPlace(name);
        return "Maison de protection des familles " + OfPlace(name);
      }
      break;
    case OffenceCategory::kTraffic:
      if (commune.population_k < 20 && u < 0.4) return "Brigade motorisée " + OfPlace(name);
      break;
    default:
      break;
  }
  if (paris) {
    const uint64_t arr = 1 + b.Below(20);
    std::string s = "Commissariat du ";
    AppendPadded(s, arr, 1);
    s += arr == 1 ? "er arrondissement de Paris" : "e arrondissement de Paris";
    return s;
  }
  if (commune.population_k >= 150 && b.Unit() < 0.3) return "Commissariat central " + OfPlace(name);
  if (commune.population_k >= 20) return "Commissariat " + OfPlace(name);
  return "Brigade de gendarmerie " + OfPlace(name);
}

struct ReasonSpec {
  WantedReason reason;
  Conduct conduct;
  std::string_view ref_prefix;
  int max_age_days;  // how far back valid_from may lie
};

constexpr ReasonSpec kReasons[] = {
    {WantedReason::kArrestWarrant, Conduct::kArrest, "MA", 15 * 365},
    {WantedReason::kSearchWarrant, Conduct::kArrest, "MR", 5 * 365},
    {WantedReason::kJudicialSupervision, Conduct::kInformAuthority, "CJ", 2 * 365},
    {WantedReason::kEscapee, Conduct::kArrest, "EV", 10 * 365},
    {WantedReason::kMissingAdult, Conduct::kLocateDiscreetly, "DI", 10 * 365},
    {WantedReason::kMissingMinor, Conduct::kProtect, "MF", 2 * 365},
    {WantedReason::kBannedFromTerritory, Conduct::kArrest, "IT", 8 * 365},
    {WantedReason::kWitness, Conduct::kInformAuthority, "TR", 2 * 365},
};

// Reason weights (same order as kReasons) by the person's situation.
std::array<double, 8> ReasonWeights(int age, bool foreign_national) {
  if (age < 18) return {10, 10, 10, 0, 0, 55, 0, 10};
  std::array<double, 8> w = {30, 18, 14, 3, 12, 0, foreign_national ? 10.0 : 0.0, 8};
  if (age >= 70) w[4] = 40;  // disparitions inquiétantes of elderly people
  return w;
}

std::string IssuingAuthority(PersonBuilder& b, WantedReason reason) {
  const auto& t = b.tables();
  const std::string& of = t.court_of[t.court_pick.Pick(b.rng())];
  const double u = b.Unit();
  switch (reason) {
    case WantedReason::kArrestWarrant:
      return u < 0.7 ? "Tribunal judiciaire " + of + " — juge d'instruction"
                     : "Tribunal correctionnel " + of;
    case WantedReason::kSearchWarrant:
      return u < 0.6 ? "Parquet " + of : "Tribunal judiciaire " + of + " — juge d'instruction";
    case WantedReason::kJudicialSupervision:
      return u < 0.5 ? "Tribunal judiciaire " + of + " — juge d'instruction"
                     : "Tribunal judiciaire " + of + " — juge des libertés et de la détention";
    case WantedReason::kMissingMinor:
      return "Parquet " + of + " — section des mineurs";
    case WantedReason::kBannedFromTerritory:
      return "Tribunal correctionnel " + of;
    case WantedReason::kWitness:
      return u < 0.7 ? "Tribunal judiciaire " + of + " — juge d'instruction"
                     : "Cour d'assises " + of;
    case WantedReason::kEscapee:
    case WantedReason::kMissingAdult:
      break;
  }
  return "Parquet " + of;
}

PartialDate WithPrecision(int64_t days, SeededRandom& rng, double year_only, double year_month) {
  PartialDate d = CivilFromDays(days);
  const double u = rng.Unit();
  if (u < year_only) {
    d.month = 0;
    d.day = 0;
  } else if (u < year_only + year_month) {
    d.day = 0;
  }
  return d;
}

}  // namespace

PopulationGenerator::Generated PopulationGenerator::Make(uint64_t index) const {
  const internal::GeneratorTables& t = *tables_;
  SeededRandom rng(
      Mix64(options_.seed * 0x9E3779B97F4A7C15ULL + Mix64(index ^ 0xD6E8FEB86659FD93ULL)));
  PersonBuilder b(t, tail_, rng);

  Generated g;
  Person& p = g.person;
  p.external_id = ExternalId('P', index, 0);
  p.sex = rng.Unit() < 0.5 ? Sex::kFemale : Sex::kMale;

  // Birth date: exact age at the reference date, then a day inside that year of age.
  const int age = kMinAge + static_cast<int>(t.ages.Pick(rng));
  const int64_t born_days = DayBetween(rng, AddYears(kReferenceDays, -age - 1) + 1,
                                       AddYears(kReferenceDays, -age), false);
  p.birth_date = WithPrecision(born_days, rng, kYearOnlyShare, kYearMonthShare);
  const int birth_year = CivilFromDays(born_days).year;
  const int decade = (birth_year - gd::kFirstDecade) / 10;

  // Birth place and nationality.
  Origin place_origin = Origin::kGeneral;
  int commune = -1;
  const bool abroad = rng.Unit() < kBornAbroadShare;
  if (abroad) {
    const size_t fi = t.foreign_pick.Pick(rng);
    const auto& row = t.foreign[fi];
    p.birth_place = t.foreign_display[fi];
    place_origin = row.origin;
    p.nationality = rng.Below(100) < row.foreign_nationality_pct ? std::string(row.iso3) : "FRA";
  } else {
    commune = static_cast<int>(t.commune_pick.Pick(rng));
    p.birth_place = t.commune_display[static_cast<size_t>(commune)];
    p.nationality = "FRA";
  }

  // Surname.
  Origin name_origin = Origin::kGeneral;
  if (place_origin != Origin::kGeneral && rng.Unit() < 0.65 &&
      !t.head_by_origin[static_cast<int>(place_origin)].empty()) {
    p.surname = b.SurnameOfOrigin(place_origin);
    name_origin = place_origin;
  } else {
    p.surname = b.Surname(&name_origin);
  }
  if (rng.Unit() < kDoubleBarrelShare) {
    Origin ignored;
    p.surname = JoinSurnames(p.surname, b.Surname(&ignored));
  }

  // Given names: 1..3, the first from the birth decade's fashion (or the
  // family's origin), the next ones often from the grandparents' generation.
  Origin given_origin = Origin::kGeneral;
  if (abroad && place_origin != Origin::kGeneral && rng.Unit() < 0.75) {
    given_origin = place_origin;
  } else if (!abroad && name_origin != Origin::kGeneral && rng.Unit() < 0.5) {
    given_origin = name_origin;
  }
  const double u_count = rng.Unit();
  const int count = u_count < 0.30 ? 1 : (u_count < 0.75 ? 2 : 3);
  p.given_names.reserve(static_cast<size_t>(count));
  p.given_names.emplace_back(b.GivenName(p.sex, decade, given_origin));
  for (int k = 1; k < count; ++k) {
    for (int attempt = 0; attempt < 4; ++attempt) {
      std::string_view name;
      const double u = rng.Unit();
      if (given_origin == Origin::kGeneral && p.sex == Sex::kFemale && u < 0.15) {
        name = "Marie";
      } else if (given_origin == Origin::kGeneral && p.sex == Sex::kMale && u < 0.08) {
        name = "Jean";
      } else {
        name = b.GivenName(p.sex, given_origin == Origin::kGeneral ? decade - 3 : decade,
                           given_origin);
      }
      if (std::none_of(p.given_names.begin(), p.given_names.end(),
                       [&](const std::string& have) { return SharesPart(have, name); })) {
        p.given_names.emplace_back(name);
        break;
      }
    }
  }

  // Aliases: usage (married) names for adult women, otherwise another surname.
  if (rng.Unit() < options_.alias_share) {
    const int n = rng.Unit() < 0.1 ? 2 : 1;
    for (int k = 0; k < n; ++k) {
      Origin ignored;
      std::string alias = b.Surname(&ignored);
      if (p.sex == Sex::kFemale && age >= 20 && rng.Unit() < 0.25) {  // "Martin-Dupont"
        alias = JoinSurnames(p.surname, alias);
      }
      if (alias != p.surname &&
          std::find(p.aliases.begin(), p.aliases.end(), alias) == p.aliases.end()) {
        p.aliases.push_back(std::move(alias));
      }
    }
  }

  // Criminal record.
  const bool has_record = rng.Unit() < options_.record_share;
  if (has_record) {
    static const WeightedIndex kOffencePick = [] {
      WeightedIndex w;
      for (const auto& o : kOffenceMix) w.Add(o.weight);
      return w;
    }();
    int n = 1;
    while (n < 6 && rng.Unit() < 0.45) ++n;
    // Dates first, in chronological order, so R...-1 is the oldest entry.
    const int64_t first_day = AddYears(born_days, 13);
    std::array<int64_t, 6> days{};
    for (size_t k = 0; k < static_cast<size_t>(n); ++k)
      days[k] = DayBetween(rng, first_day, kReferenceDays, true);
    std::sort(days.begin(), days.begin() + n);
    g.entries.reserve(static_cast<size_t>(n));
    for (int k = 1; k <= n; ++k) {
      RecordEntry e;
      e.external_id = ExternalId('R', index, k);
      e.person_external_id = p.external_id;
      const auto& mix = kOffenceMix[kOffencePick.Pick(rng)];
      e.category = mix.category;
      e.role = mix.can_be_victim && rng.Unit() < kVictimShareWhenPossible ? EntryRole::kVictim
                                                                          : EntryRole::kSuspect;
      e.date = WithPrecision(days[static_cast<size_t>(k - 1)], rng, 0.01, 0.02);
      e.case_reference.reserve(11);
      AppendPadded(e.case_reference, static_cast<uint64_t>(e.date.year), 4);
      e.case_reference.push_back('/');
      AppendPadded(e.case_reference, rng.Below(1000000), 6);
      e.recording_service = RecordingService(b, e.category, commune);
      g.entries.push_back(std::move(e));
    }
  }

  // Wanted notices.
  if (rng.Unit() < (has_record ? t.wanted_if_record : t.wanted_if_clean)) {
    const int n = rng.Unit() < 0.1 ? 2 : 1;
    const auto weights = ReasonWeights(age, p.nationality != "FRA");
    for (int k = 1; k <= n; ++k) {
      double total = 0;
      for (double w : weights) total += w;
      double x = rng.Unit() * total;
      size_t ri = 0;
      for (; ri + 1 < weights.size(); ++ri) {
        if (x < weights[ri]) break;
        x -= weights[ri];
      }
      while (weights[ri] <= 0) --ri;  // rounding at the top end; weights[0] > 0
      const ReasonSpec& spec = kReasons[ri];

      WantedNotice w;
      w.external_id = ExternalId('W', index, k);
      w.person_external_id = p.external_id;
      w.reason = spec.reason;
      w.conduct = spec.conduct;
      const int64_t earliest =
          std::max(AddYears(born_days, spec.reason == WantedReason::kMissingMinor ? 12 : 13),
                   kReferenceDays - spec.max_age_days);
      const int64_t from = DayBetween(rng, earliest, kReferenceDays, true);
      w.valid_from = CivilFromDays(from);
      switch (spec.reason) {
        case WantedReason::kMissingMinor:
          w.valid_until = CivilFromDays(AddYears(born_days, 18));
          break;
        case WantedReason::kJudicialSupervision:
          w.valid_until = CivilFromDays(from + 180 + static_cast<int64_t>(rng.Below(541)));
          break;
        case WantedReason::kWitness:
          w.valid_until = CivilFromDays(AddYears(from, 1));
          break;
        case WantedReason::kBannedFromTerritory:
          if (rng.Unit() < 0.6) {
            w.valid_until = CivilFromDays(AddYears(from, rng.Unit() < 0.5 ? 5 : 10));
          }
          break;
        case WantedReason::kArrestWarrant:
        case WantedReason::kSearchWarrant:
        case WantedReason::kEscapee:
        case WantedReason::kMissingAdult:
          break;
      }
      w.issuing_authority = IssuingAuthority(b, spec.reason);
      w.reference.reserve(16);
      w.reference += spec.ref_prefix;
      w.reference.push_back('-');
      AppendPadded(w.reference, static_cast<uint64_t>(w.valid_from.year), 4);
      w.reference.push_back('-');
      AppendPadded(w.reference, rng.Below(10000000), 7);
      g.notices.push_back(std::move(w));
    }
  }
  return g;
}

}  // namespace vigie::records
