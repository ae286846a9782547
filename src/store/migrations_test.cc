#include <gtest/gtest.h>

#include "store/store.h"
#include "tests/support/matchers.h"
#include "tests/support/temp_dir.h"

namespace vigie::store {
namespace {

using ::vigie::testing::ErrorCodeIs;

constexpr Migration kTwo[] = {
    {1, "first", "CREATE TABLE a (x INTEGER);"},
    {2, "second", "CREATE TABLE b (y INTEGER);"},
};

bool TableExists(Connection& db, std::string_view name) {
  auto stmt = db.Prepare("SELECT count(*) FROM sqlite_schema WHERE type='table' AND name=$1");
  (*stmt)->BindText(1, name);
  EXPECT_TRUE(*(*stmt)->Step());
  bool exists = (*stmt)->ColumnInt(0) == 1;
  (void)(*stmt)->Run();
  return exists;
}

class MigrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Open("sqlite:" + (dir_ / "m.db").string());
    ASSERT_OK(opened);
    db_ = std::move(*opened);
  }
  vigie::testing::TempDir dir_;
  std::unique_ptr<Connection> db_;
};

TEST_F(MigrationsTest, AppliesInOrderOnceOnly) {
  EXPECT_EQ(*SchemaVersion(*db_), 0);
  EXPECT_EQ(*Migrate(*db_, std::span(kTwo).first(1)), 1);
  EXPECT_TRUE(TableExists(*db_, "a"));
  EXPECT_FALSE(TableExists(*db_, "b"));
  EXPECT_EQ(*Migrate(*db_, kTwo), 2);
  EXPECT_TRUE(TableExists(*db_, "b"));
  EXPECT_EQ(*Migrate(*db_, kTwo), 2);  // idempotent
}

TEST_F(MigrationsTest, RefusesADatabaseNewerThanTheBinary) {
  ASSERT_OK(Migrate(*db_, kTwo));
  auto older = Migrate(*db_, std::span(kTwo).first(1));
  EXPECT_THAT(older, ErrorCodeIs(ErrorCode::kConflict));
  EXPECT_NE(older.error().message().find("newer"), std::string::npos);
}

TEST_F(MigrationsTest, AFailingMigrationChangesNothing) {
  constexpr Migration kBroken[] = {
      {1, "first", "CREATE TABLE a (x INTEGER);"},
      {2, "broken", "CREATE TABLE c (z INTEGER); CREATE TABLE a (x INTEGER);"},
  };
  auto result = Migrate(*db_, kBroken);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message().find("migration 2"), std::string::npos);
  EXPECT_EQ(*SchemaVersion(*db_), 1);
  EXPECT_FALSE(TableExists(*db_, "c"));
}

TEST_F(MigrationsTest, RefusesMisnumberedMigrations) {
  constexpr Migration kGap[] = {{1, "a", "SELECT 1;"}, {3, "c", "SELECT 1;"}};
  EXPECT_THAT(Migrate(*db_, kGap), ErrorCodeIs(ErrorCode::kInternal));
}

TEST_F(MigrationsTest, VigieSchemaApplies) {
  auto version = Migrate(*db_, VigieSchema(db_->dialect()));
  ASSERT_OK(version);
  EXPECT_EQ(*version, static_cast<int>(VigieSchema(db_->dialect()).size()));
  EXPECT_TRUE(TableExists(*db_, "person"));
}

}  // namespace
}  // namespace vigie::store
