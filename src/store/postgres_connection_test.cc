// PostgreSQL-only behaviour of the store: what has no SQLite counterpart
// (a server that drops connections, serialization failures, aborted
// transactions). Runs when a test server is configured (see test_database.h).

#include "store/internal/postgres_connection.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <limits>
#include <thread>

#include "store/clock_check.h"
#include "store/clock_watch.h"
#include "store/connection_pool.h"
#include "store/retry.h"
#include "store/store.h"
#include "store/test_database.h"
#include "tests/support/matchers.h"

namespace vigie::store {
namespace {

using testing::Backend;
using testing::TestDatabase;
using ::vigie::testing::ErrorCodeIs;

Result<int64_t> QueryInt(Connection& db, std::string_view sql, std::optional<int64_t> arg = {}) {
  ASSIGN_OR_RETURN(Statement * stmt, db.Prepare(sql));
  if (arg) stmt->BindInt(1, *arg);
  ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return Fail(ErrorCode::kNotFound, "no row");
  int64_t value = stmt->ColumnInt(0);
  RETURN_IF_ERROR(stmt->Run());
  return value;
}

// TLS is required of a server off this machine unless the URL chose.
TEST(PlainTextTest, TlsIsRequiredOffThisMachine) {
  using internal::OnlyThisMachine;
  EXPECT_TRUE(OnlyThisMachine("", ""));
  EXPECT_TRUE(OnlyThisMachine("/var/run/postgresql", ""));
  EXPECT_TRUE(OnlyThisMachine("localhost,127.0.0.1,::1,@abstract", ""));
  EXPECT_TRUE(OnlyThisMachine("db.example.fr", "127.0.0.1"));
  EXPECT_FALSE(OnlyThisMachine("db-a.example.fr", ""));
  EXPECT_FALSE(OnlyThisMachine("127.0.0.1,db-b.example.fr", ""));
  EXPECT_FALSE(OnlyThisMachine("/tmp", "192.0.2.7")) << "hostaddr is where libpq connects";
  EXPECT_FALSE(OnlyThisMachine("", "192.0.2.7"));
  EXPECT_FALSE(OnlyThisMachine("127.0.0.1.example.fr", ""));
}

TEST(PlainTextTest, AfterConnectingOnlyToThisMachineOrWhenTheUrlChose) {
  using internal::PlainTextAcceptable;
  EXPECT_TRUE(PlainTextAcceptable(false, "/var/run/postgresql", ""));
  EXPECT_TRUE(PlainTextAcceptable(false, "@abstract", ""));
  EXPECT_TRUE(PlainTextAcceptable(false, "localhost", "127.0.0.1"));
  EXPECT_TRUE(PlainTextAcceptable(false, "localhost", "::1"));
  EXPECT_FALSE(PlainTextAcceptable(false, "db-a.example.fr", "192.0.2.7"));
  EXPECT_FALSE(PlainTextAcceptable(false, "/tmp", "192.0.2.7")) << "over TCP, by hostaddr";
  EXPECT_FALSE(PlainTextAcceptable(false, "db", "2001:db8::7"));
  EXPECT_TRUE(PlainTextAcceptable(true, "db-a.example.fr", "192.0.2.7"));
}

class PostgresConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VIGIE_REQUIRE_TEST_DATABASE(database_);
    auto opened = Open(database_.url());
    ASSERT_OK(opened);
    db_ = std::move(*opened);
    ASSERT_EQ(db_->dialect(), Dialect::kPostgres);
    ASSERT_OK(db_->ExecuteScript(
        "CREATE TABLE t (id BIGINT PRIMARY KEY, name TEXT UNIQUE, n BIGINT NOT NULL DEFAULT 0)"));
  }
  // Ends this test connection's server process from another connection, and
  // waits (server-side, up to 5 s) until it has exited.
  void TerminateBackendOf(Connection& victim) {
    auto pid = QueryInt(victim, "SELECT pg_backend_pid()");
    ASSERT_OK(pid);
    auto ended =
        QueryInt(*database_.admin(),
                 "SELECT CAST(pg_terminate_backend(CAST($1 AS INTEGER), 5000) AS INTEGER)", *pid);
    ASSERT_OK(ended);
    ASSERT_EQ(*ended, 1);
  }
  int64_t Count() { return QueryInt(*db_, "SELECT count(*) FROM t").value_or(-1); }

