#include "core/utf8.h"

#include <gtest/gtest.h>

namespace vigie {
namespace {

TEST(Utf8Test, DecodesEachFormAndRefusesIllFormedOnes) {
  const std::string_view text = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";  // a é € 😀
  size_t pos = 0;
  EXPECT_EQ(DecodeUtf8CodePoint(text, pos), 'a');
  EXPECT_EQ(DecodeUtf8CodePoint(text, pos), 0xE9);
  EXPECT_EQ(DecodeUtf8CodePoint(text, pos), 0x20AC);
  EXPECT_EQ(DecodeUtf8CodePoint(text, pos), 0x1F600);
  EXPECT_EQ(pos, text.size());
  for (std::string_view bad : {"\x80", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                               "\xe2\x82", "\xff"}) {
    pos = 0;
    EXPECT_EQ(DecodeUtf8CodePoint(bad, pos), -1) << testing::PrintToString(bad);
    EXPECT_EQ(pos, 0u);
  }
}

TEST(Utf8Test, WellFormedThroughoutOrNot) {
  EXPECT_TRUE(IsWellFormedUtf8(""));
  EXPECT_TRUE(IsWellFormedUtf8("caf\xc3\xa9 \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsWellFormedUtf8("caf\xc3"));         // cut short
  EXPECT_FALSE(IsWellFormedUtf8("\xed\xa0\x80 ok"));  // a surrogate
}

TEST(Utf8Test, FindTextFlawNamesTheKindOfFlaw) {
  EXPECT_EQ(FindTextFlaw("Dupont-Lef\xc3\xa8vre 12"), TextFlaw::kNone);
  EXPECT_EQ(FindTextFlaw("bad \xff"), TextFlaw::kIllFormed);
  EXPECT_EQ(FindTextFlaw("a\x07" "b"), TextFlaw::kControl);
  EXPECT_EQ(FindTextFlaw("a\x7f"), TextFlaw::kControl);
  EXPECT_EQ(FindTextFlaw("a\xc2\x85"), TextFlaw::kControl);      // U+0085 NEL
  EXPECT_EQ(FindTextFlaw("a\xe2\x80\xa8"), TextFlaw::kControl);  // U+2028
  EXPECT_EQ(FindTextFlaw("a\xe2\x80\xae" "b"), TextFlaw::kFormatting);  // U+202E override
  EXPECT_EQ(FindTextFlaw("a\xe2\x81\xa6" "b"), TextFlaw::kFormatting);  // U+2066 isolate
  EXPECT_EQ(FindTextFlaw("a\xe2\x80\x8f" "b"), TextFlaw::kFormatting);  // U+200F mark
  EXPECT_EQ(FindTextFlaw("a\xd8\x9c" "b"), TextFlaw::kFormatting);      // U+061C mark
}

TEST(Utf8Test, LineBreaksPassOnlyWhenAllowed) {
  EXPECT_EQ(FindTextFlaw("one\r\n\ttwo"), TextFlaw::kControl);
  EXPECT_EQ(FindTextFlaw("one\r\n\ttwo", /*line_breaks=*/true), TextFlaw::kNone);
  EXPECT_EQ(FindTextFlaw("one\x0btwo", /*line_breaks=*/true), TextFlaw::kControl);
  EXPECT_EQ(FindTextFlaw("one\xe2\x80\xa8two", /*line_breaks=*/true), TextFlaw::kControl);
}

TEST(Utf8Test, DisplaySafeReplacesWhatMisleadsAndCutsWhole) {
  EXPECT_EQ(DisplaySafe("admin\xe2\x80\xae" "cod.exe\n", 100), "admin?cod.exe?");
  EXPECT_EQ(DisplaySafe("caf\xc3\xa9", 100), "caf\xc3\xa9");
  EXPECT_EQ(DisplaySafe("caf\xc3\xa9", 4), "caf");  // é does not fit whole
  EXPECT_EQ(DisplaySafe("caf\xc3\xa9", 5), "caf\xc3\xa9");
  // Not UTF-8: nothing beyond printable ASCII is trusted.
  EXPECT_EQ(DisplaySafe("bad\xff \xc3\xa9", 100), "bad? ??");
  EXPECT_EQ(DisplaySafe("", 10), "");
}

}  // namespace
}  // namespace vigie
