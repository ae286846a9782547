#include "records/name_normaliser.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

namespace vigie::records {
namespace {

using Forms = std::vector<std::string>;

std::string Norm(std::string_view in) {
  Result<std::string> r = NormaliseName(in);
  EXPECT_TRUE(r.has_value()) << "input: " << in << " error: " << r.error().ToString();
  return r.value_or("<error>");
}

// Asserts InvalidArgument and that the message contains `fragment`.
void ExpectRejected(std::string_view in, std::string_view fragment) {
  Result<std::string> r = NormaliseName(in);
  ASSERT_FALSE(r.has_value()) << "accepted: " << *r;
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find(fragment), std::string::npos) << r.error().message();
}

TEST(NormaliseNameTest, UpperCasesAscii) {
  EXPECT_EQ(Norm("Dupont"), "DUPONT");
  EXPECT_EQ(Norm("martin"), "MARTIN");
  EXPECT_EQ(Norm("MARTIN"), "MARTIN");
}

TEST(NormaliseNameTest, FoldsLatin1Accents) {
  EXPECT_EQ(Norm("Élodie"), "ELODIE");
  EXPECT_EQ(Norm("François"), "FRANCOIS");
  EXPECT_EQ(Norm("Hélène Gaëlle"), "HELENE GAELLE");
  EXPECT_EQ(Norm("àâäãåáÀÂÄ"), "AAAAAAAAA");
  EXPECT_EQ(Norm("èéêëÈÉÊË"), "EEEEEEEE");
  EXPECT_EQ(Norm("ìíîïÌÍÎÏ"), "IIIIIIII");
  EXPECT_EQ(Norm("òóôõöÒÓÔÕÖ"), "OOOOOOOOOO");
  EXPECT_EQ(Norm("ùúûüÙÚÛÜ"), "UUUUUUUU");
  EXPECT_EQ(Norm("ýÿÝŸ"), "YYYY");
  EXPECT_EQ(Norm("Muñoz"), "MUNOZ");
  EXPECT_EQ(Norm("Sørensen"), "SORENSEN");
  EXPECT_EQ(Norm("Ðorđe"), "DORDE");
}

TEST(NormaliseNameTest, FoldsLigaturesAndSpecialLetters) {
  EXPECT_EQ(Norm("Lætitia"), "LAETITIA");
  EXPECT_EQ(Norm("ÆLIS"), "AELIS");
  EXPECT_EQ(Norm("Œuvray"), "OEUVRAY");
  EXPECT_EQ(Norm("cœur"), "COEUR");
  EXPECT_EQ(Norm("Strauß"), "STRAUSS");
  EXPECT_EQ(Norm("STRAUẞ"), "STRAUSS");
  EXPECT_EQ(Norm("Þórsson"), "THORSSON");
  EXPECT_EQ(Norm("Ĳsselmeer"), "IJSSELMEER");
}

TEST(NormaliseNameTest, FoldsLatinExtendedA) {
  EXPECT_EQ(Norm("Łukasz Wałęsa"), "LUKASZ WALESA");
  EXPECT_EQ(Norm("Şahin"), "SAHIN");
  EXPECT_EQ(Norm("Ştefan"), "STEFAN");
  EXPECT_EQ(Norm("Dvořák"), "DVORAK");
  EXPECT_EQ(Norm("Čapek"), "CAPEK");
  EXPECT_EQ(Norm("Ğüler"), "GULER");
  EXPECT_EQ(Norm("Yıldız"), "YILDIZ");
  EXPECT_EQ(Norm("İnce"), "INCE");
  EXPECT_EQ(Norm("Żółć"), "ZOLC");
  EXPECT_EQ(Norm("Erdős"), "ERDOS");
  EXPECT_EQ(Norm("Țepeș"), "TEPES");  // Romanian comma-below (Latin Extended-B)
}

TEST(NormaliseNameTest, DropsCombiningAccentsOfDecomposedInput) {
  EXPECT_EQ(Norm("E\xCC\x81lodie"), "ELODIE");        // E + U+0301
  EXPECT_EQ(Norm("Franc\xCC\xA7ois"), "FRANCOIS");    // c + U+0327
  EXPECT_EQ(Norm("Ame\xCC\x81lie"), Norm("Amélie"));  // NFD == NFC
}

// Typed precomposed (NFC) or decomposed (NFD), a letter beyond Latin
// Extended-A folds the same: a name from a Vietnamese keyboard is found
// under the one a decomposing source imported.
TEST(NormaliseNameTest, FoldsPrecomposedLettersAsTheirDecomposition) {
  EXPECT_EQ(Norm("Nguyễn"), "NGUYEN");
  EXPECT_EQ(Norm("Trần Phạm"), "TRAN PHAM");
  EXPECT_EQ(Norm("Nguye\xCC\x82\xCC\x83n"), Norm("Nguyễn"));  // e + U+0302 + U+0303
  EXPECT_EQ(Norm("Trương"), "TRUONG");                        // u and o with horn
  EXPECT_EQ(Norm("Lǚ Ǹ"), "LU N");                            // pinyin
  EXPECT_EQ(Norm("\xC7\xA2"), Norm("\xC3\x86\xCC\x84"));      // Ǣ == Æ + U+0304
  EXPECT_EQ(Norm("\xE1\xBA\x9B"), Norm("\xC5\xBF\xCC\x87"));  // ẛ == ſ + U+0307
  EXPECT_EQ(Norm("Grüße GRO\xE1\xBA\x9E"), "GRUSSE GROSS");   // capital sharp s
  ExpectRejected("\xC6\x92", "unsupported");                  // ƒ: no decomposition
}

TEST(NormaliseNameTest, ApostrophesJoinTheParts) {
  EXPECT_EQ(Norm("D'Artagnan"), "DARTAGNAN");
  EXPECT_EQ(Norm("N'Diaye"), "NDIAYE");
  EXPECT_EQ(Norm("d’Estaing"), "DESTAING");  // U+2019
  EXPECT_EQ(Norm("Nʼdiaye"), "NDIAYE");      // U+02BC
  EXPECT_EQ(Norm("O‘Neill"), "ONEILL");      // U+2018
  EXPECT_EQ(Norm("D`ARTAGNAN"), "DARTAGNAN");
  EXPECT_EQ(Norm("D´ARTAGNAN"), "DARTAGNAN");  // U+00B4 used as apostrophe
  EXPECT_EQ(Norm("AC'H"), "ACH");
  EXPECT_EQ(Norm("AIT M'BAREK"), "AIT MBAREK");
}

TEST(NormaliseNameTest, ApostropheSwallowsAdjacentSeparators) {
  EXPECT_EQ(Norm("D' Artagnan"), "DARTAGNAN");
  EXPECT_EQ(Norm("D 'Artagnan"), "DARTAGNAN");
  EXPECT_EQ(Norm("'Dupont'"), "DUPONT");
  EXPECT_EQ(Norm("Audemard d'Alançon"), "AUDEMARD DALANCON");
}

TEST(NormaliseNameTest, SeparatorsBecomeOneSpace) {
  EXPECT_EQ(Norm("Jean-Pierre"), "JEAN PIERRE");
  EXPECT_EQ(Norm("ABD-EL-KADER"), "ABD EL KADER");
  EXPECT_EQ(Norm("Jean_Pierre"), "JEAN PIERRE");
  EXPECT_EQ(Norm("J.Pierre"), "J PIERRE");
  EXPECT_EQ(Norm("Dupont, Martin"), "DUPONT MARTIN");
  EXPECT_EQ(Norm("Dupont/Martin"), "DUPONT MARTIN");
  EXPECT_EQ(Norm("  Le   Pen  "), "LE PEN");
  EXPECT_EQ(Norm("Le\tPen"), "LE PEN");
  EXPECT_EQ(Norm("Le\xC2\xA0Pen"), "LE PEN");      // no-break space
  EXPECT_EQ(Norm("Le\xE2\x80\xAFPen"), "LE PEN");  // narrow no-break space
  EXPECT_EQ(Norm("Le\xE3\x80\x80Pen"), "LE PEN");  // ideographic space
  EXPECT_EQ(Norm("Jean‐Pierre"), "JEAN PIERRE");   // U+2010 hyphen
  EXPECT_EQ(Norm("Jean–Pierre"), "JEAN PIERRE");   // U+2013 en dash
  EXPECT_EQ(Norm("Jean - Pierre"), "JEAN PIERRE");
  EXPECT_EQ(Norm("-Dupont-"), "DUPONT");
}

TEST(NormaliseNameTest, ExpandsSaintAndSainte) {
  EXPECT_EQ(Norm("St-Étienne"), "SAINT ETIENNE");
  EXPECT_EQ(Norm("Ste Croix"), "SAINTE CROIX");
  EXPECT_EQ(Norm("ST. JUST"), "SAINT JUST");
  EXPECT_EQ(Norm("de St Exupéry"), "DE SAINT EXUPERY");
  EXPECT_EQ(Norm("Bost"), "BOST");  // only whole tokens
  EXPECT_EQ(Norm("Stéphane"), "STEPHANE");
  EXPECT_EQ(Norm("Stevens"), "STEVENS");
  EXPECT_EQ(Norm("ST"), "SAINT");
  EXPECT_EQ(Norm("Martin ste"), "MARTIN SAINTE");
}

TEST(NormaliseNameTest, IsIdempotent) {
  for (std::string_view in : {"D'Artagnan", "St-Étienne", "  Œuvray ", "ABD-EL-KADER", "Ste Croix",
                              "Strauß", "de la Fontaine"}) {
    const std::string once = Norm(in);
    EXPECT_EQ(Norm(once), once) << in;
  }
}

TEST(NormaliseNameTest, RejectsEmptyAndLetterless) {
  ExpectRejected("", "empty");
  ExpectRejected(" ", "no letter");
  ExpectRejected("-'- ", "no letter");
  ExpectRejected("''", "no letter");
}

TEST(NormaliseNameTest, RejectsDigits) {
  ExpectRejected("Dupont2", "digit");
  ExpectRejected("0", "digit");
  ExpectRejected("Louis XIV 1", "digit");
}

TEST(NormaliseNameTest, RejectsControlCharacters) {
  ExpectRejected("Dupont\nMartin", "control");
  ExpectRejected("Dupont\r", "control");
  ExpectRejected(std::string_view("Du\0pont", 7), "control");
  ExpectRejected("Du\x7Fpont", "control");
  ExpectRejected("Du\xC2\x85pont", "control");      // U+0085 NEL (C1)
  ExpectRejected("Du\xE2\x80\xA8pont", "control");  // U+2028 line separator
}

TEST(NormaliseNameTest, RejectsSymbols) {
  for (std::string_view in : {"Dupont!", "Du@pont", "<script>", "Dupont;", "A&B", "Du\"pont",
                              "Dupont(1)", "50%", "Du+pont", "Du×pont", "Du÷pont", "Du©", "Duª"}) {
    Result<std::string> r = NormaliseName(in);
    EXPECT_FALSE(r.has_value()) << in;
    if (!r) {
      EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
    }
  }
}

TEST(NormaliseNameTest, RejectsScriptsItCannotFold) {
  ExpectRejected("Иванов", "unsupported");                  // Cyrillic
  ExpectRejected("محمد", "unsupported");                    // Arabic
  ExpectRejected("王", "unsupported");                      // CJK
  ExpectRejected("Σωκράτης", "unsupported");                // Greek
  ExpectRejected("Ｄｕｐｏｎｔ", "unsupported");            // fullwidth Latin
  ExpectRejected("Dupont\xF0\x9F\x98\x80", "unsupported");  // emoji U+1F600
}

TEST(NormaliseNameTest, RejectsInvisibleFormatCharacters) {
  ExpectRejected("Du\xE2\x80\x8Bpont", "unsupported");  // U+200B zero-width space
  ExpectRejected("Du\xE2\x80\x8Dpont", "unsupported");  // U+200D zero-width joiner
  ExpectRejected(
      "\xEF\xBB\xBF"
      "Dupont",
      "unsupported");                                   // BOM
  ExpectRejected("Du\xE2\x80\xAEpont", "unsupported");  // U+202E right-to-left override
}

TEST(NormaliseNameTest, RejectsStrayCombiningMark) {
  ExpectRejected(
      "\xCC\x81"
      "Dupont",
      "combining");
  ExpectRejected("Du \xCC\x81pont", "combining");
}

TEST(NormaliseNameTest, RejectsInvalidUtf8) {
  ExpectRejected("Du\xFFpont", "invalid UTF-8 at byte 2");
  ExpectRejected("Du\x80pont", "invalid UTF-8");              // stray continuation
  ExpectRejected("Dupon\xC3", "invalid UTF-8");               // truncated
  ExpectRejected("Du\xC0\xA7pont", "invalid UTF-8");          // overlong apostrophe
  ExpectRejected("Du\xE0\x80\xA7pont", "invalid UTF-8");      // overlong, 3 bytes
  ExpectRejected("Du\xED\xA0\x80pont", "invalid UTF-8");      // surrogate U+D800
  ExpectRejected("Du\xF4\x90\x80\x80pont", "invalid UTF-8");  // > U+10FFFF
}

TEST(NormaliseNameTest, EnforcesLengthLimit) {
  const std::string at_limit(kMaxNameBytes, 'A');
  EXPECT_EQ(Norm(at_limit), at_limit);
  ExpectRejected(std::string(kMaxNameBytes + 1, 'A'), "longer than 200 bytes");
  // 100 two-byte letters is exactly the limit; 101 is over, counted in bytes.
  std::string accents;
  for (int i = 0; i < 100; ++i) accents += "É";
  EXPECT_EQ(Norm(accents), std::string(100, 'E'));
  ExpectRejected(accents + "É", "longer than");
}

TEST(NormaliseNameTest, ErrorMessagesDoNotEchoTheName) {
  Result<std::string> r = NormaliseName("Secretname\x01");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message().find("Secretname"), std::string::npos);
  EXPECT_NE(r.error().message().find("U+0001 at byte 10"), std::string::npos)
      << r.error().message();
}

