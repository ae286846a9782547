// "A copied database file without the key file reveals no name, birth date or
// record content": generate and import a population, then search the raw
// bytes of every database file (main, WAL, shared memory) for each of them.

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "records/exchange_format.h"
#include "records/name_normaliser.h"
#include "tests/support/command.h"
#include "tests/support/installation.h"
#include "tests/support/temp_dir.h"

namespace vigie {
namespace {

// Strings shorter than this occur by chance in megabytes of ciphertext.
constexpr size_t kMinNeedle = 6;

void AddNeedle(std::set<std::string>& needles, const std::string& s) {
  if (s.size() >= kMinNeedle) needles.insert(s);
  auto normalised = records::NormaliseName(s);
  if (normalised && normalised->size() >= kMinNeedle) needles.insert(*normalised);
}

TEST(StolenDatabaseTest, RevealsNoNameDateOrRecordContent) {
  testing::TempDir dir;
  testing::TestInstallation installation;
  std::string vigie = std::string(VIGIE_BINARY) + " --data-dir " + (dir / "data").string();
  ASSERT_EQ(testing::RunCommand(vigie + " init" + installation.InitArguments(), dir.path()).exit_code,
            0);
  auto file = dir / "people.jsonl";
  ASSERT_EQ(testing::RunCommand(vigie + " generate -n 3000 --seed 11 -o " + file.string(),
                                dir.path()).exit_code, 0);
  auto imported = testing::RunCommand(vigie + " import " + file.string(), dir.path());
  ASSERT_EQ(imported.exit_code, 0) << imported.err;

  std::set<std::string> needles;
  std::ifstream in(file);
  std::string line;
  size_t persons = 0;
  while (std::getline(in, line)) {
    auto record = records::ParseJsonLine(line);
    ASSERT_TRUE(record.has_value()) << line;
    if (auto* p = std::get_if<records::Person>(&*record)) {
      ++persons;
      AddNeedle(needles, p->surname);
      for (const auto& g : p->given_names) AddNeedle(needles, g);
      for (const auto& a : p->aliases) AddNeedle(needles, a);
      AddNeedle(needles, p->birth_place);
      AddNeedle(needles, p->external_id);
      if (p->birth_date.full()) needles.insert(records::FormatPartialDate(p->birth_date));
    } else if (auto* n = std::get_if<records::WantedNotice>(&*record)) {
      AddNeedle(needles, n->issuing_authority);
      AddNeedle(needles, n->reference);
    } else if (auto* e = std::get_if<records::RecordEntry>(&*record)) {
      AddNeedle(needles, e->case_reference);
      AddNeedle(needles, e->recording_service);
    }
  }
  ASSERT_EQ(persons, 3000u);
  ASSERT_GT(needles.size(), 3000u);

  const std::string stolen = installation.StolenStore(dir / "data");
  ASSERT_GT(stolen.size(), 500'000u);
  size_t leaked = 0;
  for (const auto& needle : needles) {
    if (stolen.find(needle) != std::string::npos) {
      ADD_FAILURE() << "database file reveals '" << needle << "'";
      if (++leaked > 10) break;
    }
  }
  EXPECT_EQ(leaked, 0u);
}

}  // namespace
}  // namespace vigie
