#include "store/connection_pool.h"

#include <gtest/gtest.h>

#include <thread>

#include "tests/support/temp_dir.h"

namespace vigie::store {
namespace {

TEST(ConnectionPoolTest, LendsOpensLazilyAndReuses) {
  testing::TempDir dir;
  ConnectionPool pool("sqlite:" + (dir / "pool.db").string(), {}, 2);
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

TEST(ConnectionPoolTest, NeverLendsOneConnectionTwiceAndTimesOutWhenAllAreLent) {
  testing::TempDir dir;
  ConnectionPool pool("sqlite:" + (dir / "pool.db").string(), {}, 2, std::chrono::milliseconds(50));
  auto a = pool.Borrow();
  auto b = pool.Borrow();
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_NE(&**a, &**b);
  auto c = pool.Borrow();
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(pool.opened(), 2u);
}

TEST(ConnectionPoolTest, AWaitingBorrowerGetsTheConnectionGivenBack) {
  testing::TempDir dir;
  ConnectionPool pool("sqlite:" + (dir / "pool.db").string(), {}, 1, std::chrono::seconds(10));
  auto held = pool.Borrow();
  ASSERT_TRUE(held.has_value());
  Connection* only = &**held;
  std::thread release([held = std::move(*held)]() mutable { auto gone = std::move(held); });
  auto waited = pool.Borrow();
  release.join();
  ASSERT_TRUE(waited.has_value());
  EXPECT_EQ(&**waited, only);
}

TEST(ConnectionPoolTest, AFailedOpenFreesItsSlot) {
  ConnectionPool pool("sqlite:/nonexistent-dir-for-vigie/x.db", {}, 1,
                      std::chrono::milliseconds(50));
  auto first = pool.Borrow();
  ASSERT_FALSE(first.has_value());
  EXPECT_EQ(first.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(pool.opened(), 0u);
  auto second = pool.Borrow();  // not "no connection free": the slot was released
  ASSERT_FALSE(second.has_value());
  EXPECT_NE(second.error().message(), "no database connection free");
}

}  // namespace
}  // namespace vigie::store
