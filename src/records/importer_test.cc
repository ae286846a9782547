#include "records/importer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <ios>
#include <istream>
#include <sstream>
#include <streambuf>
#include <string>
#include <string_view>

#include "tests/support/matchers.h"
#include "tests/support/records_db.h"

namespace vigie::records {
namespace {

constexpr const char* kGood =
    R"({"kind":"person","id":"P1","surname":"Dubois","given_names":["Léa"],"birth_date":"2001-02-03"})"
    "\n"
    R"({"kind":"person","id":"P2","surname":"Girard","given_names":["Hugo"],"birth_date":"1999"})"
    "\n"
    R"({"kind":"record_entry","id":"R1","person_id":"P1","category":"theft","date":"2019-05-01","role":"victim","case_reference":"2019/77","recording_service":"Commissariat de Lille"})"
    "\n"
    R"({"kind":"wanted_notice","id":"W1","person_id":"P2","reason":"escapee","issuing_authority":"Parquet de Lille","reference":"E-1","valid_from":"2025-01-01","conduct":"arrest"})"
    "\n";

Result<ImportReport> RunImport(testing::RecordsDb& t, const std::string& text,
                               ImportOptions options = {}) {
  std::istringstream in(text);
  return Import(in, text.size(), options, *t.db, *t.repository);
}

TEST(ImporterTest, ImportsEveryKindAndIsIdempotent) {
  testing::RecordsDb t;
  auto first = RunImport(t, kGood);
  ASSERT_OK(first);
  EXPECT_TRUE(first->committed);
  EXPECT_EQ(first->persons_inserted, 2);
  EXPECT_EQ(first->entries_inserted, 1);
  EXPECT_EQ(first->notices_inserted, 1);
  auto again = RunImport(t, kGood);
  ASSERT_OK(again);
  EXPECT_EQ(again->persons_inserted, 0);
  EXPECT_EQ(again->persons_updated, 2);
  EXPECT_EQ(again->entries_updated, 1);
  EXPECT_EQ(*t.repository->CountPersons(), 2);
}

// The external-ref unique indexes, as the database describes them.
std::string RefIndexes(testing::RecordsDb& t) {
  auto stmt = t.db->Prepare(
      t.db->dialect() == store::Dialect::kSqlite
          ? "SELECT group_concat(sql, ';') FROM (SELECT sql FROM sqlite_master "
            "WHERE type = 'index' AND name LIKE '%_by_ref' ORDER BY name)"
          : "SELECT string_agg(indexdef, ';' ORDER BY indexname) FROM pg_indexes "
            "WHERE schemaname = current_schema() AND indexname LIKE '%_by_ref'");
  if (!stmt || !*(*stmt)->Step()) return "";
  std::string sql((*stmt)->ColumnText(0));
  (void)(*stmt)->Run();
  return sql;
}

// A first import into empty tables suspends the unique indexes and stands in
// for them in memory: duplicates inside the file still update, orphans are
// still refused, and the indexes come back exactly as the schema made them.
TEST(ImporterTest, FreshLoadKeepsReferencesUniqueAndRebuildsTheIndexes) {
  testing::RecordsDb t;
  const std::string indexes = RefIndexes(t);
  ASSERT_NE(indexes.find("person_by_ref"), std::string::npos);
  std::string text = std::string(kGood) +
                     R"({"kind":"person","id":"P1","surname":"Dubois","given_names":["Léa"],"birth_date":"2001-02-04"})" "\n" +
                     R"({"kind":"wanted_notice","id":"W1","person_id":"P1","reason":"escapee","issuing_authority":"Parquet de Lille","reference":"E-2","valid_from":"2025-01-01","conduct":"arrest"})" "\n" +
                     R"({"kind":"record_entry","id":"R2","person_id":"ghost","category":"theft","date":"2019","role":"suspect","case_reference":"x","recording_service":"y"})" "\n";
  ImportOptions options;
  options.skip_bad_lines = true;
  auto report = RunImport(t, text, options);
  ASSERT_OK(report);
  EXPECT_TRUE(report->committed);
  EXPECT_EQ(report->persons_inserted, 2);
  EXPECT_EQ(report->persons_updated, 1);
  EXPECT_EQ(report->notices_inserted, 1);
  EXPECT_EQ(report->notices_updated, 1);
  ASSERT_EQ(report->errors.size(), 1u);
  EXPECT_EQ(report->errors[0].line, 7);
  EXPECT_NE(report->errors[0].message.find("ghost"), std::string::npos);
  EXPECT_EQ(RefIndexes(t), indexes);
  EXPECT_EQ(*t.repository->CountPersons(), 2);

  // The later line won: P1's birth date, and W1 now belongs to P1.
  auto p1 = t.repository->GetPerson(1);
  ASSERT_OK(p1);
  EXPECT_EQ(p1->birth_date.day, 4);
  auto notices = t.repository->WantedNoticesOf(1);
  ASSERT_OK(notices);
  ASSERT_EQ(notices->size(), 1u);
  EXPECT_EQ((*notices)[0].reference, "E-2");
  EXPECT_TRUE(t.repository->WantedNoticesOf(2)->empty());

  // The rebuilt index still refuses a second row with the same reference.
  auto again = RunImport(t, kGood);
  ASSERT_OK(again);
  EXPECT_EQ(again->persons_updated, 2);
  EXPECT_EQ(again->persons_inserted, 0);
  EXPECT_EQ(*t.repository->CountPersons(), 2);
}

TEST(ImporterTest, RefusedFreshLoadLeavesTheIndexesInPlace) {
  testing::RecordsDb t;
  const std::string indexes = RefIndexes(t);
  auto report = RunImport(t, std::string(kGood) + "{broken\n");
  ASSERT_OK(report);
  EXPECT_FALSE(report->committed);
  EXPECT_EQ(RefIndexes(t), indexes);
  EXPECT_EQ(*t.repository->CountPersons(), 0);
}

// On SQLite an import alone on the database runs in a rollback-journal mode
// and switches back to WAL after its transaction. If that switch fails, the
// import was still committed and must say so: reported as failed, it would
// be run (and recorded) twice.
TEST(ImporterTest, ACommittedImportStaysCommittedWhenTheJournalCannotSwitchBack) {
  testing::RecordsDb t;
  if (t.db->dialect() != store::Dialect::kSqlite) GTEST_SKIP() << "SQLite's journal modes";
  const std::string path = t.database.url().substr(std::string_view("sqlite:").size());
  std::filesystem::remove(path + "-wal");
  ImportOptions options;
  // In the middle of the transaction, where the write-ahead log would go,
  // something no one can open as a file.
  options.before_commit = [&](const ImportReport&) -> Result<void> {
    std::filesystem::create_directory(path + "-wal");
    return {};
  };
  auto report = RunImport(t, kGood, options);
  ASSERT_OK(report);
  EXPECT_TRUE(report->committed);
  EXPECT_NE(report->journal_not_restored, "");
  t.repository.reset();
  t.db.reset();
  std::filesystem::remove(path + "-wal");
  auto reopened = store::Open(t.database.url());
  ASSERT_OK(reopened);
  auto repository = RecordRepository::Create(**reopened, t.keyring);
  ASSERT_OK(repository);
  EXPECT_EQ(*repository->CountPersons(), 2);
}

// A file saved with a byte-order mark imports as one without; only its
// first line may carry one.
TEST(ImporterTest, AByteOrderMarkBeforeTheFirstLineIsNoPartOfIt) {
  testing::RecordsDb t;
  const std::string bom = "\xEF\xBB\xBF";
  auto report = RunImport(t, bom + kGood);
  ASSERT_OK(report);
  EXPECT_TRUE(report->committed);
  EXPECT_EQ(report->persons_inserted, 2);

  std::string later = std::string(kGood) + bom +
                      R"({"kind":"person","id":"P3","surname":"Roux","given_names":["Paul"]})"
                      "\n";
  auto refused = RunImport(t, later);
  ASSERT_OK(refused);
  EXPECT_FALSE(refused->committed);
  ASSERT_EQ(refused->errors.size(), 1u);
  EXPECT_EQ(refused->errors[0].line, 5);
}

// Serves `text`, then fails as a file on a failing disk does (libstdc++'s
// file buffer throws).
class FailingAfter final : public std::streambuf {
 public:
  explicit FailingAfter(std::string text) : text_(std::move(text)) {
    setg(text_.data(), text_.data(), text_.data() + text_.size());
  }

