// The log's keys as the witness's operator gives them (log-keys.txt): one
// line a key, a retired key's line naming the size it was retired after.

#include <gtest/gtest.h>

#include <string>

#include "tests/support/matchers.h"
#include "witness/witness.h"

namespace vigie::witness {
namespace {

using ::vigie::testing::ErrorCodeIs;

TEST(LogKeysTest, ParsesKeyLinesAndRefusesOthers) {
  const std::string hex(64, 'a');
  auto keys = ParseLogKeys("# comment\n3 " + hex + "\n");
  ASSERT_OK(keys);
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].key_id, 3u);
  EXPECT_THAT(ParseLogKeys(""), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseLogKeys("3 abc\n"), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseLogKeys("x " + hex + "\n"), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseLogKeys("3 " + hex + " extra\n"), ErrorCodeIs(ErrorCode::kInvalidArgument));
  // A sign is no part of a key id (a negative one would wrap round).
  for (std::string bad : {"-18446744073709551613", "+3", "-0", "4294967296", "3x"}) {
    EXPECT_THAT(ParseLogKeys(bad + " " + hex + "\n"), ErrorCodeIs(ErrorCode::kInvalidArgument))
        << bad;
  }
  EXPECT_FALSE((*keys)[0].retired_after.has_value());
}

TEST(LogKeysTest, ARetiredKeysLineRoundTripsAndAMalformedOneIsRefused) {
  const std::string hex(64, 'a');
  auto keys = ParseLogKeys("3 " + hex + " retired-after 1234\n4 " + hex + "\n");
  ASSERT_OK(keys);
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].retired_after, 1234u);
  EXPECT_FALSE((*keys)[1].retired_after.has_value());
  // The retired line added and the old one left: refused, not one of them.
  EXPECT_THAT(ParseLogKeys("3 " + hex + " retired-after 1234\n3 " + hex + "\n"),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_EQ(LogKeyLine((*keys)[0]), "3 " + hex + " retired-after 1234");
  EXPECT_EQ(LogKeyLine((*keys)[1]), "4 " + hex);
  for (std::string bad :
       {" retired-after", " retired-after -1", " retired-after +1", " retired-after 12x",
        " retired-after 18446744073709551616", " retired 12", " retired-after 1 2"}) {
    EXPECT_THAT(ParseLogKeys("3 " + hex + bad + "\n"), ErrorCodeIs(ErrorCode::kInvalidArgument))
        << bad;
  }
}

}  // namespace
}  // namespace vigie::witness
