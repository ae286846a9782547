#include "identity/internal/text.h"

#include <gtest/gtest.h>

namespace vigie::identity::internal {
namespace {

TEST(TextTest, ValidatesUtf8Strictly) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("héllo €𝄞"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\x80"));              // stray continuation
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}

TEST(TextTest, CountsCodePointsNotBytes) {
  EXPECT_EQ(CodePointCount("abc"), 3u);
  EXPECT_EQ(CodePointCount("éèê"), 3u);
  EXPECT_EQ(CodePointCount("€𝄞"), 2u);
}

TEST(TextTest, FoldsCaseAndAccents) {
  EXPECT_EQ(Fold("HÉLÈNE Moreau"), "helene moreau");
  EXPECT_EQ(Fold("Œuvre Straße Ÿ"), "oeuvre strasse y");
  EXPECT_EQ(Fold("Ñandú ×"), "nandu ×");
  EXPECT_EQ(Fold("Ωмега"), "Ωмега");  // outside Latin: unchanged
  // Latin Extended-A: the names of agents from Poland, Czechia, Romania, Turkey...
  EXPECT_EQ(Fold("Łukasz Dvořák"), "lukasz dvorak");
  EXPECT_EQ(Fold("ŞTEFAN Ţăranu"), "stefan taranu");
  EXPECT_EQ(Fold("Ĳssel ŁŽŚĆ ſ"), "ijssel lzsc s");
}

TEST(TextTest, TrimsSpacesAndTabs) {
  EXPECT_EQ(TrimSpaces(" \tab c\t "), "ab c");
  EXPECT_EQ(TrimSpaces("   "), "");
}

}  // namespace
}  // namespace vigie::identity::internal
