#include "records/internal/generator_text.h"

#include <gtest/gtest.h>

namespace vigie::records::internal {
namespace {

TEST(GeneratorTextTest, TitleCasesNamesWithTheirParticles) {
  EXPECT_EQ(TitleCase("DE LA FONTAINE"), "De La Fontaine");
  EXPECT_EQ(TitleCase("ACHARD DE LA VENTE"), "Achard de La Vente");
  EXPECT_EQ(TitleCase("N'DIAYE"), "N'Diaye");
  EXPECT_EQ(TitleCase("MARTIN-DUPONT"), "Martin-Dupont");
  EXPECT_EQ(TitleCase("DUPONT DIT D'ARTAGNAN"), "Dupont dit d'Artagnan");
  EXPECT_EQ(TitleCase("LEFÈVRE"), "LefÈvre");  // non-ASCII bytes pass through as they are
  EXPECT_EQ(TitleCase(""), "");
}

TEST(GeneratorTextTest, NamesAPlaceAsItsOrigin) {
  EXPECT_EQ(OfPlace("Lyon"), "de Lyon");
  EXPECT_EQ(OfPlace("Évry"), "d'Évry");
  EXPECT_EQ(OfPlace("Le Havre"), "du Havre");
  EXPECT_EQ(OfPlace("Les Abymes"), "des Abymes");
  EXPECT_EQ(OfPlace("La Rochelle"), "de La Rochelle");
  EXPECT_EQ(OfPlace("Hyères"), "d'Hyères");
}

TEST(GeneratorTextTest, PadsExternalIdsToNineDigits) {
  EXPECT_EQ(ExternalId('P', 42, 0), "P000000042");
  EXPECT_EQ(ExternalId('W', 42, 1), "W000000042-1");
  EXPECT_EQ(ExternalId('R', 1234567890, 12), "R1234567890-12");
}

TEST(GeneratorTextTest, FindsControlCharacters) {
  EXPECT_FALSE(HasControlChar("Dupont"));
  EXPECT_TRUE(HasControlChar("Du\tpont"));
  EXPECT_TRUE(HasControlChar(std::string_view("Du\0pont", 7)));
  EXPECT_TRUE(HasControlChar("Dupont\x7f"));
}

}  // namespace
}  // namespace vigie::records::internal
