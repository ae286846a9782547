#include "incident/claim_sample.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigie::incident {
namespace {

std::vector<SampleRow> ReadAll(std::string_view text, SampleFormat format,
                               std::vector<ColumnOverride> overrides = {}) {
  auto reader = SampleReader::Open(text, format, overrides);
  EXPECT_TRUE(reader.has_value()) << reader.error().ToString();
  std::vector<SampleRow> rows;
  if (!reader) return rows;
  SampleRow row;
  while (reader->Next(row)) rows.push_back(row);
  return rows;
}

TEST(SampleReaderTest, FindsFrenchColumnsWithBomSemicolonsAndQuotes) {
  auto rows = ReadAll(
      "\xEF\xBB\xBFNOM;Prénom(s);Date de naissance;Identifiant\r\n"
      "Dupont;\"Jean; Marie\";12/03/1980;P-1\r\n"
      "\r\n"
      "\"Le \"\"Grand\"\"\";\"Anne\nSophie\";1975-01-02;\r\n"
      "Martin;Paul;1990-05-06;P-3",
      SampleFormat::kCsv);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].surname, "Dupont");
  EXPECT_EQ(rows[0].given_names, "Jean; Marie");
  EXPECT_EQ(rows[0].birth_date, "12/03/1980");
  EXPECT_EQ(rows[0].person_id, "P-1");
  EXPECT_EQ(rows[0].line, 2);
  EXPECT_EQ(rows[1].surname, "Le \"Grand\"");
  EXPECT_EQ(rows[1].given_names, "Anne\nSophie");
  EXPECT_EQ(rows[1].line, 4);
  EXPECT_EQ(rows[1].row, 2);
  EXPECT_EQ(rows[2].surname, "Martin");
  EXPECT_EQ(rows[2].line, 6);
  EXPECT_EQ(rows[2].person_id, "P-3");
}

TEST(SampleReaderTest, MalformedRowsAreReportedAndReadingGoesOn) {
  auto rows = ReadAll(
      "surname,first_name,dob\n"
      "Dupont,\"Jean,1980-03-12\n"  // unclosed quote: only this line is lost
      "Martin,Paul,1990-05-06\n"
      "Bad\xff,Paul,1990-05-06\n"  // invalid UTF-8
      "Too,many,fields,here\n"
      "Quote\"inside,Paul,1990-05-06\n"
      "Durand,Luc,1991-01-01\n",
      SampleFormat::kCsv);
  ASSERT_EQ(rows.size(), 6u);
  // The stray quote runs to the next one, four lines down: only its own line is lost.
  EXPECT_NE(rows[0].error.find("malformed CSV"), std::string::npos) << rows[0].error;
  EXPECT_EQ(rows[0].line, 2);
  EXPECT_TRUE(rows[1].error.empty());
  EXPECT_EQ(rows[1].surname, "Martin");
  EXPECT_EQ(rows[1].line, 3);
  EXPECT_NE(rows[2].error.find("UTF-8"), std::string::npos);
  EXPECT_NE(rows[3].error.find("4 fields"), std::string::npos);
  EXPECT_NE(rows[4].error.find("malformed"), std::string::npos);
  EXPECT_EQ(rows[5].surname, "Durand");
  EXPECT_EQ(rows[5].line, 7);
}

TEST(SampleReaderTest, AnUnclosedQuoteCostsOneRow) {
  auto rows = ReadAll("nom,prenom,ddn\n\"Dupont,Jean,1980-03-12\nMartin,Paul,1990-05-06\n",
                      SampleFormat::kCsv);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].error, "malformed CSV: unclosed quote");
  EXPECT_EQ(rows[1].surname, "Martin");
  EXPECT_EQ(rows[1].line, 3);

  std::string huge = "nom,prenom,ddn\n\"" + std::string(kMaxSampleRowBytes, 'a') + "\"\nA,B,1990\n";
  rows = ReadAll(huge, SampleFormat::kCsv);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].error, "row longer than 64 KiB");
  EXPECT_EQ(rows[1].surname, "A");
}

