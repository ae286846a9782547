#include "records/internal/record_codec.h"

#include <gtest/gtest.h>

#include "tests/support/matchers.h"

namespace vigie::records::internal {
namespace {

using ::vigie::testing::ErrorCodeIs;

Person SamplePerson() {
  Person p;
  p.external_id = "P1";
  p.surname = "Lefèvre";
  p.given_names = {"Jean-Pierre", "Marie"};
  p.birth_date = {1974, 3, 0};
  p.birth_place = "Lyon (69)";
  p.sex = Sex::kMale;
  p.nationality = "FRA";
  p.aliases = {"Dupont"};
  return p;
}

TEST(RecordCodecTest, RoundTripsEveryKind) {
  Person p = SamplePerson();
  EXPECT_EQ(*DecodePerson(EncodePerson(p)), p);

  WantedNotice n;
  n.external_id = "W1";
  n.person_external_id = "P1";
  n.reason = WantedReason::kMissingMinor;
  n.issuing_authority = "Parquet de Lyon";
  n.reference = "MA-1";
  n.valid_from = {2024, 1, 2};
  n.conduct = Conduct::kProtect;
  EXPECT_EQ(*DecodeWantedNotice(EncodeWantedNotice(n)), n);

  RecordEntry e;
  e.external_id = "R1";
  e.person_external_id = "P1";
  e.category = OffenceCategory::kFraud;
  e.date = {2020, 5, 6};
  e.role = EntryRole::kVictim;
  e.case_reference = "2020/1";
  e.recording_service = "Commissariat de Lille";
  EXPECT_EQ(*DecodeRecordEntry(EncodeRecordEntry(e)), e);
}

TEST(RecordCodecTest, EveryTruncationIsDataLoss) {
  auto bytes = EncodePerson(SamplePerson());
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_THAT(DecodePerson(std::span(bytes).first(n)), ErrorCodeIs(ErrorCode::kDataLoss)) << n;
  }
  bytes.push_back(0);
  EXPECT_THAT(DecodePerson(bytes), ErrorCodeIs(ErrorCode::kDataLoss));
}

TEST(RecordCodecTest, WrongKindOrEnumIsDataLoss) {
  auto bytes = EncodePerson(SamplePerson());
  EXPECT_THAT(DecodeWantedNotice(bytes), ErrorCodeIs(ErrorCode::kDataLoss));
  RecordEntry e;
  e.role = static_cast<EntryRole>(9);
  EXPECT_THAT(DecodeRecordEntry(EncodeRecordEntry(e)), ErrorCodeIs(ErrorCode::kDataLoss));
}

}  // namespace
}  // namespace vigie::records::internal
