#include "store/store.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/matchers.h"
#include "tests/support/temp_dir.h"

namespace vigie::store {
namespace {

using ::vigie::testing::ErrorCodeIs;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Open("sqlite:" + (dir_ / "t.db").string());
    ASSERT_OK(opened);
    db_ = std::move(*opened);
    ASSERT_OK(db_->ExecuteScript("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, "
                                 "score REAL, data BLOB)"));
  }
  int64_t Count() {
    auto stmt = db_->Prepare("SELECT count(*) FROM t");
    EXPECT_TRUE(stmt.has_value());
    EXPECT_TRUE(*(*stmt)->Step());
    int64_t n = (*stmt)->ColumnInt(0);
    EXPECT_OK((*stmt)->Run());
    return n;
  }
  vigie::testing::TempDir dir_;
  std::unique_ptr<Connection> db_;
};

TEST_F(StoreTest, BindsAndReadsEveryType) {
  auto insert = db_->Prepare("INSERT INTO t (id, name, score, data) VALUES ($1, $2, $3, $4)");
  ASSERT_OK(insert);
  std::vector<uint8_t> blob = {0, 1, 2, 255};
  (*insert)->BindInt(1, 7).BindText(2, "Zoé").BindDouble(3, 2.5).BindBlob(4, blob);
  EXPECT_EQ(*(*insert)->Run(), 1);

  auto select = db_->Prepare("SELECT id, name, score, data FROM t WHERE id = $1");
  ASSERT_OK(select);
  (*select)->BindInt(1, 7);
  ASSERT_TRUE(*(*select)->Step());
  EXPECT_EQ((*select)->ColumnInt(0), 7);
  EXPECT_EQ((*select)->ColumnText(1), "Zoé");
  EXPECT_DOUBLE_EQ((*select)->ColumnDouble(2), 2.5);
  auto data = (*select)->ColumnBlob(3);
  EXPECT_EQ(std::vector<uint8_t>(data.begin(), data.end()), blob);
  EXPECT_FALSE(*(*select)->Step());
}

TEST_F(StoreTest, EmptyBlobIsNotNull) {
  auto insert = db_->Prepare("INSERT INTO t (id, data) VALUES (1, $1)");
  ASSERT_OK(insert);
  (*insert)->BindBlob(1, {});
  ASSERT_OK((*insert)->Run());
  auto select = db_->Prepare("SELECT data IS NULL, length(data) FROM t");
  ASSERT_TRUE(*(*select)->Step());
  EXPECT_EQ((*select)->ColumnInt(0), 0);
  EXPECT_EQ((*select)->ColumnInt(1), 0);
}

TEST_F(StoreTest, ParametersAreNeverInterpretedAsSql) {
  const std::string hostile = "x'); DROP TABLE t; --";
  auto insert = db_->Prepare("INSERT INTO t (name) VALUES ($1)");
  (*insert)->BindText(1, hostile);
  ASSERT_OK((*insert)->Run());
  auto select = db_->Prepare("SELECT name FROM t WHERE name = $1");
  (*select)->BindText(1, hostile);
  ASSERT_TRUE(*(*select)->Step());
  EXPECT_EQ((*select)->ColumnText(0), hostile);
  EXPECT_EQ(Count(), 1);
}

TEST_F(StoreTest, ConstraintViolationIsConflict) {
  auto insert = db_->Prepare("INSERT INTO t (name) VALUES ($1)");
  (*insert)->BindText(1, "a");
  ASSERT_OK((*insert)->Run());
  insert = db_->Prepare("INSERT INTO t (name) VALUES ($1)");
  (*insert)->BindText(1, "a");
  EXPECT_THAT((*insert)->Run(), ErrorCodeIs(ErrorCode::kConflict));
  EXPECT_EQ(Count(), 1);
}

