#include "policy/consultation_policy.h"

#include <gtest/gtest.h>

#include "tests/support/matchers.h"

namespace vigie::policy {
namespace {

using identity::Role;
using identity::RoleSet;
using ::vigie::testing::ErrorCodeIs;

ConsultationRequest Street() { return {.purpose = Purpose::kIdentityCheck}; }
ConsultationRequest Inquiry(std::optional<std::string> reference = "2026/00412-PJ") {
  return {.purpose = Purpose::kJudicialInvestigation, .case_reference = std::move(reference)};
}

TEST(ConsultationPolicyTest, AgentsSeeWantedPersonsOnly) {
  auto street = DecideConsultation(RoleSet{Role::kAgent}, Street());
  ASSERT_OK(street);
  EXPECT_TRUE(street->wanted_persons);
  EXPECT_FALSE(street->criminal_records);
  auto inquiry = DecideConsultation(RoleSet{Role::kAgent}, Inquiry());
  ASSERT_OK(inquiry);
  EXPECT_FALSE(inquiry->criminal_records);
}

TEST(ConsultationPolicyTest, InvestigatorsSeeCriminalRecordsOnlyForAnInquiryWithACase) {
  auto inquiry = DecideConsultation(RoleSet{Role::kInvestigator}, Inquiry());
  ASSERT_OK(inquiry);
  EXPECT_TRUE(inquiry->criminal_records);
  auto street = DecideConsultation(RoleSet{Role::kInvestigator}, Street());
  ASSERT_OK(street);
  EXPECT_FALSE(street->criminal_records);
  EXPECT_THAT(DecideConsultation(RoleSet{Role::kInvestigator}, Inquiry(std::nullopt)),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  // The gate checks the reference itself: one no caller validated unlocks
  // nothing.
  for (const char* bad :
       {"", "x", "2026 00412", " 2026/00412-PJ ", "<script>", "a'; DROP TABLE person;--"}) {
    EXPECT_THAT(DecideConsultation(RoleSet{Role::kInvestigator}, Inquiry(bad)),
                ErrorCodeIs(ErrorCode::kInvalidArgument))
        << bad;
  }
}

TEST(ConsultationPolicyTest, NonConsultingRolesAreRefused) {
  for (RoleSet roles :
       {RoleSet{Role::kAdministrator}, RoleSet{Role::kSupervisor}, RoleSet{Role::kSecurityOfficer},
        RoleSet{}, RoleSet{Role::kAdministrator, Role::kInvestigator},
        // An account made before the rule below: the lock-down spares it.
        RoleSet{Role::kSecurityOfficer, Role::kInvestigator},
        RoleSet{Role::kSecurityOfficer, Role::kAgent}}) {
    EXPECT_THAT(DecideConsultation(roles, Street()), ErrorCodeIs(ErrorCode::kPermissionDenied))
        << roles.ToString();
  }
}

TEST(ConsultationPolicyTest, SeparationOfDuties) {
  EXPECT_OK(CheckSeparationOfDuties(RoleSet{Role::kInvestigator, Role::kSupervisor}));
  // Spared too, an officer who administers could reset any agent and act
  // with its code.
  EXPECT_THAT(CheckSeparationOfDuties(RoleSet{Role::kAdministrator, Role::kSecurityOfficer}),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(CheckSeparationOfDuties(RoleSet{Role::kAdministrator, Role::kAgent}),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  // Lock-downs and containments spare security officers, who respond.
  EXPECT_THAT(CheckSeparationOfDuties(RoleSet{Role::kSecurityOfficer, Role::kInvestigator}),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(CheckSeparationOfDuties(RoleSet{Role::kSecurityOfficer, Role::kAgent}),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_OK(CheckSeparationOfDuties(RoleSet{Role::kSecurityOfficer, Role::kSupervisor}));
  EXPECT_TRUE(MayAdminister(RoleSet{Role::kAdministrator}));
  EXPECT_FALSE(MayAdminister(RoleSet{Role::kSecurityOfficer, Role::kInvestigator}));
}

records::PersonFile AFile() {
  records::PersonFile file;
  file.person.surname = "MARTIN";
  records::WantedNotice in_force, lapsed;
  in_force.valid_from = {2020, 1, 1};
  lapsed.valid_from = {2010, 1, 1};
  lapsed.valid_until = {2012, 1, 1};
  file.notices = {in_force, lapsed};
  file.entries.resize(3);
  return file;
}

TEST(ConsultationPolicyTest, FilesAreCutToWhatTheConsultationAllows) {
  records::PartialDate today{2026, 11, 28};
  records::PersonFile street = AFile();
  ASSERT_TRUE(MinimisePersonFile({.wanted_persons = true}, today, street));
  EXPECT_TRUE(street.entries.empty());
  ASSERT_EQ(street.notices.size(), 1u);  // only the notice in force
  EXPECT_EQ(street.notices[0].valid_from.year, 2020);

  records::PersonFile inquiry = AFile();
  ASSERT_TRUE(
      MinimisePersonFile({.wanted_persons = true, .criminal_records = true}, today, inquiry));
  EXPECT_EQ(inquiry.entries.size(), 3u);
  EXPECT_EQ(inquiry.notices.size(), 2u);
}

// A person with record entries and a lapsed notice only, opened without
// criminal records: as if absent (an empty file would still say "on file").
TEST(ConsultationPolicyTest, AFileWithNothingTheConsultationMaySeeIsNotFound) {
  records::PartialDate today{2026, 11, 28};
  records::PersonFile file = AFile();
  file.person.id = 42;
  file.notices.erase(file.notices.begin());  // the one in force
  auto street = MinimisePersonFile({.wanted_persons = true}, today, file);
  ASSERT_FALSE(street);
  EXPECT_EQ(street.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(street.error().message(), "no person 42");
  EXPECT_TRUE(file.person.surname.empty()) << "nothing of it is left to leak";
  EXPECT_TRUE(file.entries.empty());

  records::PersonFile inquiry = AFile();
  inquiry.notices.clear();
  EXPECT_TRUE(
      MinimisePersonFile({.wanted_persons = true, .criminal_records = true}, today, inquiry));
  EXPECT_EQ(inquiry.entries.size(), 3u);
}

TEST(ConsultationPolicyTest, SearchesWithoutCriminalRecordsFindWantedPersonsOnly) {
  EXPECT_EQ(SearchScopeFor({.wanted_persons = true}), records::SearchScope::kWantedToday);
  EXPECT_EQ(SearchScopeFor({.wanted_persons = true, .criminal_records = true}),
            records::SearchScope::kEveryPerson);
}

TEST(ConsultationPolicyTest, SummariesHideRecordCountsWithoutCriminalRecords) {
  records::SearchResult result;
  result.summaries.resize(1);
  result.summaries[0].wanted = true;
  result.summaries[0].record_entries = 4;
  MinimiseSearchResult({.wanted_persons = true}, result);
  EXPECT_TRUE(result.summaries[0].wanted);
  EXPECT_EQ(result.summaries[0].record_entries, 0);
}

}  // namespace
}  // namespace vigie::policy
