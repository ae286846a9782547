#pragma once
// Text for the population generator: names as a registry prints them, "of a
// place" in French, and the generated external ids.
//
// Thread-safety: pure functions.

#include <cstdint>
#include <string>
#include <string_view>

namespace vigie::records::internal {

bool HasControlChar(std::string_view s);

// "DE LA FONTAINE" → "De La Fontaine", "ACHARD DE LA VENTE" → "Achard de La Vente",
// "N'DIAYE" → "N'Diaye", "MARTIN-DUPONT" → "Martin-Dupont". Particles (de, du, des,
// d', dit, et) are lower case except as the first word. Non-ASCII bytes pass through.
std::string TitleCase(std::string_view upper);

// "de Lyon", "d'Évry", "du Havre", "des Abymes", "de La Rochelle".
std::string OfPlace(std::string_view place);

// The decimal digits of value, zero-padded to at least width.
void AppendPadded(std::string& out, uint64_t value, int width);

// prefix + index on at least nine digits, then "-k" when k > 0: "P000000042",
// "W000000042-1".
std::string ExternalId(char prefix, uint64_t index, int k);

}  // namespace vigie::records::internal