TEST_F(StoreTest, BadSqlIsInvalidArgument) {
  EXPECT_THAT(db_->Prepare("SELEKT 1"), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(db_->Prepare("SELECT 1; SELECT 2"), ErrorCodeIs(ErrorCode::kInvalidArgument));
}

TEST_F(StoreTest, BindingAMissingParameterFailsTheStep) {
  auto insert = db_->Prepare("INSERT INTO t (name) VALUES ($1)");
  (*insert)->BindText(2, "a");
  EXPECT_THAT((*insert)->Run(), ErrorCodeIs(ErrorCode::kInternal));
  EXPECT_EQ(Count(), 0);
  // The cached statement is usable again after the misuse.
  insert = db_->Prepare("INSERT INTO t (name) VALUES ($1)");
  (*insert)->BindText(1, "a");
  EXPECT_OK((*insert)->Run());
}

TEST_F(StoreTest, TransactionRollsBackUnlessCommitted) {
  {
    auto tx = Transaction::Begin(*db_);
    ASSERT_OK(tx);
    ASSERT_OK(db_->ExecuteScript("INSERT INTO t (name) VALUES ('gone')"));
  }
  EXPECT_EQ(Count(), 0);
  {
    auto tx = Transaction::Begin(*db_);
    ASSERT_OK(db_->ExecuteScript("INSERT INTO t (name) VALUES ('kept')"));
    ASSERT_OK(tx->Commit());
    EXPECT_THAT(tx->Commit(), ErrorCodeIs(ErrorCode::kInternal));
  }
  EXPECT_EQ(Count(), 1);
}

TEST_F(StoreTest, ReadTransactionSeesOneSnapshot) {
  ASSERT_OK(db_->ExecuteScript("INSERT INTO t (name) VALUES ('a')"));
  auto other = Open("sqlite:" + (dir_ / "t.db").string());
  ASSERT_OK(other);
  auto read = Transaction::BeginRead(*db_);
  ASSERT_OK(read);
  EXPECT_EQ(Count(), 1);
  ASSERT_OK((*other)->ExecuteScript("INSERT INTO t (name) VALUES ('b')"));
  EXPECT_EQ(Count(), 1);  // still the snapshot taken by the first read
  ASSERT_OK(read->Commit());
  EXPECT_EQ(Count(), 2);
}

std::string JournalMode(Connection& db) {
  auto stmt = db.Prepare("PRAGMA journal_mode");
  EXPECT_TRUE(*(*stmt)->Step());
  std::string mode((*stmt)->ColumnText(0));
  EXPECT_TRUE((*stmt)->Run().has_value());
  return mode;
}

TEST_F(StoreTest, BulkLoadModeOnlyWhenAlone) {
  auto other = Open("sqlite:" + (dir_ / "t.db").string());
  ASSERT_OK(other);
  auto shared = db_->EnterBulkLoad();
  ASSERT_OK(shared);
  EXPECT_FALSE(*shared);  // another connection is open: stay in WAL
  EXPECT_EQ(JournalMode(*db_), "wal");
  other->reset();
  auto alone = db_->EnterBulkLoad();
  ASSERT_OK(alone);
  EXPECT_TRUE(*alone);
  EXPECT_EQ(JournalMode(*db_), "truncate");
  ASSERT_OK(db_->LeaveBulkLoad());
  EXPECT_EQ(JournalMode(*db_), "wal");
}

TEST(StoreOpenTest, RefusesUnknownUrlAndNonDatabaseFiles) {
  vigie::testing::TempDir dir;
  EXPECT_THAT(Open("mysql://x"), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(Open("sqlite:"), ErrorCodeIs(ErrorCode::kInvalidArgument));
  std::ofstream(dir / "junk.db") << std::string(8192, 'x');
  auto opened = Open("sqlite:" + (dir / "junk.db").string());
  ASSERT_FALSE(opened.has_value());
  EXPECT_NE(opened.error().code(), ErrorCode::kInternal);
  EXPECT_THAT(Open("sqlite:" + (dir / "missing/dir/x.db").string()),
              ErrorCodeIs(ErrorCode::kUnavailable));
}

TEST(StoreOpenTest, UsesWriteAheadLogging) {
  vigie::testing::TempDir dir;
  auto db = Open("sqlite:" + (dir / "w.db").string());
  ASSERT_OK(db);
  auto stmt = (*db)->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(*(*stmt)->Step());
  EXPECT_EQ((*stmt)->ColumnText(0), "wal");
}

}  // namespace
}  // namespace vigie::store