  TestDatabase database_{Backend::kPostgres};
  std::unique_ptr<Connection> db_;
};

TEST_F(PostgresConnectionTest, ReconnectsOnceTheServerClosedTheConnection) {
  const std::string_view kAddOne = "SELECT CAST($1 AS BIGINT) + 1";
  ASSERT_EQ(*QueryInt(*db_, kAddOne, 41), 42);
  auto before = QueryInt(*db_, "SELECT pg_backend_pid()");
  TerminateBackendOf(*db_);
  // The next statement finds the connection closed, resets it and re-prepares
  // the cached statement on the new session.
  auto after = QueryInt(*db_, kAddOne, 1);
  ASSERT_OK(after);
  EXPECT_EQ(*after, 2);
  EXPECT_NE(*QueryInt(*db_, "SELECT pg_backend_pid()"), *before);
  // The session settings came back too (search_path from the URL, lock_timeout).
  ASSERT_OK(db_->ExecuteScript("INSERT INTO t (id) VALUES (1)"));
  EXPECT_EQ(Count(), 1);
}

// The server ends a vanished client's session within seconds, so an
// advisory lock it held does not outlive it: every session asks for it.
TEST_F(PostgresConnectionTest, EverySessionAsksTheServerToNoticeAVanishedClient) {
  auto keepalives_idle = [&] {
    auto shown = db_->Prepare("SELECT current_setting('tcp_keepalives_idle')");
    if (!shown || !(*shown)->Step().value_or(false)) return std::string("?");
    std::string value((*shown)->ColumnText(0));
    (void)(*shown)->Run();
    return value;
  };
  EXPECT_EQ(keepalives_idle(), "5");
  TerminateBackendOf(*db_);
  EXPECT_EQ(keepalives_idle(), "5") << "after a reconnection too";
}

// A server that hangs (here: sleeps) fails the statement once its time is
// up, and the session is usable again afterwards - after a reconnection too.
TEST_F(PostgresConnectionTest, AStatementOverItsTimeIsCancelled) {
  auto bounded = Open(database_.url(), {.statement_timeout_ms = 100});
  ASSERT_OK(bounded);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_THAT((*bounded)->ExecuteScript("SELECT pg_sleep(30)"),
              ErrorCodeIs(ErrorCode::kUnavailable));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(20));
  EXPECT_EQ(*QueryInt(**bounded, "SELECT 41 + 1"), 42);
  TerminateBackendOf(**bounded);
  EXPECT_THAT((*bounded)->ExecuteScript("SELECT pg_sleep(30)"),
              ErrorCodeIs(ErrorCode::kUnavailable));
  EXPECT_TRUE(Open(database_.url()).value()->ExecuteScript("SELECT pg_sleep(0.3)").has_value())
      << "no limit by default";
}

// A node whose clock is far from the database server's is told so; one in
// step passes (NTP keeps them within milliseconds; the check allows 30 s).
TEST_F(PostgresConnectionTest, ANodeClockFarFromTheServersIsRefused) {
  SystemClock system;
  auto offset = ClockOffsetFromDatabase(*db_, system);
  ASSERT_OK(offset);
  EXPECT_LT(std::chrono::abs(*offset), std::chrono::seconds(5));
  EXPECT_OK(CheckClockAgainstDatabase(*db_, system, std::chrono::seconds(30)));
  for (auto off : {std::chrono::seconds(45), std::chrono::seconds(-45)}) {
    FakeClock skewed(system.Now() + off);
    auto refused = CheckClockAgainstDatabase(*db_, skewed, std::chrono::seconds(30));
    ASSERT_THAT(refused, ErrorCodeIs(ErrorCode::kUnavailable));
    EXPECT_NE(refused.error().message().find(off.count() > 0 ? "ahead of" : "behind"),
              std::string::npos)
        << refused.error().message();
  }
}

