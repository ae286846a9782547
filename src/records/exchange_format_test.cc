#include "records/exchange_format.h"

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "tests/support/matchers.h"

namespace vigie::records {
namespace {

using ::vigie::testing::ErrorCodeIs;

TEST(ExchangeFormatTest, PersonRoundTripsThroughJson) {
  Person p;
  p.external_id = "P\"1";
  p.surname = "N'Diaye";
  p.given_names = {"Aïssatou", "Marie"};
  p.birth_date = {1988, 12, 0};
  p.birth_place = "Dakar (Sénégal)";
  p.sex = Sex::kFemale;
  p.nationality = "SEN";
  p.aliases = {"Ndiaye"};
  auto parsed = ParseJsonLine(ToJsonLine(p));
  ASSERT_OK(parsed);
  EXPECT_EQ(std::get<Person>(*parsed), p);
}

TEST(ExchangeFormatTest, NoticeAndEntryRoundTrip) {
  WantedNotice n;
  n.external_id = "W";
  n.person_external_id = "P";
  n.reason = WantedReason::kJudicialSupervision;
  n.issuing_authority = "Juge d'instruction, Lyon";
  n.reference = "JI-7";
  n.valid_from = {2024, 2, 1};
  n.valid_until = {2027, 2, 1};
  n.conduct = Conduct::kLocateDiscreetly;
  EXPECT_EQ(std::get<WantedNotice>(*ParseJsonLine(ToJsonLine(n))), n);
  RecordEntry e;
  e.external_id = "R";
  e.person_external_id = "P";
  e.category = OffenceCategory::kWeapons;
  e.date = {2003, 3, 3};
  e.case_reference = "2003/5";
  e.recording_service = "Brigade de gendarmerie de Vienne";
  EXPECT_EQ(std::get<RecordEntry>(*ParseJsonLine(ToJsonLine(e))), e);
}

TEST(ExchangeFormatTest, NullIsAnAbsentField) {
  auto parsed = ParseJsonLine(
      R"({"kind":"person","id":"P","surname":"Ab","given_names":["B"],"birth_date":null,)"
      R"("aliases":null})");
  ASSERT_OK(parsed);
  EXPECT_EQ(std::get<Person>(*parsed).birth_date, PartialDate{});
  EXPECT_TRUE(std::get<Person>(*parsed).aliases.empty());
}

struct BadLine {
  const char* line;
  const char* fragment;
};

class BadJsonLineTest : public ::testing::TestWithParam<BadLine> {};

TEST_P(BadJsonLineTest, IsRefusedWithAClearMessage) {
  auto r = ParseJsonLine(GetParam().line);
  ASSERT_THAT(r, ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_NE(r.error().message().find(GetParam().fragment), std::string::npos)
      << r.error().message();
}

INSTANTIATE_TEST_SUITE_P(
    All, BadJsonLineTest,
    ::testing::Values(
        BadLine{"{", "malformed JSON"}, BadLine{"[1]", "must be a JSON object"},
        BadLine{R"({"id":"P"})", "missing field 'kind'"},
        BadLine{R"({"kind":"alien"})", "kind must be one of"},
        BadLine{R"({"kind":"person","id":"P","surname":"A","given_names":["B"],"eye":"x"})",
                "unknown field 'eye'"},
        BadLine{R"({"kind":"person","id":"P","surname":7,"given_names":["B"]})",
                "'surname' must be a string"},
        BadLine{R"({"kind":"person","id":"P","surname":"Ab","given_names":[1]})",
                "list of strings"},
        BadLine{R"({"kind":"person","id":"P","surname":"Ab"})", "missing field 'given_names'"},
        // null is absent: a misspelt name stays unknown, a required field missing.
        BadLine{R"({"kind":"person","id":"P","surname":"Ab","given_names":["B"],"birth_dat":null})",
                "unknown field 'birth_dat'"},
        BadLine{R"({"kind":"person","id":"P","surname":null,"given_names":["B"]})",
                "missing field 'surname'"},
        BadLine{
            R"({"kind":"person","id":"P","surname":"Ab","given_names":["B"],"birth_date":"1990-02-30"})",
            "birth_date"},
        BadLine{R"({"kind":"person","id":"P","surname":"Ab","given_names":["B"],"sex":"x"})",
                "sex must be one of"},
        BadLine{
            R"({"kind":"person","id":"P","surname":"Ab","given_names":["B"],"nationality":"France"})",
            "alpha-3"},
        BadLine{"{\"kind\":\"person\",\"id\":\"P\",\"surname\":\"A\xff\",\"given_names\":[\"B\"]}",
                "UTF-8"},
        BadLine{
            R"({"kind":"person","id":"P","surname":"Ab","given_names":["B"],"x":{"a":{"b":{"c":1}}}})",
            "malformed JSON"},
        BadLine{
            R"({"kind":"record_entry","id":"R","person_id":"P","category":"theft","date":"2020","role":"witness","case_reference":"c","recording_service":"s"})",
            "role must be one of"},
        // The parser alone would keep the last of each: P2, Martin.
        BadLine{
            R"({"kind":"person","id":"P1","surname":"Dupont","given_names":["B"],"id":"P2","surname":"Martin"})",
            "field 'id' appears twice"},
        BadLine{
            R"({"kind":"person","id":"P","surname":"Ab","given_names":["B"],"kind":"record_entry"})",
            "field 'kind' appears twice"},
        BadLine{R"({"kind":"person","id":"P","surname":"Ab","given_names":["B"],"\u0069d":"Q"})",
                "field 'id' appears twice"},
        // A name from the file reaches the operator's terminal without its
        // escape sequence (ESC ] 0 ; x BEL would retitle it).
        BadLine{
            R"({"kind":"person","id":"P","surname":"Ab","given_names":["B"],"\u001b]0;x\u0007":"1"})",
            "unknown field '?]0;x?'"},
        BadLine{
            R"({"kind":"person","id":"P","surname":"Ab","given_names":["B"],"\u001b]0;x\u0007":1})",
            "field '?]0;x?' must be a string"},
        BadLine{
            R"({"kind":"person","id":"P","surname":"Ab","given_names":["B"],"birth_date":"\u001b[2J"})",
            "got '?[2J'"},
        // Ids that read as another: each would be a second person, not an update.
        BadLine{R"({"kind":"person","id":"P1\u200b","surname":"Ab","given_names":["B"]})",
                "id must be printable ASCII without spaces"},
        BadLine{R"({"kind":"person","id":"P1 ","surname":"Ab","given_names":["B"]})",
                "id must be printable ASCII without spaces"},
        BadLine{R"({"kind":"person","id":"\u04201","surname":"Ab","given_names":["B"]})",
                "id must be printable ASCII without spaces"},
        BadLine{
            R"({"kind":"wanted_notice","id":"W1","person_id":"\ufeffP1","reason":"arrest_warrant","issuing_authority":"a","reference":"r","valid_from":"2026","conduct":"arrest"})",
            "person_id must be printable ASCII without spaces"},
        BadLine{
            R"({"kind":"record_entry","id":"R\u00a01","person_id":"P1","category":"theft","date":"2020","role":"suspect","case_reference":"c","recording_service":"s"})",
            "id must be printable ASCII without spaces"}),
    [](const auto& param) { return "case" + std::to_string(param.index); });

TEST(CsvTest, SplitsQuotedFields) {
  auto f = SplitCsvLine(R"(a,"b,c","say ""hi""",,e)");
  ASSERT_OK(f);
  EXPECT_EQ(*f, (std::vector<std::string>{"a", "b,c", "say \"hi\"", "", "e"}));
  EXPECT_FALSE(SplitCsvLine(R"(a,"b)").has_value());
  EXPECT_FALSE(SplitCsvLine(R"(a,"b"c)").has_value());
  EXPECT_FALSE(SplitCsvLine(R"(a,b"c)").has_value());
}

TEST(CsvTest, HeaderIsChecked) {
  EXPECT_OK(CsvReader::FromHeader(RecordKind::kPerson, "id,surname,given_names"));
  EXPECT_FALSE(CsvReader::FromHeader(RecordKind::kPerson, "id,id").has_value());
  EXPECT_FALSE(CsvReader::FromHeader(RecordKind::kPerson, "id,reason").has_value());
  // A column every line needs, missing: refused with its name.
  for (const auto& [kind, header, missing] :
       std::vector<std::tuple<RecordKind, std::string, std::string>>{
           {RecordKind::kPerson, "id,surname", "given_names"},
           {RecordKind::kWantedNotice,
            "id,person_id,issuing_authority,reference,valid_from,conduct", "reason"},
           {RecordKind::kRecordEntry, "id,person_id,category,date,role,case_reference",
            "recording_service"}}) {
    auto refused = CsvReader::FromHeader(kind, header);
    ASSERT_FALSE(refused.has_value()) << header;
    EXPECT_EQ(refused.error().message(), "missing required CSV column '" + missing + "'");
  }
  EXPECT_OK(
      CsvReader::FromHeader(RecordKind::kWantedNotice,
                            "id,person_id,reason,issuing_authority,reference,valid_from,conduct"));
  EXPECT_OK(
      CsvReader::FromHeader(RecordKind::kRecordEntry,
                            "id,person_id,category,date,role,case_reference,recording_service"));
  auto reader = CsvReader::FromHeader(RecordKind::kPerson, "id,surname,given_names");
  EXPECT_FALSE(reader->ParseLine("a,b").has_value());
  EXPECT_FALSE(reader->ParseLine("P,Martin,").has_value());  // given_names required
  EXPECT_OK(reader->ParseLine("P-2019/004512,Martin,Jean;Paul"));
}

// Two exports joined end to end: the second header is refused, not taken
// for a person named "Surname" (with or without a BOM before it, in the
// first's order or not, with its columns or others).
TEST(CsvTest, TheHeaderRepeatedIsNotARecord) {
  auto reader = CsvReader::FromHeader(RecordKind::kPerson, "id,surname,given_names");
  ASSERT_OK(reader);
  for (const char* line : {"id,surname,given_names", "\xEF\xBB\xBFid,surname,given_names",
                           "surname,id,given_names", "id,surname,given_names,birth_place"}) {
    auto refused = reader->ParseLine(line);
    ASSERT_THAT(refused, ErrorCodeIs(ErrorCode::kInvalidArgument)) << line;
    EXPECT_NE(refused.error().message().find("the CSV header again"), std::string::npos)
        << refused.error().message();
  }
  EXPECT_OK(reader->ParseLine("P1,Surname,Given"));
  // A BOM before a record is no part of its id.
  EXPECT_FALSE(reader->ParseLine("\xEF\xBB\xBFP1,Surname,Given").has_value());
}

}  // namespace
}  // namespace vigie::records
