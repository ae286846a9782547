#pragma once
// Frequency tables behind PopulationGenerator (generator.h): the most common
// French surnames, given names by sex and birth decade, communes of birth
// with their department, foreign birth places, courts.
//
// The figures are approximations written from general knowledge of French
// civil-status statistics (INSEE surname and given-name counts, commune
// populations); they aim at a realistic *shape*, not at exact values.
// All strings are valid UTF-8 and carry their accents ("Lefèvre", "Hélène").
//
// Thread-safety: constant static data, safe to read from any thread.

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "records/model.h"

namespace vigie::records::generator_data {

// Family background a name or a birth country belongs to. Lets the generator
// keep a person coherent: someone born in Dakar more often has a Senegalese
// surname and given name; someone born in Lyon can have any.
enum class Origin : uint8_t {
  kGeneral,        // France and countries whose names blend into the general tables
  kMaghreb,        // Algeria, Morocco, Tunisia
  kWestAfrica,     // Senegal, Mali, Guinea
  kCentralAfrica,  // Côte d'Ivoire, Cameroon, DR Congo
  kPortugal,
  kSpain,
  kItaly,
  kTurkey,
  kEastAsia,    // Viet Nam, China, Cambodia
  kEastEurope,  // Romania, Poland, former Yugoslavia
};
inline constexpr int kOriginCount = 10;

struct SurnameRow {
  std::string_view name;  // as written in French records, title case
  uint32_t weight;        // ≈ thousands of bearers in France
  Origin origin;
};

// Birth decades covered by the given-name tables: 1930s .. 2010s.
inline constexpr int kFirstDecade = 1930;
inline constexpr int kDecadeCount = 9;

struct GivenNameRow {
  std::string_view name;
  Sex sex;
  Origin origin;
  // Popularity within its origin community (used for people of that origin,
  // whatever the decade); 0 for kGeneral rows.
  uint16_t origin_weight;
  // ≈ births per thousand of that sex in France, per decade (1930s .. 2010s).
  std::array<uint8_t, kDecadeCount> per_mille;
};

struct CommuneRow {
  std::string_view name;
  std::string_view department;  // "69", "2A", "974"
  uint32_t population_k;        // thousands of inhabitants
};

struct ForeignPlaceRow {
  std::string_view city;     // French exonym: "Alger", "Lisbonne"
  std::string_view country;  // French name: "Algérie"
  std::string_view iso3;     // ISO 3166-1 alpha-3 of the country
  Origin origin;
  uint16_t weight;                  // relative share among people born abroad
  uint8_t foreign_nationality_pct;  // % who still hold that nationality (rest: FRA)
};

struct CourtRow {
  std::string_view city;  // seat of a tribunal judiciaire
  uint16_t weight;
};

std::span<const SurnameRow> HeadSurnames();  // no particular order
std::span<const GivenNameRow> GivenNames();
std::span<const CommuneRow> Communes();
std::span<const ForeignPlaceRow> ForeignPlaces();
std::span<const CourtRow> Courts();

}  // namespace vigie::records::generator_data