TEST(IsPlainTextTest, AllowsTabsAndLineFeedsOnly) {
  EXPECT_TRUE(IsPlainText(""));
  EXPECT_TRUE(IsPlainText("faux positif\n\tconfirmé"));
  EXPECT_FALSE(IsPlainText(std::string("nul\0x", 5)));
  EXPECT_FALSE(IsPlainText("carriage\rreturn"));
  EXPECT_FALSE(IsPlainText("delete\x7f"));
  EXPECT_FALSE(IsPlainText("bad \xc3"));
  EXPECT_FALSE(IsPlainText("next line\xc2\x85"));  // U+0085, C1
  EXPECT_FALSE(
      IsPlainText("false \xe2\x80\xae"
                  "evitisop"));  // U+202E override
}

TEST(IsValidUtf8Test, AcceptsWellFormed) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("Élodie Œuvray"));
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));  // U+1F600
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF
  EXPECT_TRUE(IsValidUtf8("\xED\x9F\xBF"));      // U+D7FF
  EXPECT_TRUE(IsValidUtf8("\xEE\x80\x80"));      // U+E000
  EXPECT_TRUE(IsValidUtf8(std::string_view("\0", 1)));
}

TEST(IsValidUtf8Test, RejectsIllFormed) {
  EXPECT_FALSE(IsValidUtf8("\x80"));
  EXPECT_FALSE(IsValidUtf8("\xBF"));
  EXPECT_FALSE(IsValidUtf8("\xC0\x80"));          // overlong NUL
  EXPECT_FALSE(IsValidUtf8("\xC1\xBF"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xE0\x9F\xBF"));      // overlong 3-byte
  EXPECT_FALSE(IsValidUtf8("\xF0\x8F\xBF\xBF"));  // overlong 4-byte
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // U+D800
  EXPECT_FALSE(IsValidUtf8("\xED\xBF\xBF"));      // U+DFFF
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(IsValidUtf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xFE"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));  // truncated
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));
  EXPECT_FALSE(IsValidUtf8("\xF0\x9F\x98"));
  EXPECT_FALSE(IsValidUtf8("\xC3\x28"));  // bad continuation
  EXPECT_FALSE(IsValidUtf8("ok\xE2\x28\xA1"));
}

TEST(SurnameFormsTest, SingleName) { EXPECT_EQ(SurnameForms("DUPONT"), (Forms{"DUPONT"})); }

TEST(SurnameFormsTest, LeadingParticlesAreDropped) {
  EXPECT_EQ(SurnameForms("LE PEN"), (Forms{"LEPEN", "PEN"}));
  EXPECT_EQ(SurnameForms("DE LA FONTAINE"), (Forms{"DELAFONTAINE", "FONTAINE"}));
  EXPECT_EQ(SurnameForms("VAN DER BERG"), (Forms{"VANDERBERG", "BERG"}));
  EXPECT_EQ(SurnameForms("DI MARIA"), (Forms{"DIMARIA", "MARIA"}));
  EXPECT_EQ(SurnameForms("EL MANSOURI"), (Forms{"ELMANSOURI", "MANSOURI"}));
  EXPECT_EQ(SurnameForms("DOS SANTOS"), (Forms{"DOSSANTOS", "SANTOS"}));
  EXPECT_EQ(SurnameForms("D ARTAGNAN"), (Forms{"DARTAGNAN", "ARTAGNAN"}));
}

TEST(SurnameFormsTest, AParticleAloneIsKept) {
  EXPECT_EQ(SurnameForms("DE"), (Forms{"DE"}));
  EXPECT_EQ(SurnameForms("LE LA"), (Forms{"LELA", "LA"}));
}

TEST(SurnameFormsTest, DoubleBarrelledNamesGiveEachPart) {
  EXPECT_EQ(SurnameForms("MARTIN DUPONT"), (Forms{"MARTINDUPONT", "MARTIN", "DUPONT"}));
  EXPECT_EQ(SurnameForms("ADAM DE VILLIERS"), (Forms{"ADAMDEVILLIERS", "ADAM", "VILLIERS"}));
  EXPECT_EQ(SurnameForms("ABD EL KADER"), (Forms{"ABDELKADER", "ABD", "KADER"}));
  EXPECT_EQ(SurnameForms("DE LA TOUR D AUVERGNE"),
            (Forms{"DELATOURDAUVERGNE", "TOURDAUVERGNE", "TOUR", "AUVERGNE"}));
}

TEST(SurnameFormsTest, DitNames) {
  EXPECT_EQ(SurnameForms("ACROUTE DIT VAMPOUILLE"),
            (Forms{"ACROUTEDITVAMPOUILLE", "ACROUTE", "VAMPOUILLE"}));
}

TEST(SurnameFormsTest, OneLetterPartsAreNotIndexed) {
  EXPECT_EQ(SurnameForms("GARCIA Y LOPEZ"), (Forms{"GARCIAYLOPEZ", "GARCIA", "LOPEZ"}));
  EXPECT_EQ(SurnameForms("DUPONT A"), (Forms{"DUPONTA"}));
  EXPECT_EQ(SurnameForms("LE M"), (Forms{"LEM"}));
  EXPECT_EQ(SurnameForms("DE LA M"), (Forms{"DELAM"}));
}

TEST(SurnameFormsTest, AtMostFourForms) {
  const Forms forms = SurnameForms("MARTIN DUPONT DURAND PETIT BERNARD");
  EXPECT_EQ(forms, (Forms{"MARTINDUPONTDURANDPETITBERNARD", "MARTIN", "DUPONT", "DURAND"}));
}

TEST(SurnameFormsTest, EmptyInput) {
  EXPECT_TRUE(SurnameForms("").empty());
  EXPECT_TRUE(SurnameForms("  ").empty());
}

TEST(GivenNameFormsTest, CompoundThenTokensThenNextNames) {
  EXPECT_EQ(GivenNameForms({"JEAN PIERRE", "MARIE"}),
            (Forms{"JEANPIERRE", "JEAN", "PIERRE", "MARIE"}));
  EXPECT_EQ(GivenNameForms({"MARIE"}), (Forms{"MARIE"}));
  EXPECT_EQ(GivenNameForms({"LOUIS", "JEAN", "PAUL"}), (Forms{"LOUIS", "JEAN", "PAUL"}));
}

TEST(GivenNameFormsTest, DeduplicatesAndCaps) {
  EXPECT_EQ(GivenNameForms({"JEAN PIERRE", "JEAN", "PIERRE", "PAUL"}),
            (Forms{"JEANPIERRE", "JEAN", "PIERRE", "PAUL"}));
  EXPECT_EQ(GivenNameForms({"A", "B", "C", "D", "E"}), (Forms{"A", "B", "C", "D"}));
  EXPECT_EQ(GivenNameForms({"MARIE ANNE SOPHIE", "LOUISE"}),
            (Forms{"MARIEANNESOPHIE", "MARIE", "ANNE", "SOPHIE"}));
}

TEST(GivenNameFormsTest, EmptyAndInitials) {
  EXPECT_TRUE(GivenNameForms({}).empty());
  EXPECT_TRUE(GivenNameForms({""}).empty());
  EXPECT_EQ(GivenNameForms({"J PIERRE"}), (Forms{"JPIERRE", "PIERRE"}));
}

TEST(NameCorpusTest, EverySurnameNormalisesIdempotently) {
  std::ifstream in(std::string(VIGIE_SOURCE_DIR) + "/data/surnames-fr.txt");
  ASSERT_TRUE(in.is_open());
  std::string line;
  size_t count = 0;
  while (std::getline(in, line)) {
    ++count;
    Result<std::string> once = NormaliseName(line);
    ASSERT_TRUE(once.has_value()) << line << ": " << once.error().ToString();
    Result<std::string> twice = NormaliseName(*once);
    ASSERT_TRUE(twice.has_value()) << line;
    ASSERT_EQ(*twice, *once) << line;
    ASSERT_FALSE(SurnameForms(*once).empty()) << line;
  }
  EXPECT_GT(count, 200000u);
}

}  // namespace
}  // namespace vigie::records
