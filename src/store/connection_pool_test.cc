#include "store/connection_pool.h"

#include <gtest/gtest.h>

#include <thread>

#include "store/test_database.h"

namespace vigie::store {
namespace {

using testing::Backend;
using testing::TestDatabase;

class ConnectionPoolTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { VIGIE_REQUIRE_TEST_DATABASE(database_); }
  TestDatabase database_{GetParam()};
};

INSTANTIATE_TEST_SUITE_P(Backends, ConnectionPoolTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::BackendName);

TEST_P(ConnectionPoolTest, LendsOpensLazilyAndReuses) {
  ConnectionPool pool(database_.url(), {}, 2);
  EXPECT_EQ(pool.opened(), 0u);
  Connection* first = nullptr;
  {
    auto lease = pool.Borrow();
    ASSERT_TRUE(lease.has_value());
    first = &**lease;
    ASSERT_TRUE((*lease)->ExecuteScript("CREATE TABLE t (x INTEGER)").has_value());
  }
  auto again = pool.Borrow();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(&**again, first);  // the returned connection, not a new one
  EXPECT_EQ(pool.opened(), 1u);
}

TEST_P(ConnectionPoolTest, NeverLendsOneConnectionTwiceAndTimesOutWhenAllAreLent) {
  ConnectionPool pool(database_.url(), {}, 2, std::chrono::milliseconds(50));
  auto a = pool.Borrow();
  auto b = pool.Borrow();
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_NE(&**a, &**b);
  auto c = pool.Borrow();
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(pool.opened(), 2u);
}

TEST_P(ConnectionPoolTest, AWaitingBorrowerGetsTheConnectionGivenBack) {
  ConnectionPool pool(database_.url(), {}, 1, std::chrono::seconds(10));
  auto held = pool.Borrow();
  ASSERT_TRUE(held.has_value());
  Connection* only = &**held;
  std::thread release([held = std::move(*held)]() mutable { auto gone = std::move(held); });
  auto waited = pool.Borrow();
  release.join();
  ASSERT_TRUE(waited.has_value());
  EXPECT_EQ(&**waited, only);
}

TEST_P(ConnectionPoolTest, AFailedOpenFreesItsSlot) {
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  ConnectionPool pool(GetParam() == Backend::kSqlite ? "sqlite:/nonexistent-dir-for-vigie/x.db"
                                                     : "postgresql://vigie@127.0.0.1:1/vigie",
                      {}, 1, std::chrono::milliseconds(50));
  auto first = pool.Borrow();
  ASSERT_FALSE(first.has_value());
  EXPECT_EQ(first.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(pool.opened(), 0u);
  auto second = pool.Borrow();  // not "no connection free": the slot was released
  ASSERT_FALSE(second.has_value());
  EXPECT_NE(second.error().message(), "no database connection free");
}

// A borrower that forgot its transaction must not hand it to the next: the
// next one's write would commit or vanish with it.
TEST_P(ConnectionPoolTest, AConnectionComesBackWithoutTheTransactionItsBorrowerLeftOpen) {
  ConnectionPool pool(database_.url(), {}, 1);
  {
    auto lease = pool.Borrow();
    ASSERT_TRUE(lease.has_value());
    ASSERT_TRUE((*lease)->ExecuteScript("CREATE TABLE t (x INTEGER)").has_value());
    ASSERT_TRUE((*lease)->Begin().has_value());
    ASSERT_TRUE((*lease)->ExecuteScript("INSERT INTO t VALUES (1)").has_value());
  }  // given back inside the transaction
  auto next = pool.Borrow();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(pool.opened(), 1u);  // the same connection, made fit
  // Not inside the old transaction: it can begin and commit its own.
  ASSERT_TRUE((*next)->Begin().has_value());
  ASSERT_TRUE((*next)->ExecuteScript("INSERT INTO t VALUES (2)").has_value());
  ASSERT_TRUE((*next)->Commit().has_value());
  auto count = (*next)->Prepare("SELECT COUNT(*), MIN(x) FROM t");
  ASSERT_TRUE(count.has_value());
  ASSERT_TRUE((*count)->Step().value_or(false));
  EXPECT_EQ((*count)->ColumnInt(0), 1);  // the forgotten insert was rolled back
  EXPECT_EQ((*count)->ColumnInt(1), 2);
}

// On SQLite a statement stopped mid-result keeps its snapshot: an idle
// connection holding one would keep the WAL from being checkpointed.
TEST_P(ConnectionPoolTest, AResultReadHalfwayIsLetGoWhenTheConnectionComesBack) {
  if (GetParam() != Backend::kSqlite) GTEST_SKIP() << "PostgreSQL results are read whole";
  ConnectionPool pool(database_.url(), {}, 1);
  Statement* rows = nullptr;
  {
    auto lease = pool.Borrow();
    ASSERT_TRUE(lease.has_value());
    ASSERT_TRUE((*lease)->ExecuteScript("CREATE TABLE t (x INTEGER)").has_value());
    ASSERT_TRUE((*lease)->ExecuteScript("INSERT INTO t VALUES (1), (2), (3)").has_value());
    auto prepared = (*lease)->Prepare("SELECT x FROM t ORDER BY x");
    ASSERT_TRUE(prepared.has_value());
    rows = *prepared;
    ASSERT_TRUE(rows->Step().value_or(false));  // one row of three read
  }
  // Another connection can empty the WAL: no reader pins it.
  auto other = Open(database_.url(), {.busy_timeout_ms = 100});
  ASSERT_TRUE(other.has_value());
  auto checkpoint = (*other)->Prepare("PRAGMA wal_checkpoint(TRUNCATE)");
  ASSERT_TRUE(checkpoint.has_value());
  ASSERT_TRUE((*checkpoint)->Step().value_or(false));
  EXPECT_EQ((*checkpoint)->ColumnInt(0), 0);  // not busy: nobody holds a snapshot
  auto next = pool.Borrow();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(pool.opened(), 1u);
}

}  // namespace
}  // namespace vigie::store
