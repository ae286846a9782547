#include "identity/model.h"

#include <gtest/gtest.h>

#include "tests/support/matchers.h"

namespace vigie::identity {
namespace {

using ::vigie::testing::ErrorCodeIs;

TEST(ModelTest, NamesRoundTrip) {
  for (Role role : kAllRoles) EXPECT_EQ(*ParseRole(RoleName(role)), role);
  for (auto kind : {UnitKind::kPolice, UnitKind::kGendarmerie, UnitKind::kMunicipalPolice,
                    UnitKind::kCustoms, UnitKind::kPrefecture, UnitKind::kOther}) {
    EXPECT_EQ(*ParseUnitKind(UnitKindName(kind)), kind);
  }
  for (auto status : {AgentStatus::kPendingActivation, AgentStatus::kActive,
                      AgentStatus::kSuspended, AgentStatus::kLocked, AgentStatus::kDisabled}) {
    EXPECT_EQ(*ParseAgentStatus(AgentStatusName(status)), status);
  }
}

TEST(ModelTest, UnknownNamesAreRefusedWithTheExpectedList) {
  auto role = ParseRole("root");
  ASSERT_THAT(role, ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_NE(role.error().message().find("\"root\""), std::string::npos);
  EXPECT_NE(role.error().message().find("security_officer"), std::string::npos);
  EXPECT_THAT(ParseUnitKind("Police"), ErrorCodeIs(ErrorCode::kInvalidArgument));
  // Untrusted bytes are not echoed.
  auto odd = ParseRole("x\n\x01");
  ASSERT_FALSE(odd);
  EXPECT_EQ(odd.error().message().find('\n'), std::string::npos);
}

TEST(ModelTest, RoleSetsParseAndPrintInCanonicalOrder) {
  std::vector<std::string> names = {"administrator", "agent", "agent"};
  auto set = RoleSet::FromNames(names);
  ASSERT_OK(set);
  EXPECT_EQ(set->ToString(), "agent,administrator");
  EXPECT_TRUE(set->Has(Role::kAdministrator));
  EXPECT_FALSE(set->Has(Role::kInvestigator));
  EXPECT_EQ(*RoleSet::Parse(set->ToString()), *set);
  EXPECT_THAT(RoleSet::FromNames({}), ErrorCodeIs(ErrorCode::kInvalidArgument));
  std::vector<std::string> bad = {"agent", "god"};
  EXPECT_THAT(RoleSet::FromNames(bad), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(RoleSet::Parse(""), ErrorCodeIs(ErrorCode::kInvalidArgument));
}

TEST(ModelTest, OnlySecurityOfficersWhoDoNotAdministerAreSparedByContainment) {
  EXPECT_TRUE(SparedByContainment(RoleSet{Role::kSecurityOfficer}));
  EXPECT_TRUE(SparedByContainment(RoleSet{Role::kSecurityOfficer, Role::kSupervisor}));
  EXPECT_FALSE(SparedByContainment(RoleSet{Role::kSecurityOfficer, Role::kAdministrator}));
  EXPECT_FALSE(SparedByContainment(RoleSet{Role::kAdministrator}));
  EXPECT_FALSE(SparedByContainment(RoleSet{Role::kAgent}));
}

TEST(ModelTest, CodesAreShortUpperCaseAlphanumerics) {
  EXPECT_OK(ValidateCode("service number", "PN-123456"));
  EXPECT_OK(ValidateCode("service number", "A"));
  EXPECT_OK(ValidateCode("service number", std::string(32, '7')));
  EXPECT_THAT(ValidateCode("service number", ""), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ValidateCode("service number", std::string(33, '7')),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ValidateCode("service number", "pn-1"), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ValidateCode("service number", "PN 1"), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ValidateCode("service number", "-PN1"), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ValidateCode("service number", "PN1-"), ErrorCodeIs(ErrorCode::kInvalidArgument));
  auto error = ValidateCode("unit code", "É");
  ASSERT_FALSE(error);
  EXPECT_NE(error.error().message().find("unit code"), std::string::npos);
}

TEST(ModelTest, NamesAreTrimmedValidUtf8WithoutControls) {
  EXPECT_EQ(*ValidateName("display name", "  Hélène Moreau "), "Hélène Moreau");
  EXPECT_THAT(ValidateName("display name", "   "), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ValidateName("display name", "A\xC3"), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ValidateName("display name", "A\nB"), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ValidateName("display name", "A\u202EB"), ErrorCodeIs(ErrorCode::kInvalidArgument));
  // 100 code points of two bytes each: accepted; 101: refused.
  std::string hundred;
  for (int i = 0; i < 100; ++i) hundred += "é";
  EXPECT_OK(ValidateName("display name", hundred));
  EXPECT_THAT(ValidateName("display name", hundred + "é"),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
}

}  // namespace
}  // namespace vigie::identity