TEST(SampleReaderTest, OverridesNameColumnsAndMissingOnesAreFatal) {
  std::vector<ColumnOverride> overrides = {{SampleField::kSurname, "col_a"},
                                           {SampleField::kGivenNames, "col_b"},
                                           {SampleField::kBirthDate, "col_c"}};
  auto rows = ReadAll("col_a,col_b,col_c,nom\nDupont,Jean,1980-03-12,Ignored\n", SampleFormat::kCsv,
                      overrides);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].surname, "Dupont");  // the override wins over the "nom" alias

  auto missing = SampleReader::Open("nom,ville\nDupont,Lyon\n", SampleFormat::kCsv, {});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(missing.error().message().find("given_names, birth_date"), std::string::npos)
      << missing.error().message();
  EXPECT_NE(missing.error().message().find("--column"), std::string::npos);
  EXPECT_FALSE(SampleReader::Open("", SampleFormat::kCsv, {}).has_value());
  EXPECT_FALSE(ParseColumnOverride("nickname=X").has_value());
  EXPECT_FALSE(ParseColumnOverride("surname=").has_value());
  auto parsed = ParseColumnOverride("birth_date=DDN");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->field, SampleField::kBirthDate);
  EXPECT_EQ(parsed->column, "DDN");
}

TEST(SampleReaderTest, ReadsJsonLines) {
  auto rows = ReadAll(
      "{\"Nom\":\"Dupont\",\"prenoms\":[\"Jean\",\"Marie\"],\"date_naissance\":\"1980-03-12\","
      "\"id\":42}\n"
      "not json\n"
      "\n"
      "{\"nom\":\"Martin\",\"prenoms\":\"Paul\",\"date_naissance\":\"1990-05-06\"}\n"
      "{\"nom\":7,\"prenoms\":\"Paul\",\"date_naissance\":\"1990-05-06\"}\n"
      "[1,2]\n",
      SampleFormat::kJsonLines);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].given_names, "Jean, Marie");
  EXPECT_EQ(rows[0].person_id, "42");
  EXPECT_EQ(rows[1].error, "malformed JSON");
  EXPECT_EQ(rows[2].surname, "Martin");
  EXPECT_EQ(rows[2].line, 4);
  EXPECT_NE(rows[3].error.find("surname must be a string"), std::string::npos);
  EXPECT_EQ(rows[4].error, "not a JSON object");

  EXPECT_FALSE(SampleReader::Open("{\"x\":1}\n", SampleFormat::kJsonLines, {}).has_value());
}

// A line too long to be a row is not read to name the columns either (it
// would be parsed whole, however large): the first row that can be read does.
TEST(SampleReaderTest, AnOversizedFirstJsonLineDoesNotNameTheColumns) {
  const std::string oversized = "{\"x\":\"" + std::string(70 * 1024, 'a') + "\"}\n";
  auto rows = ReadAll(oversized +
                          "{\"nom\":\"Martin\",\"prenoms\":\"Paul\","
                          "\"date_naissance\":\"1990-05-06\"}\n",
                      SampleFormat::kJsonLines);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].error, "row longer than 64 KiB");
  EXPECT_EQ(rows[1].surname, "Martin");
}