 protected:
  int_type underflow() override { throw std::ios_base::failure("read error"); }

 private:
  std::string text_;
};

TEST(ImporterTest, AReadErrorStopsTheImportWithNothingCommitted) {
  testing::RecordsDb t;
  FailingAfter buffer(kGood);
  std::istream in(&buffer);
  auto report = Import(in, 1 << 20, ImportOptions{}, *t.db, *t.repository);
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(*t.repository->CountPersons(), 0);
}

TEST(ImporterTest, OneBadLineRefusesTheWholeBatch) {
  testing::RecordsDb t;
  std::string text = std::string(kGood) +
                     R"({"kind":"person","id":"P3","surname":"X1","given_names":["A"]})" "\n" +
                     R"({"kind":"person","id":"P4","surname":"Roux","given_names":"Paul"})" "\n";
  auto report = RunImport(t, text);
  ASSERT_OK(report);
  EXPECT_FALSE(report->committed);
  EXPECT_EQ(report->bad_lines, 2);
  ASSERT_EQ(report->errors.size(), 2u);
  EXPECT_EQ(report->errors[0].line, 5);
  EXPECT_NE(report->errors[0].message.find("surname"), std::string::npos);
  EXPECT_EQ(report->errors[1].line, 6);
  EXPECT_NE(report->errors[1].message.find("given_names"), std::string::npos);
  EXPECT_EQ(*t.repository->CountPersons(), 0);  // nothing written
}

TEST(ImporterTest, SkipBadLinesKeepsTheGoodOnes) {
  testing::RecordsDb t;
  std::string text = std::string("{not json\n") + kGood +
                     R"({"kind":"record_entry","id":"R9","person_id":"nobody","category":"theft","date":"2019","role":"suspect","case_reference":"x","recording_service":"y"})"
                     "\n";
  ImportOptions options;
  options.skip_bad_lines = true;
  auto report = RunImport(t, text, options);
  ASSERT_OK(report);
  EXPECT_TRUE(report->committed);
  EXPECT_EQ(report->bad_lines, 2);
  EXPECT_EQ(report->errors[0].line, 1);
  EXPECT_EQ(report->errors[1].line, 6);
  EXPECT_NE(report->errors[1].message.find("nobody"), std::string::npos);
  EXPECT_EQ(*t.repository->CountPersons(), 2);
}

TEST(ImporterTest, ImportsCsvWithQuotesAndLists) {
  testing::RecordsDb t;
  std::string csv =
      "id,surname,given_names,birth_date,birth_place,sex,nationality,aliases\r\n"
      "C1,\"D'Artagnan\",Charles;Ogier,1611,\"Lupiac, Gers (32)\",male,FRA,\r\n"
      "C2,Dupuis,\"Anne-Marie\",1950-06,,female,,\"Vidal\"\r\n";
  ImportOptions options;
  options.format = ImportFormat::kCsv;
  auto report = RunImport(t, csv, options);
  ASSERT_OK(report);
  // 1611 is before 1850: the line is refused with its number.
  EXPECT_FALSE(report->committed);
  ASSERT_EQ(report->errors.size(), 1u);
  EXPECT_EQ(report->errors[0].line, 2);
  csv.replace(csv.find("1611"), 4, "1961");
  report = RunImport(t, csv, options);
  ASSERT_OK(report);
  EXPECT_TRUE(report->committed) << (report->errors.empty() ? "" : report->errors[0].message);
  auto p = t.repository->GetPerson(1);
  ASSERT_OK(p);
  EXPECT_EQ(p->birth_place, "Lupiac, Gers (32)");
  EXPECT_EQ(p->given_names, (std::vector<std::string>{"Charles", "Ogier"}));
  EXPECT_EQ(t.repository->GetPerson(2)->aliases, std::vector<std::string>{"Vidal"});
}

TEST(ImporterTest, CsvHeaderErrorsStopTheImport) {
  testing::RecordsDb t;
  ImportOptions options;
  options.format = ImportFormat::kCsv;
  auto report = RunImport(t, "id,surname,shoe_size\nX,Y,42\n", options);
  ASSERT_OK(report);
  EXPECT_FALSE(report->committed);
  EXPECT_NE(report->errors[0].message.find("shoe_size"), std::string::npos);
}

// Skipping bad lines is for a few bad records among good ones: a refused
// header leaves every line unread, and must not pass for an import.
TEST(ImporterTest, ARefusedCsvHeaderStopsTheImportEvenWhenBadLinesAreSkipped) {
  testing::RecordsDb t;
  ImportOptions options;
  options.format = ImportFormat::kCsv;
  options.skip_bad_lines = true;
  const int64_t generation = *t.repository->Generation();
  for (const std::string header : {"id,surname,given_name", "id,surname"}) {
    auto report = RunImport(t, header + "\nP1,Martin,Jean\nP2,Durand,Anne\n", options);
    ASSERT_OK(report);
    EXPECT_FALSE(report->committed) << header;
    EXPECT_TRUE(report->header_refused) << header;
    ASSERT_EQ(report->errors.size(), 1u) << header;
    EXPECT_EQ(report->errors[0].line, 1);
    EXPECT_EQ(report->errors[0].message.rfind("CSV header: ", 0), 0u) << report->errors[0].message;
  }
  // A file with no header at all (empty, blank, a byte-order mark alone: a
  // transfer cut short) is refused as a bad header is, not an import of nothing.
  for (const std::string empty : {"", "\n\n  \n", "\xEF\xBB\xBF"}) {
    auto report = RunImport(t, empty, options);
    ASSERT_OK(report);
    EXPECT_FALSE(report->committed) << empty.size();
    EXPECT_TRUE(report->header_refused) << empty.size();
    ASSERT_EQ(report->errors.size(), 1u) << empty.size();
    EXPECT_EQ(report->errors[0].message.rfind("CSV header: missing", 0), 0u)
        << report->errors[0].message;
  }
  // A first line too long to read (over 64 KiB) is no header either: the
  // line after it is not taken for one.
  auto too_long = RunImport(
      t, std::string(64 * 1024 + 10, 'x') + "\nid,surname,given_names\nP1,Martin,Jean\n", options);
  ASSERT_OK(too_long);
  EXPECT_FALSE(too_long->committed);
  EXPECT_TRUE(too_long->header_refused);
  ASSERT_EQ(too_long->errors.size(), 1u);
  EXPECT_EQ(too_long->errors[0].line, 1);
  EXPECT_EQ(too_long->errors[0].message.rfind("CSV header: line longer than", 0), 0u)
      << too_long->errors[0].message;
  EXPECT_EQ(*t.repository->CountPersons(), 0);
  EXPECT_EQ(*t.repository->Generation(), generation) << "no index rebuild for nothing";
  // The same lines under a good header, one of them bad: skipped, the rest in.
  auto skipped = RunImport(t, "id,surname,given_names\nP1,Martin,Jean\nP2,,Anne\n", options);
  ASSERT_OK(skipped);
  EXPECT_TRUE(skipped->committed);
  EXPECT_FALSE(skipped->header_refused);
  EXPECT_EQ(skipped->bad_lines, 1);
  EXPECT_EQ(*t.repository->CountPersons(), 1);
}

// Every node builds its search index again after an import: not after one
// that wrote nothing (an empty file, or only bad lines skipped).
TEST(ImporterTest, AnImportThatWritesNothingLeavesTheGenerationAlone) {
  testing::RecordsDb t;
  ImportOptions options;
  options.skip_bad_lines = true;
  const int64_t generation = *t.repository->Generation();
  for (const std::string& text : {std::string(), std::string("{\"kind\":\"person\"}\n")}) {
    auto report = RunImport(t, text, options);
    ASSERT_OK(report);
    EXPECT_TRUE(report->committed);
    EXPECT_EQ(*t.repository->Generation(), generation) << text;
  }
  auto written = RunImport(t, kGood, options);
  ASSERT_OK(written);
  EXPECT_TRUE(written->committed);
  EXPECT_GT(*t.repository->Generation(), generation);
}

TEST(ImporterTest, OversizedLinesAreRefused) {
  testing::RecordsDb t;
  std::string huge = R"({"kind":"person","id":"P1","surname":")" + std::string(70000, 'A') +
                     R"(","given_names":["A"]})" "\n";
  auto report = RunImport(t, huge);
  ASSERT_OK(report);
  EXPECT_FALSE(report->committed);
  EXPECT_NE(report->errors[0].message.find("longer than"), std::string::npos);
}

TEST(ImporterTest, FormatFromPath) {
  EXPECT_EQ(*FormatFromPath("a.jsonl"), ImportFormat::kJsonLines);
  EXPECT_EQ(*FormatFromPath("a.csv"), ImportFormat::kCsv);
  EXPECT_FALSE(FormatFromPath("a.xlsx").has_value());
}

}  // namespace
}  // namespace vigie::records
