#include "records/model.h"

#include <gtest/gtest.h>
#include <time.h>

#include <cstdlib>
#include <string>

#include "records/person_file.h"
#include "tests/support/matchers.h"

namespace vigie::records {
namespace {

TEST(PartialDateTest, ParsesAndFormats) {
  EXPECT_EQ(*ParsePartialDate("1974"), (PartialDate{1974, 0, 0}));
  EXPECT_EQ(*ParsePartialDate("1974-03"), (PartialDate{1974, 3, 0}));
  EXPECT_EQ(*ParsePartialDate("2000-02-29"), (PartialDate{2000, 2, 29}));
  EXPECT_EQ(FormatPartialDate({1974, 3, 0}), "1974-03");
  EXPECT_EQ(FormatPartialDate({}), "");
  for (const char* bad : {"", "74", "1974-3", "1974-13", "1900-02-29", "2023-02-29", "1974/03/02",
                          "19a4", "1849", "2101", "1974-03-00", "1974-03-32", "+974"}) {
    EXPECT_FALSE(ParsePartialDate(bad).has_value()) << bad;
  }
}

TEST(ModelTest, EnumNamesRoundTrip) {
  for (auto r : {WantedReason::kArrestWarrant, WantedReason::kWitness}) {
    EXPECT_EQ(*ParseWantedReason(WantedReasonName(r)), r);
  }
  EXPECT_EQ(*ParseOffenceCategory("sexual_offence"), OffenceCategory::kSexualOffence);
  auto bad = ParseConduct("shoot");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("arrest, inform_authority"), std::string::npos);
}

TEST(ModelTest, ValidatesPersons) {
  Person p;
  p.external_id = "P1";
  p.surname = "Dupont";
  p.given_names = {"Jean"};
  EXPECT_OK(ValidatePerson(p));
  Person no_given = p;
  no_given.given_names.clear();
  EXPECT_FALSE(ValidatePerson(no_given).has_value());
  Person long_place = p;
  long_place.birth_place = std::string(101, 'x');
  EXPECT_FALSE(ValidatePerson(long_place).has_value());
  Person control = p;
  control.birth_place = "Lyon\n";
  EXPECT_FALSE(ValidatePerson(control).has_value());
  // A record's text reaches agents' screens: a C1 control or a bidi
  // override would show it other than stored.
  for (const char* misleading : {"Lyon\xc2\x85",
                                 "Lyon \xe2\x80\xae"
                                 "tset",
                                 "Ly\xe2\x81\xa6"
                                 "on"}) {
    Person shown_otherwise = p;
    shown_otherwise.birth_place = misleading;
    auto checked = ValidatePerson(shown_otherwise);
    ASSERT_FALSE(checked.has_value()) << misleading;
    EXPECT_EQ(checked.error().code(), ErrorCode::kInvalidArgument);
  }
  Person digits = p;
  digits.surname = "Dupont2";
  EXPECT_FALSE(ValidatePerson(digits).has_value());
}

// A notice ending on 31 May still holds at 01:30 on 1 June in Paris, no
// longer: "today" is the server's local date, not UTC's.
TEST(ModelTest, TodayIsTheServersLocalDate) {
  const char* before = std::getenv("TZ");
  const std::string kept = before ? before : "";
  ::setenv("TZ", "Europe/Paris", 1);
  ::tzset();
  const TimePoint half_past_one_in_paris =
      TimePoint(std::chrono::seconds(1'780'270'200));  // 2026-05-31T23:30:00Z
  const PartialDate today = DateOf(half_past_one_in_paris);
  if (before) {
    ::setenv("TZ", kept.c_str(), 1);
  } else {
    ::unsetenv("TZ");
  }
  ::tzset();
  EXPECT_EQ(today, (PartialDate{2026, 6, 1}));
  WantedNotice n;
  n.valid_from = {2026, 1, 1};
  n.valid_until = {2026, 5, 31};
  EXPECT_FALSE(NoticeInForce(n, today));
}

TEST(ModelTest, NoticeValidityWindow) {
  WantedNotice n;
  n.valid_from = {2026, 1, 0};
  n.valid_until = {2026, 5, 0};
  EXPECT_FALSE(NoticeInForce(n, {2025, 12, 31}));
  EXPECT_TRUE(NoticeInForce(n, {2026, 1, 1}));
  EXPECT_TRUE(NoticeInForce(n, {2026, 5, 31}));
  EXPECT_FALSE(NoticeInForce(n, {2026, 6, 1}));
  n.valid_until = {};
  EXPECT_TRUE(NoticeInForce(n, {2090, 1, 1}));
  n.external_id = "W";
  n.person_external_id = "P";
  n.issuing_authority = "Parquet";
  n.reference = "R";
  EXPECT_OK(ValidateWantedNotice(n));
  n.valid_from = {2026, 0, 0};
  n.valid_until = {2025, 0, 0};
  auto bad = ValidateWantedNotice(n);
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("valid_until is before"), std::string::npos);
  // Dates of different precision compare as the notice's window reads them:
  // "2024" ends on 31 December, after 15 March.
  n.valid_from = {2024, 3, 15};
  n.valid_until = {2024, 0, 0};
  EXPECT_OK(ValidateWantedNotice(n));
  n.valid_until = {2024, 3, 0};
  EXPECT_OK(ValidateWantedNotice(n));
  n.valid_until = {2024, 2, 0};
  EXPECT_FALSE(ValidateWantedNotice(n).has_value());
}

}  // namespace
}  // namespace vigie::records