// One value per field: a repeated key, two spellings of one column, or a
// list where a single value is meant make the row invalid, not a guess.
TEST(SampleReaderTest, AJsonLineWithTwoValuesForAFieldIsInvalid) {
  auto rows = ReadAll(
      "{\"nom\":\"Dupont\",\"prenoms\":\"Jean\",\"date_naissance\":\"1980-03-12\"}\n"
      "{\"nom\":\"A\",\"nom\":\"B\",\"prenoms\":\"Jean\",\"date_naissance\":\"1980-03-12\"}\n"
      "{\"nom\":\"A\",\"NOM\":\"B\",\"prenoms\":\"Jean\",\"date_naissance\":\"1980-03-12\"}\n"
      "{\"nom\":[\"DE\",\"LA\"],\"prenoms\":\"Jean\",\"date_naissance\":\"1980-03-12\"}\n"
      "{\"nom\":\"Dupont\",\"prenoms\":\"Jean\",\"date_naissance\":[\"1980-03-12\"]}\n",
      SampleFormat::kJsonLines);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].error, "");
  EXPECT_EQ(rows[1].error, "a key appears twice");
  EXPECT_NE(rows[2].error.find("appears twice"), std::string::npos) << rows[2].error;
  EXPECT_NE(rows[3].error.find("surname must be a string"), std::string::npos) << rows[3].error;
  EXPECT_NE(rows[4].error.find("must be a string"), std::string::npos) << rows[4].error;
}

// Commas inside a quoted column name do not make the file comma-separated.
TEST(SampleReaderTest, TheDelimiterIsCountedOutsideQuotes) {
  auto rows = ReadAll(
      "\"nom, usage\";\"prenoms, usage\";naissance\nDupont;Jean;1980-03-12\n", SampleFormat::kCsv,
      {{SampleField::kSurname, "nom, usage"}, {SampleField::kGivenNames, "prenoms, usage"}});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].error, "");
  EXPECT_EQ(rows[0].surname, "Dupont");
  EXPECT_EQ(rows[0].birth_date, "1980-03-12");
}

// Spaces after the delimiter, before and after a quoted field (a common
// export style): the field is still the quoted one, the row still read.
TEST(SampleReaderTest, SpacesAroundAQuotedFieldAreNotPartOfIt) {
  auto rows = ReadAll(
      "nom, \"prenoms\" , naissance\nDUPONT, \"Jean Pierre\", 12/03/1980\n"
      "MARTIN,  \"Paul, dit \"\"Polo\"\"\"  ,1990-05-06\n",
      SampleFormat::kCsv);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].error, "");
  EXPECT_EQ(rows[0].surname, "DUPONT");
  EXPECT_EQ(rows[0].given_names, "Jean Pierre");
  EXPECT_EQ(rows[0].birth_date, "12/03/1980");
  EXPECT_EQ(rows[1].error, "");
  EXPECT_EQ(rows[1].given_names, "Paul, dit \"Polo\"");
  EXPECT_EQ(rows[1].birth_date, "1990-05-06");
  // In a tab-separated sample a tab is a delimiter, never padding.
  auto tabbed = ReadAll("nom\tprenoms\tnaissance\nDUPONT\t\t1980\n", SampleFormat::kCsv);
  ASSERT_EQ(tabbed.size(), 1u);
  EXPECT_EQ(tabbed[0].given_names, "");
  EXPECT_EQ(tabbed[0].birth_date, "1980");
}

// The sample is the attacker's and its column names reach a terminal in the
// refusal: no escape sequence or direction override gets through.
TEST(SampleReaderTest, ColumnNamesAreShownWithoutControlCharacters) {
  auto refused = SampleReader::Open("{\"\\u001b[2J\\u202eX\":1,\"\\u0085y\":2}\n",
                                    SampleFormat::kJsonLines, {});
  ASSERT_FALSE(refused.has_value());
  const std::string& message = refused.error().message();
  EXPECT_NE(message.find("?[2J?X"), std::string::npos) << message;
  EXPECT_NE(message.find("?y"), std::string::npos) << message;
  EXPECT_EQ(message.find('\x1b'), std::string::npos);
  EXPECT_EQ(message.find("\xe2\x80\xae"), std::string::npos);
  EXPECT_EQ(message.find("\xc2\x85"), std::string::npos);

  // Taken (they fold to the field's name), they are shown as safely.
  auto taken = SampleReader::Open(
      "{\"\\u202esurname\":\"Dupont\",\"\\u009bprenoms\":\"Jean\",\"naissance\":\"1980-03-12\"}\n",
      SampleFormat::kJsonLines, {});
  ASSERT_TRUE(taken.has_value()) << taken.error().message();
  EXPECT_EQ(taken->ColumnOf(SampleField::kSurname), "?surname");
  EXPECT_EQ(taken->ColumnOf(SampleField::kGivenNames), "?prenoms");
  auto csv = SampleReader::Open("\x1b[nom;prenoms;naissance\nDupont;Jean;1980-03-12\n",
                                SampleFormat::kCsv, {});
  ASSERT_TRUE(csv.has_value()) << csv.error().message();
  EXPECT_EQ(csv->ColumnOf(SampleField::kSurname), "?[nom");

  std::string many = "{";
  for (int i = 0; i < 500; ++i) many += "\"column" + std::to_string(i) + "\":1,";
  many.back() = '}';
  auto long_list = SampleReader::Open(many + "\n", SampleFormat::kJsonLines, {});
  ASSERT_FALSE(long_list.has_value());
  EXPECT_LT(long_list.error().message().size(), 1400u);
}