// While serving: a clock set away from the server's is caught at the next
// check, and so is its return.
TEST_F(PostgresConnectionTest, AClockWatchCatchesAClockLeavingStepAndComingBack) {
  ConnectionPool pool(database_.url(), {}, 1);
  FakeClock clock(SystemClock().Now());
  ClockWatch watch(pool, clock, std::chrono::seconds(30));
  watch.Check();
  EXPECT_TRUE(watch.in_step());
  EXPECT_LT(std::chrono::abs(watch.offset()), std::chrono::seconds(5));
  for (auto off : {std::chrono::minutes(5), std::chrono::minutes(-5)}) {
    clock.Set(SystemClock().Now() + off);
    watch.Check();
    EXPECT_FALSE(watch.in_step());
    EXPECT_GT(std::chrono::abs(watch.offset()), std::chrono::minutes(4));
    EXPECT_EQ(watch.offset() > std::chrono::milliseconds(0), off.count() > 0);
    clock.Set(SystemClock().Now());
    watch.Check();
    EXPECT_TRUE(watch.in_step());
  }
}

TEST_F(PostgresConnectionTest, AStartedClockWatchChecksOnItsOwn) {
  ConnectionPool pool(database_.url(), {}, 1);
  const FakeClock behind(SystemClock().Now() - std::chrono::minutes(2));
  ClockWatch watch(pool, behind, std::chrono::seconds(30));
  ASSERT_TRUE(watch.in_step());  // until a check says otherwise
  watch.Start(std::chrono::milliseconds(10));
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (watch.in_step() && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_FALSE(watch.in_step());
}

TEST_F(PostgresConnectionTest, ALostConnectionInsideATransactionIsNotReplayed) {
  ASSERT_OK(db_->Begin());
  ASSERT_OK(db_->ExecuteScript("INSERT INTO t (id) VALUES (1)"));
  TerminateBackendOf(*db_);
  EXPECT_THAT(db_->ExecuteScript("INSERT INTO t (id) VALUES (2)"),
              ErrorCodeIs(ErrorCode::kUnavailable));
  EXPECT_THAT(db_->Commit(), ErrorCodeIs(ErrorCode::kUnavailable));
  EXPECT_OK(db_->Rollback());
  EXPECT_EQ(Count(), 0);  // reconnected; nothing of the lost transaction
}

TEST_F(PostgresConnectionTest, AConcurrentUpdateIsASerializationFailure) {
  ASSERT_OK(db_->ExecuteScript("INSERT INTO t (id, n) VALUES (1, 0)"));
  auto other = Open(database_.url());
  ASSERT_OK(other);
  ASSERT_OK(db_->Begin());
  ASSERT_EQ(*QueryInt(*db_, "SELECT n FROM t WHERE id = 1"), 0);  // takes the snapshot
  ASSERT_OK((*other)->ExecuteScript("UPDATE t SET n = n + 1 WHERE id = 1"));
  EXPECT_THAT(db_->ExecuteScript("UPDATE t SET n = n + 10 WHERE id = 1"),
              ErrorCodeIs(ErrorCode::kUnavailable));
  // The transaction is aborted: later statements and the commit say why.
  EXPECT_THAT(QueryInt(*db_, "SELECT n FROM t WHERE id = 1"), ErrorCodeIs(ErrorCode::kUnavailable));
  auto committed = db_->Commit();
  EXPECT_THAT(committed, ErrorCodeIs(ErrorCode::kUnavailable));
  EXPECT_NE(committed.error().message().find("rolled back"), std::string::npos);
  EXPECT_EQ(*QueryInt(*db_, "SELECT n FROM t WHERE id = 1"), 1);
}

TEST_F(PostgresConnectionTest, AConflictIsRecognisedAndTheTransactionRunsAgain) {
  ASSERT_OK(db_->ExecuteScript("INSERT INTO t (id, n) VALUES (1, 0)"));
  auto other = Open(database_.url());
  ASSERT_OK(other);
  int attempts = 0;
  auto added = RetryOnConflict([&]() -> Result<int64_t> {
    ++attempts;
    ASSIGN_OR_RETURN(auto tx, Transaction::Begin(*db_));
    ASSIGN_OR_RETURN(int64_t n, QueryInt(*db_, "SELECT n FROM t WHERE id = 1"));
    // Another writer gets in between, the first time only.
    if (attempts == 1) RETURN_IF_ERROR((*other)->ExecuteScript("UPDATE t SET n = n + 1 WHERE id = 1"));
    ASSIGN_OR_RETURN(Statement * update, db_->Prepare("UPDATE t SET n = $1 WHERE id = 1"));
    update->BindInt(1, n + 10);
    RETURN_IF_ERROR(update->Run());
    RETURN_IF_ERROR(tx.Commit());
    return n + 10;
  });
  ASSERT_OK(added);
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(*added, 11) << "the second attempt saw the other writer's update";
  EXPECT_EQ(*QueryInt(*db_, "SELECT n FROM t WHERE id = 1"), 11);
}

TEST(TransactionConflictTest, OnlySerializationFailuresAndDeadlocksAreRetried) {
  EXPECT_TRUE(IsTransactionConflict(Error(ErrorCode::kUnavailable,
                                          "creating session: committing: could not serialize "
                                          "access [SQLSTATE 40001]")));
  EXPECT_TRUE(IsTransactionConflict(Error(ErrorCode::kUnavailable, "x: deadlock detected [SQLSTATE 40P01]")));
  EXPECT_FALSE(IsTransactionConflict(Error(ErrorCode::kUnavailable, "x: server closed the connection")));
  EXPECT_FALSE(IsTransactionConflict(Error(ErrorCode::kConflict, "x: duplicate key [SQLSTATE 23505]")));
  EXPECT_FALSE(IsTransactionConflict(Error(ErrorCode::kUnavailable, "database is locked")));
  int calls = 0;
  auto refused = RetryOnConflict([&]() -> Result<void> {
    ++calls;
    return Fail(ErrorCode::kUnavailable, "x: could not serialize access [SQLSTATE 40001]");
  });
  EXPECT_FALSE(refused.has_value());
  EXPECT_EQ(calls, kConflictAttempts) << "bounded: the last failure is returned";
}

TEST_F(PostgresConnectionTest, AFailedStatementAbortsTheTransaction) {
  ASSERT_OK(db_->ExecuteScript("INSERT INTO t (id, name) VALUES (1, 'a')"));
  {
    auto tx = Transaction::Begin(*db_);
    ASSERT_OK(tx);
    ASSERT_OK(db_->ExecuteScript("INSERT INTO t (id, name) VALUES (2, 'b')"));
    EXPECT_THAT(db_->ExecuteScript("INSERT INTO t (id, name) VALUES (3, 'a')"),
                ErrorCodeIs(ErrorCode::kConflict));
    EXPECT_THAT(tx->Commit(), ErrorCodeIs(ErrorCode::kConflict));  // not a silent rollback
  }
  EXPECT_EQ(Count(), 1);
  ASSERT_OK(db_->Begin());
  EXPECT_THAT(db_->Begin(), ErrorCodeIs(ErrorCode::kInternal));  // no nesting
  ASSERT_OK(db_->Rollback());
}

TEST_F(PostgresConnectionTest, ReadTransactionsRefuseWrites) {
  ASSERT_OK(db_->BeginRead());
  EXPECT_FALSE(db_->ExecuteScript("INSERT INTO t (id) VALUES (1)").has_value());
  ASSERT_OK(db_->Rollback());
  auto read_only = Open(database_.url(), {.read_only = true});
  ASSERT_OK(read_only);
  EXPECT_THAT((*read_only)->ExecuteScript("INSERT INTO t (id) VALUES (1)"),
              ErrorCodeIs(ErrorCode::kUnavailable));
  EXPECT_EQ(Count(), 0);
}

TEST_F(PostgresConnectionTest, ScriptsRunSeveralStatements) {
  ASSERT_OK(db_->ExecuteScript("INSERT INTO t (id) VALUES (1); INSERT INTO t (id) VALUES (2);"));
  EXPECT_EQ(Count(), 2);
  EXPECT_FALSE(db_->ExecuteScript("INSERT INTO t (id) VALUES (3); SELEKT;").has_value());
  EXPECT_EQ(Count(), 2);  // a script is one implicit transaction
}

TEST_F(PostgresConnectionTest, AnArrayLiteralBindsAWholeBatchOfIntegers) {
  ASSERT_OK(db_->ExecuteScript("INSERT INTO t (id) SELECT generate_series(-5, 100)"));
  auto select = db_->Prepare("SELECT id FROM t WHERE id = ANY($1::bigint[]) ORDER BY id");
  ASSERT_OK(select);
  const std::vector<int64_t> ids = {-5, 0, 7, 100, 101, std::numeric_limits<int64_t>::max(),
                                    std::numeric_limits<int64_t>::min()};
  EXPECT_EQ(PostgresArrayLiteral(ids), "{-5,0,7,100,101,9223372036854775807,-9223372036854775808}");
  std::vector<int64_t> found;
  for (const std::vector<int64_t>& batch : {ids, std::vector<int64_t>{}}) {
    (*select)->BindText(1, PostgresArrayLiteral(batch));
    while (true) {
      auto row = (*select)->Step();
      ASSERT_OK(row);
      if (!*row) break;
      found.push_back((*select)->ColumnInt(0));
    }
  }
  EXPECT_EQ(found, (std::vector<int64_t>{-5, 0, 7, 100}));
  EXPECT_EQ(PostgresArrayLiteral({}), "{}");
}

// Bytea values are decoded into buffers reused from row to row: each row,
// longer or shorter than the one before, reads back as it was written.
TEST_F(PostgresConnectionTest, ByteaColumnsReadBackRowAfterRow) {
  ASSERT_OK(db_->ExecuteScript("CREATE TABLE b (id BIGINT PRIMARY KEY, x BYTEA, y BYTEA)"));
  std::vector<std::vector<uint8_t>> values;
  for (size_t size : {40u, 0u, 3u, 100000u, 300u, 1u, 64u}) {
    std::vector<uint8_t> value(size);
    for (size_t i = 0; i < size; ++i) value[i] = static_cast<uint8_t>(i * 37 + size);
    values.push_back(std::move(value));
  }
  for (size_t i = 0; i < values.size(); ++i) {
    auto insert = db_->Prepare("INSERT INTO b (id, x, y) VALUES ($1, $2, $3)");
    ASSERT_OK(insert);
    (*insert)->BindInt(1, static_cast<int64_t>(i)).BindBlob(2, values[i]);
    (*insert)->BindBlob(3, values[values.size() - 1 - i]);
    ASSERT_OK((*insert)->Run());
  }
  auto select = db_->Prepare("SELECT id, x, y FROM b ORDER BY id");
  ASSERT_OK(select);
  for (size_t i = 0; i < values.size(); ++i) {
    ASSERT_TRUE(*(*select)->Step());
    const auto x = (*select)->ColumnBlob(1), y = (*select)->ColumnBlob(2);
    EXPECT_EQ(std::vector<uint8_t>(x.begin(), x.end()), values[i]) << i;
    EXPECT_EQ(std::vector<uint8_t>(y.begin(), y.end()), values[values.size() - 1 - i]) << i;
    const auto again = (*select)->ColumnBlob(1);  // the same row twice: the same bytes
    EXPECT_EQ(std::vector<uint8_t>(again.begin(), again.end()), values[i]) << i;
  }
  EXPECT_FALSE(*(*select)->Step());
  // Run again (a large value's buffer was let go in between): the same rows.
  for (size_t i = 0; i < values.size(); ++i) {
    ASSERT_TRUE(*(*select)->Step());
    const auto x = (*select)->ColumnBlob(1);
    EXPECT_EQ(std::vector<uint8_t>(x.begin(), x.end()), values[i]) << i;
  }
  EXPECT_FALSE(*(*select)->Step());
}

TEST(PostgresOpenTest, AnUnreachableServerIsUnavailableAndTheUrlStaysSecret) {
  auto opened = Open("postgresql://vigie:s3cr3t-pw@127.0.0.1:1/vigie");
  ASSERT_THAT(opened, ErrorCodeIs(ErrorCode::kUnavailable));
  EXPECT_EQ(opened.error().message().find("s3cr3t-pw"), std::string::npos);
  EXPECT_THAT(Open("postgres://127.0.0.1:1/vigie"), ErrorCodeIs(ErrorCode::kUnavailable));
  auto malformed = Open("postgresql://vigie:s3cr3t-pw@[::1/vigie");
  ASSERT_THAT(malformed, ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_EQ(malformed.error().message().find("s3cr3t-pw"), std::string::npos);
}

// Why the test server or the environment is not the suite's own (a server
// with TLS, an operator's libpq variables), for the tests below to skip.
std::optional<std::string> NotThePlainTextServer(Connection& db) {
  for (const char* name : {"PGSSLMODE", "PGHOSTADDR", "PGSERVICE", "PGREQUIRESSL"}) {
    if (std::getenv(name) != nullptr) return std::string(name) + " is set";
  }
  auto ssl = QueryInt(db, "SELECT CASE WHEN current_setting('ssl') = 'on' THEN 1 ELSE 0 END");
  if (!ssl) return "cannot read the server's ssl setting";
  if (*ssl == 1) return "the test server has TLS";
  return std::nullopt;
}

// The test server (no TLS) under a name not known for this machine's:
// 127.0.0.1 as one 32-bit number, which the resolver takes. With no sslmode
// in the URL, TLS is required and the server refused before the login; the
// same URL choosing plain text connects.
TEST_F(PostgresConnectionTest, AServerOffThisMachineWithoutTlsIsRefusedBeforeTheLogin) {
  if (auto why = NotThePlainTextServer(*db_)) GTEST_SKIP() << *why;
  std::string url = database_.url();
  const size_t at = url.find("@127.0.0.1:");
  if (at == std::string::npos) GTEST_SKIP() << "the test server's URL does not name 127.0.0.1";
  url.replace(at + 1, 9, "2130706433");
  auto refused = Open(url);
  ASSERT_THAT(refused, ErrorCodeIs(ErrorCode::kUnavailable));
  EXPECT_NE(refused.error().message().find("SSL"), std::string::npos) << refused.error().message();
  EXPECT_OK(Open(url + (url.find('?') == std::string::npos ? "?" : "&") + "sslmode=disable"));
}

// PGSSLMODE is the operator's choice too: not overridden by ours.
TEST_F(PostgresConnectionTest, PgsslmodeStillApplies) {
  if (auto why = NotThePlainTextServer(*db_)) GTEST_SKIP() << *why;
  ::setenv("PGSSLMODE", "require", 1);
  auto refused = Open(database_.url());
  ::unsetenv("PGSSLMODE");
  ASSERT_THAT(refused, ErrorCodeIs(ErrorCode::kUnavailable));
  EXPECT_NE(refused.error().message().find("SSL"), std::string::npos) << refused.error().message();
}

}  // namespace
}  // namespace vigie::store
