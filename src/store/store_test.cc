#include "store/store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <thread>
#include <vector>

#include "store/test_database.h"
#include "tests/support/matchers.h"
#include "tests/support/temp_dir.h"

namespace vigie::store {
namespace {

using ::vigie::testing::ErrorCodeIs;
using testing::Backend;
using testing::TestDatabase;

// Runs on both backends: same calls, same answers.
class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    VIGIE_REQUIRE_TEST_DATABASE(database_);
    auto opened = Open(database_.url());
    ASSERT_OK(opened);
    db_ = std::move(*opened);
    Backend b = GetParam();
    ASSERT_OK(db_->ExecuteScript("CREATE TABLE t (id " + testing::RowIdKey(b) +
                                 ", name TEXT UNIQUE, score " + testing::RealType(b) +
                                 ", data " + testing::BlobType(b) + ")"));
  }
  int64_t Count() {
    auto stmt = db_->Prepare("SELECT count(*) FROM t");
    EXPECT_TRUE(stmt.has_value());
    EXPECT_TRUE(*(*stmt)->Step());
    int64_t n = (*stmt)->ColumnInt(0);
    EXPECT_OK((*stmt)->Run());
    return n;
  }
  TestDatabase database_{GetParam()};
  std::unique_ptr<Connection> db_;
};

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::BackendName);

