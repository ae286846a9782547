#include "policy/purpose.h"

#include <gtest/gtest.h>

#include "tests/support/matchers.h"

namespace vigie::policy {
namespace {

using ::vigie::testing::ErrorCodeIs;

TEST(PurposeTest, EveryPurposeRoundTripsByName) {
  for (Purpose purpose : AllPurposes()) {
    auto parsed = ParsePurpose(PurposeName(purpose));
    ASSERT_OK(parsed);
    EXPECT_EQ(*parsed, purpose);
  }
}

TEST(PurposeTest, UnknownPurposeNamesTheAcceptedOnes) {
  using namespace std::string_view_literals;
  for (std::string_view bad :
       {""sv, "curiosity"sv, "IDENTITY_CHECK"sv, "identity_check "sv, "identity\0check"sv}) {
    auto parsed = ParsePurpose(bad);
    ASSERT_THAT(parsed, ErrorCodeIs(ErrorCode::kInvalidArgument)) << bad;
    EXPECT_NE(parsed.error().message().find("judicial_investigation"), std::string::npos);
  }
}

TEST(PurposeTest, OnlyInquiriesReachCriminalRecords) {
  EXPECT_TRUE(PurposeAllowsCriminalRecords(Purpose::kJudicialInvestigation));
  EXPECT_TRUE(PurposeAllowsCriminalRecords(Purpose::kAdministrativeInquiry));
  EXPECT_FALSE(PurposeAllowsCriminalRecords(Purpose::kIdentityCheck));
  EXPECT_FALSE(PurposeAllowsCriminalRecords(Purpose::kRoadsideCheck));
}

TEST(PurposeTest, CaseReferences) {
  auto ok = ValidateCaseReference("  2026/00412-PJ ");
  ASSERT_OK(ok);
  EXPECT_EQ(*ok, "2026/00412-PJ");
  const std::string too_long(65, 'A');
  for (std::string_view bad :
       {std::string_view(""), std::string_view("ab"), std::string_view("x' OR 1=1 --"),
        std::string_view("2026 00412"), std::string_view("réf-2026"), std::string_view("<script>"),
        std::string_view(too_long), std::string_view("---"), std::string_view("/._")}) {
    EXPECT_THAT(ValidateCaseReference(bad), ErrorCodeIs(ErrorCode::kInvalidArgument)) << bad;
  }
}

}  // namespace
}  // namespace vigie::policy