TEST(SampleReaderTest, FoldsColumnNames) {
  EXPECT_EQ(FoldColumnName("Date de naissance"), "datedenaissance");
  EXPECT_EQ(FoldColumnName("PRÉNOM(S)"), "prenoms");
  EXPECT_EQ(FoldColumnName("first_name"), "firstname");
  // Past Latin-1, letters are kept as written; punctuation still goes.
  EXPECT_EQ(FoldColumnName("Фамилия"), "Фамилия");
  EXPECT_EQ(FoldColumnName("Дата рождения"), "Датарождения");
  EXPECT_EQ(FoldColumnName("date\u2013de\u00a0naissance"), "datedenaissance");
  EXPECT_EQ(FoldColumnName("date\xe2\x80\x93"
                           "de naissance"),
            "datedenaissance");
  // Combining marks and symbols go: a decomposed "Prénom", "Nom ▼".
  EXPECT_EQ(FoldColumnName("Pre\u0301nom"), "prenom");
  EXPECT_EQ(FoldColumnName("Nom \u25bc"), "nom");
  EXPECT_EQ(FoldColumnName("Имя \u2731"), "Имя");
}

// Columns named in another script, mapped by option: each is read from its
// own column, in CSV and in JSON Lines.
TEST(SampleReaderTest, ColumnsNamedInAnotherScriptAreMappedByOption) {
  std::vector<ColumnOverride> overrides = {{SampleField::kSurname, "Фамилия"},
                                           {SampleField::kGivenNames, "Имя"},
                                           {SampleField::kBirthDate, "Дата рождения"}};
  auto csv =
      ReadAll("Фамилия,Имя,Дата рождения\nDupont,Jean,1980-03-12\n", SampleFormat::kCsv, overrides);
  ASSERT_EQ(csv.size(), 1u);
  EXPECT_EQ(csv[0].surname, "Dupont");
  EXPECT_EQ(csv[0].given_names, "Jean");
  EXPECT_EQ(csv[0].birth_date, "1980-03-12");
  auto jsonl =
      ReadAll("{\"Фамилия\":\"Martin\",\"Имя\":\"Paul\",\"Дата рождения\":\"1990-05-06\"}\n",
              SampleFormat::kJsonLines, overrides);
  ASSERT_EQ(jsonl.size(), 1u);
  EXPECT_EQ(jsonl[0].error, "");
  EXPECT_EQ(jsonl[0].surname, "Martin");
  EXPECT_EQ(jsonl[0].given_names, "Paul");
  EXPECT_EQ(jsonl[0].birth_date, "1990-05-06");
  // A name of symbols alone is nobody's column.
  const std::vector<ColumnOverride> symbols = {{SampleField::kSurname, "***"},
                                               {SampleField::kGivenNames, "+++"},
                                               {SampleField::kBirthDate, "###"}};
  EXPECT_FALSE(
      SampleReader::Open("***,+++,###\nDupont,Jean,1980-03-12\n", SampleFormat::kCsv, symbols)
          .has_value());
}

}  // namespace
}  // namespace vigie::incident
