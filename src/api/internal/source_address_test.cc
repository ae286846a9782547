#include "api/internal/source_address.h"

#include <gtest/gtest.h>

#include "tests/support/matchers.h"

namespace vigie::api::internal {
namespace {

using ::vigie::testing::ErrorCodeIs;

TEST(SourceAddressTest, GivesTheFormTheServerRecords) {
  EXPECT_EQ(*CanonicalSourceAddress("f", "::ffff:127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(*CanonicalSourceAddress("f", "2001:DB8:0:0:0:0:0:7"), "2001:db8::7");
}

TEST(SourceAddressTest, RefusesWhatIsNotOneAddressNamingTheField) {
  for (std::string_view text : {"127.0.0.0/8", "localhost", " 127.0.0.1"}) {
    auto canonical = CanonicalSourceAddress("source_addresses", text);
    ASSERT_THAT(canonical, ErrorCodeIs(ErrorCode::kInvalidArgument)) << text;
    EXPECT_NE(canonical.error().message().find("'source_addresses'"), std::string::npos);
    EXPECT_NE(canonical.error().message().find("IP address"), std::string::npos);
    EXPECT_NE(canonical.error().message().find("not a network"), std::string::npos);
  }
}

}  // namespace
}  // namespace vigie::api::internal