TEST_P(StoreTest, BindsAndReadsEveryType) {
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

TEST_P(StoreTest, EmptyBlobIsNotNull) {
  auto insert = db_->Prepare("INSERT INTO t (id, data) VALUES (1, $1)");
  ASSERT_OK(insert);
  (*insert)->BindBlob(1, {});
  ASSERT_OK((*insert)->Run());
  auto select = db_->Prepare("SELECT data IS NULL, length(data) FROM t");
  ASSERT_TRUE(*(*select)->Step());
  EXPECT_EQ((*select)->ColumnInt(0), 0);
  EXPECT_EQ((*select)->ColumnInt(1), 0);
}

// Text PostgreSQL would not take as sent (a NUL would cut it: "admin\0x"
// read as "admin"; bytes that are not UTF-8) is refused alike on both
// backends, before anything runs; the statement is usable again after.
TEST_P(StoreTest, TextWithANulOrNotUtf8IsRefusedAndWritesNothing) {
  ASSERT_OK(db_->ExecuteScript("INSERT INTO t (id, name) VALUES (1, 'admin')"));
  auto select = db_->Prepare("SELECT count(*) FROM t WHERE name = $1");
  ASSERT_OK(select);
  (*select)->BindText(1, std::string_view("admin\0x", 7));
  EXPECT_THAT((*select)->Step(), ErrorCodeIs(ErrorCode::kInvalidArgument));
  for (std::string_view bad : {std::string_view("caf\xc3", 4), std::string_view("\xff"),
                               std::string_view("a\0b", 3), std::string_view("\xed\xa0\x80")}) {
    auto insert = db_->Prepare("INSERT INTO t (id, name) VALUES (2, $1)");
    ASSERT_OK(insert);
    (*insert)->BindText(1, bad);
    EXPECT_THAT((*insert)->Run(), ErrorCodeIs(ErrorCode::kInvalidArgument));
  }
  EXPECT_EQ(Count(), 1);
  auto insert = db_->Prepare("INSERT INTO t (id, name) VALUES (2, $1)");
  ASSERT_OK(insert);
  (*insert)->BindText(1, "caf\xc3\xa9");
  ASSERT_OK((*insert)->Run());
  EXPECT_EQ(Count(), 2);
}

TEST_P(StoreTest, ParametersAreNeverInterpretedAsSql) {
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

TEST_P(StoreTest, ConstraintViolationIsConflict) {
  auto insert = db_->Prepare("INSERT INTO t (name) VALUES ($1)");
  (*insert)->BindText(1, "a");
  ASSERT_OK((*insert)->Run());
  insert = db_->Prepare("INSERT INTO t (name) VALUES ($1)");
  (*insert)->BindText(1, "a");
  auto again = (*insert)->Run();
  EXPECT_THAT(again, ErrorCodeIs(ErrorCode::kConflict));
  // The database's own words: never for a client (api tells the code's text).
  EXPECT_TRUE(!again && again.error().database_detail());
  EXPECT_EQ(Count(), 1);
}

TEST_P(StoreTest, BadSqlIsInvalidArgument) {
  EXPECT_THAT(db_->Prepare("SELEKT 1"), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(db_->Prepare("SELECT 1; SELECT 2"), ErrorCodeIs(ErrorCode::kInvalidArgument));
}

TEST_P(StoreTest, BindingAMissingParameterFailsTheStep) {
  auto insert = db_->Prepare("INSERT INTO t (name) VALUES ($1)");
  (*insert)->BindText(2, "a");
  EXPECT_THAT((*insert)->Run(), ErrorCodeIs(ErrorCode::kInternal));
  EXPECT_EQ(Count(), 0);
  // The cached statement is usable again after the misuse.
  insert = db_->Prepare("INSERT INTO t (name) VALUES ($1)");
  (*insert)->BindText(1, "a");
  EXPECT_OK((*insert)->Run());
}

TEST_P(StoreTest, TransactionRollsBackUnlessCommitted) {
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

TEST_P(StoreTest, ReadTransactionSeesOneSnapshot) {
  ASSERT_OK(db_->ExecuteScript("INSERT INTO t (name) VALUES ('a')"));
  auto other = Open(database_.url());
  ASSERT_OK(other);
  auto read = Transaction::BeginRead(*db_);
  ASSERT_OK(read);
  EXPECT_EQ(Count(), 1);
  ASSERT_OK((*other)->ExecuteScript("INSERT INTO t (name) VALUES ('b')"));
  EXPECT_EQ(Count(), 1);  // still the snapshot taken by the first read
  ASSERT_OK(read->Commit());
  EXPECT_EQ(Count(), 2);
}

TEST_P(StoreTest, EveryByteValueRoundTrips) {
  std::vector<uint8_t> all(256);
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint8_t>(i);
  auto insert = db_->Prepare("INSERT INTO t (id, data) VALUES (1, $1)");
  ASSERT_OK(insert);
  (*insert)->BindBlob(1, all);
  ASSERT_OK((*insert)->Run());
  auto select = db_->Prepare("SELECT data, length(data) FROM t WHERE data = $1");
  ASSERT_OK(select);
  (*select)->BindBlob(1, all);  // compared as bytes by the database too
  ASSERT_TRUE(*(*select)->Step());
  auto data = (*select)->ColumnBlob(0);
  EXPECT_EQ(std::vector<uint8_t>(data.begin(), data.end()), all);
  EXPECT_EQ((*select)->ColumnInt(1), 256);
  EXPECT_FALSE(*(*select)->Step());
}

TEST_P(StoreTest, Int64ExtremesRoundTrip) {
  const int64_t values[] = {std::numeric_limits<int64_t>::min(), -1, 0, 1,
                            std::numeric_limits<int64_t>::max()};
  for (int64_t v : values) {
    auto insert = db_->Prepare("INSERT INTO t (id, name) VALUES ($1, $2)");
    ASSERT_OK(insert);
    (*insert)->BindInt(1, v).BindText(2, std::to_string(v));
    ASSERT_OK((*insert)->Run());
  }
  for (int64_t v : values) {
    auto select = db_->Prepare("SELECT id, name FROM t WHERE id = $1");
    (*select)->BindInt(1, v);
    ASSERT_TRUE(*(*select)->Step()) << v;
    EXPECT_EQ((*select)->ColumnInt(0), v);
    EXPECT_EQ((*select)->ColumnText(1), std::to_string(v));
    ASSERT_OK((*select)->Run());
  }
}

TEST_P(StoreTest, NullsReadAsNull) {
  auto insert = db_->Prepare("INSERT INTO t (id, name, score, data) VALUES (1, $1, $2, $3)");
  ASSERT_OK(insert);
  (*insert)->BindNull(1).BindNull(2).BindNull(3);
  ASSERT_OK((*insert)->Run());
  auto select = db_->Prepare("SELECT name, score, data, id FROM t");
  ASSERT_TRUE(*(*select)->Step());
  for (int c = 0; c < 3; ++c) {
    EXPECT_TRUE((*select)->ColumnIsNull(c)) << c;
    EXPECT_EQ((*select)->ColumnInt(c), 0);
    EXPECT_EQ((*select)->ColumnText(c), "");
    EXPECT_TRUE((*select)->ColumnBlob(c).empty());
  }
  EXPECT_FALSE((*select)->ColumnIsNull(3));
  // A parameter left unbound is NULL, as in SQLite.
  auto unbound = db_->Prepare("SELECT count(*) FROM t WHERE name IS NOT DISTINCT FROM $1");
  ASSERT_OK(unbound);
  ASSERT_TRUE(*(*unbound)->Step());
  EXPECT_EQ((*unbound)->ColumnInt(0), 1);
}

TEST_P(StoreTest, ReturningGivesTheNewRowId) {
  auto insert = db_->Prepare("INSERT INTO t (name) VALUES ($1) RETURNING id");
  ASSERT_OK(insert);
  (*insert)->BindText(1, "first");
  ASSERT_TRUE(*(*insert)->Step());
  int64_t first = (*insert)->ColumnInt(0);
  EXPECT_FALSE(*(*insert)->Step());
  insert = db_->Prepare("INSERT INTO t (name) VALUES ($1) RETURNING id");
  (*insert)->BindText(1, "second");
  ASSERT_TRUE(*(*insert)->Step());
  EXPECT_GT((*insert)->ColumnInt(0), first);
  ASSERT_OK((*insert)->Run());
  EXPECT_EQ(Count(), 2);
}

TEST_P(StoreTest, RunCountsChangedRows) {
  ASSERT_OK(db_->ExecuteScript("INSERT INTO t (name) VALUES ('a'); INSERT INTO t (name) VALUES "
                               "('b'); INSERT INTO t (name) VALUES ('c')"));
  auto update = db_->Prepare("UPDATE t SET score = $1 WHERE name <> $2");
  ASSERT_OK(update);
  (*update)->BindDouble(1, 0.1).BindText(2, "a");
  EXPECT_EQ(*(*update)->Run(), 2);
  auto score = db_->Prepare("SELECT score FROM t WHERE name = 'b'");
  ASSERT_TRUE(*(*score)->Step());
  EXPECT_EQ((*score)->ColumnDouble(0), 0.1);  // exactly: shortest round-trip text
  // A query changes nothing, whatever changed before it (SQLite remembers
  // the last change count of the connection).
  auto query = db_->Prepare("SELECT count(*) FROM t");
  ASSERT_OK(query);
  EXPECT_EQ(*(*query)->Run(), 0);
}

// An empty text is text on both backends, even from a view with no data.
TEST_P(StoreTest, EmptyTextIsNotNull) {
  auto insert = db_->Prepare("INSERT INTO t (id, name) VALUES (1, $1)");
  ASSERT_OK(insert);
  (*insert)->BindText(1, std::string_view());
  ASSERT_OK((*insert)->Run());
  auto select = db_->Prepare("SELECT name IS NULL, length(name) FROM t");
  ASSERT_TRUE(*(*select)->Step());
  EXPECT_EQ((*select)->ColumnInt(0), 0);
  EXPECT_EQ((*select)->ColumnInt(1), 0);
}

TEST_P(StoreTest, EveryConstraintViolationIsConflict) {
  Backend b = GetParam();
  ASSERT_OK(db_->ExecuteScript("CREATE TABLE child (parent " + testing::IntType(b) +
                               " NOT NULL REFERENCES t(id), v " + testing::IntType(b) +
                               " CHECK (v > 0))"));
  auto child = db_->Prepare("INSERT INTO child (parent, v) VALUES ($1, $2)");
  ASSERT_OK(child);
  (*child)->BindInt(1, 99).BindInt(2, 1);  // no such parent
  EXPECT_THAT((*child)->Run(), ErrorCodeIs(ErrorCode::kConflict));
  ASSERT_OK(db_->ExecuteScript("INSERT INTO t (id) VALUES (1)"));
  child = db_->Prepare("INSERT INTO child (parent, v) VALUES ($1, $2)");
  (*child)->BindInt(1, 1).BindInt(2, 0);  // check fails
  EXPECT_THAT((*child)->Run(), ErrorCodeIs(ErrorCode::kConflict));
  child = db_->Prepare("INSERT INTO child (parent, v) VALUES ($1, $2)");
  (*child)->BindNull(1).BindInt(2, 1);  // not null
  EXPECT_THAT((*child)->Run(), ErrorCodeIs(ErrorCode::kConflict));
  child = db_->Prepare("INSERT INTO child (parent, v) VALUES ($1, $2)");
  (*child)->BindInt(1, 1).BindInt(2, 1);
  EXPECT_OK((*child)->Run());
}

// A connection asked for durable commits has them, whatever its URL says
// (the test server's turns synchronous_commit off); SQLite's always are.
TEST_P(StoreTest, DurableCommitsOverrideTheUrlsSetting) {
  auto setting = [&](const OpenOptions& options) -> std::string {
    auto db = Open(database_.url(), options);
    EXPECT_OK(db);
    if (!db) return "";
    const bool postgres = (*db)->dialect() == Dialect::kPostgres;
    auto read = (*db)->Prepare(postgres ? "SELECT current_setting('synchronous_commit')"
                                        : "PRAGMA synchronous");
    EXPECT_OK(read);
    EXPECT_TRUE(*(*read)->Step());
    std::string value(postgres ? (*read)->ColumnText(0) : std::to_string((*read)->ColumnInt(0)));
    EXPECT_OK((*read)->Run());
    return value;
  };
  if (GetParam() == Backend::kPostgres) {
    EXPECT_EQ(setting({}), "off") << "the test server's URL";
    EXPECT_EQ(setting({.durable_commits = true}), "on");
  } else {
    EXPECT_EQ(setting({.durable_commits = true}), "2");  // FULL
  }
}

// Two write transactions that read, then write what the other read: SQLite
// refuses the second writer at Begin (the first holds the write lock),
// PostgreSQL's SERIALIZABLE lets it run and aborts it. Either way it fails
// with Unavailable (retryable) and only the first writer's row exists.
TEST_P(StoreTest, TwoWritersCannotBothReadThenWrite) {
  OpenOptions quick{.busy_timeout_ms = 100};
  auto a = Open(database_.url(), quick);
  auto b = Open(database_.url(), quick);
  ASSERT_OK(a);
  ASSERT_OK(b);
  auto count_scored = [](Connection& db) -> Result<int64_t> {
    ASSIGN_OR_RETURN(Statement * count, db.Prepare("SELECT count(*) FROM t WHERE score = 1"));
    ASSIGN_OR_RETURN(bool row, count->Step());
    int64_t n = row ? count->ColumnInt(0) : -1;
    RETURN_IF_ERROR(count->Run());
    return n;
  };
  auto insert_scored = [](Connection& db, std::string_view name) -> Result<void> {
    ASSIGN_OR_RETURN(Statement * insert, db.Prepare("INSERT INTO t (name, score) VALUES ($1, 1)"));
    insert->BindText(1, name);
    RETURN_IF_ERROR(insert->Run());
    return {};
  };
  ASSERT_OK((*a)->Begin());
  ASSERT_EQ(*count_scored(**a), 0);
  Result<void> b_wrote = (*b)->Begin();
  if (b_wrote) {
    auto seen = count_scored(**b);
    if (seen) {
      EXPECT_EQ(*seen, 0);
    } else {
      b_wrote = std::unexpected(seen.error());
    }
  }
  ASSERT_OK(insert_scored(**a, "a"));
  if (b_wrote) b_wrote = insert_scored(**b, "b");
  ASSERT_OK((*a)->Commit());
  if (b_wrote) b_wrote = (*b)->Commit();
  EXPECT_THAT(b_wrote, ErrorCodeIs(ErrorCode::kUnavailable));
  (void)(*b)->Rollback();
  EXPECT_EQ(Count(), 1);
}

// Writers that read a value and write it back plus one, all at once, each
// in one queued transaction and without a retry: every one of them succeeds
// (none aborted by a conflict) and none loses another's increment.
TEST_P(StoreTest, QueuedWritersTakeTurnsInsteadOfConflicting) {
  ASSERT_OK(db_->ExecuteScript("INSERT INTO t (id, name, score) VALUES (1, 'counter', 0)"));
  auto increment = [&]() -> Result<void> {
    ASSIGN_OR_RETURN(std::unique_ptr<Connection> db, Open(database_.url()));
    ASSIGN_OR_RETURN(Transaction tx, Transaction::BeginQueued(*db, 0x7669676965000001));
    ASSIGN_OR_RETURN(Statement * read, db->Prepare("SELECT score FROM t WHERE id = 1"));
    ASSIGN_OR_RETURN(bool row, read->Step());
    if (!row) return Fail(ErrorCode::kNotFound, "no counter");
    const double seen = read->ColumnDouble(0);
    RETURN_IF_ERROR(read->Run());
    ASSIGN_OR_RETURN(Statement * write, db->Prepare("UPDATE t SET score = $1 WHERE id = 1"));
    write->BindDouble(1, seen + 1);
    RETURN_IF_ERROR(write->Run());
    return tx.Commit();
  };
  constexpr int kWriters = 8;
  std::vector<Result<void>> results(kWriters);
  {
    std::vector<std::jthread> writers;
    for (int i = 0; i < kWriters; ++i) {
      writers.emplace_back([&, i] { results[i] = increment(); });
    }
  }
  for (const Result<void>& result : results) EXPECT_OK(result);
  auto total = db_->Prepare("SELECT score FROM t WHERE id = 1");
  ASSERT_OK(total);
  ASSERT_TRUE(*(*total)->Step());
  EXPECT_EQ((*total)->ColumnDouble(0), kWriters);
  ASSERT_OK((*total)->Run());
}

TEST_P(StoreTest, BulkLoadCallsAreHarmless) {
  ASSERT_OK(db_->SetCacheSize(16));
  EXPECT_THAT(db_->SetCacheSize(0), ErrorCodeIs(ErrorCode::kInvalidArgument));
  auto bulk = db_->EnterBulkLoad();
  ASSERT_OK(bulk);
  if (GetParam() == Backend::kPostgres) {
    EXPECT_FALSE(*bulk);
  }
  {
    auto tx = Transaction::Begin(*db_);
    ASSERT_OK(tx);
    ASSERT_OK(db_->ExecuteScript("INSERT INTO t (name) VALUES ('bulk')"));
    ASSERT_OK(tx->Commit());
  }
  ASSERT_OK(db_->LeaveBulkLoad());
  EXPECT_EQ(Count(), 1);
}

std::string JournalMode(Connection& db) {
  auto stmt = db.Prepare("PRAGMA journal_mode");
  EXPECT_TRUE(*(*stmt)->Step());
  std::string mode((*stmt)->ColumnText(0));
  EXPECT_TRUE((*stmt)->Run().has_value());
  return mode;
}

// SQLite's journal modes: the rest of this file is SQLite-only.
class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Open("sqlite:" + (dir_ / "t.db").string());
    ASSERT_OK(opened);
    db_ = std::move(*opened);
  }
  vigie::testing::TempDir dir_;
  std::unique_ptr<Connection> db_;
};

TEST_F(SqliteStoreTest, BulkLoadModeOnlyWhenAlone) {
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

TEST_F(SqliteStoreTest, LeavingBulkLoadSaysWhenTheDatabaseCouldNotSwitchBack) {
  auto alone = db_->EnterBulkLoad();
  ASSERT_OK(alone);
  ASSERT_TRUE(*alone);
  std::filesystem::remove(dir_ / "t.db-wal");
  std::filesystem::create_directory(dir_ / "t.db-wal");  // no log can be opened there
  EXPECT_FALSE(db_->LeaveBulkLoad().has_value());
  std::filesystem::remove(dir_ / "t.db-wal");
  ASSERT_OK(db_->LeaveBulkLoad());
  EXPECT_EQ(JournalMode(*db_), "wal");
}

TEST(StoreOpenTest, RefusesUnknownUrlAndNonDatabaseFiles) {
  vigie::testing::TempDir dir;
  EXPECT_THAT(Open("mysql://x"), ErrorCodeIs(ErrorCode::kInvalidArgument));
  // A mistyped scheme does not put the URL's password in the message.
  auto typo = Open("postgresql+ssl://vigie:s3cret-pw@db.example/vigie");
  ASSERT_FALSE(typo.has_value());
  EXPECT_EQ(typo.error().message().find("s3cret-pw"), std::string::npos) << typo.error().message();
  EXPECT_NE(typo.error().message().find("'postgresql+ssl'"), std::string::npos);
  EXPECT_THAT(Open("sqlite:"), ErrorCodeIs(ErrorCode::kInvalidArgument));
  std::ofstream(dir / "junk.db") << std::string(8192, 'x');
  auto opened = Open("sqlite:" + (dir / "junk.db").string());
  ASSERT_FALSE(opened.has_value());
  EXPECT_NE(opened.error().code(), ErrorCode::kInternal);
  EXPECT_THAT(Open("sqlite:" + (dir / "missing/dir/x.db").string()),
              ErrorCodeIs(ErrorCode::kUnavailable));
}

// A database kept outside the 0700 data directory (an audit log on its own
// disk) is readable by its owner alone, whatever the umask, and so are the
// write-ahead log and shared-memory files SQLite derives from it.
TEST(StoreOpenTest, CreatesTheDatabaseForItsOwnerAlone) {
  vigie::testing::TempDir dir;
  const mode_t was = ::umask(022);
  auto db = Open("sqlite:" + (dir / "owned.db").string());
  ::umask(was);
  ASSERT_OK(db);
  ASSERT_OK((*db)->ExecuteScript("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);"));
  for (const char* name : {"owned.db", "owned.db-wal", "owned.db-shm"}) {
    struct stat info {};
    ASSERT_EQ(::stat((dir / name).c_str(), &info), 0) << name;
    EXPECT_EQ(info.st_mode & 0777, 0600) << name;
  }
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
