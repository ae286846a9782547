#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <memory>
#include <thread>
#include <vector>

#include "store/store.h"
#include "store/test_database.h"
#include "tests/support/matchers.h"

namespace vigie::store {
namespace {

using ::vigie::testing::ErrorCodeIs;
using testing::Backend;
using testing::TestDatabase;

constexpr Migration kTwo[] = {
    {1, "first", "CREATE TABLE a (x INTEGER);"},
    {2, "second", "CREATE TABLE b (y INTEGER);"},
};

bool TableExists(Connection& db, std::string_view name) {
  auto stmt = db.Prepare(db.dialect() == Dialect::kSqlite
                             ? "SELECT count(*) FROM sqlite_schema WHERE type='table' AND name=$1"
                             : "SELECT count(*) FROM information_schema.tables "
                               "WHERE table_schema = current_schema() AND table_name = $1");
  (*stmt)->BindText(1, name);
  EXPECT_TRUE(*(*stmt)->Step());
  bool exists = (*stmt)->ColumnInt(0) == 1;
  (void)(*stmt)->Run();
  return exists;
}

class MigrationsTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    VIGIE_REQUIRE_TEST_DATABASE(database_);
    auto opened = Open(database_.url());
    ASSERT_OK(opened);
    db_ = std::move(*opened);
  }
  TestDatabase database_{GetParam()};
  std::unique_ptr<Connection> db_;
};

INSTANTIATE_TEST_SUITE_P(Backends, MigrationsTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::BackendName);

TEST_P(MigrationsTest, AppliesInOrderOnceOnly) {
  EXPECT_EQ(*SchemaVersion(*db_), 0);
  EXPECT_EQ(*Migrate(*db_, std::span(kTwo).first(1)), 1);
  EXPECT_TRUE(TableExists(*db_, "a"));
  EXPECT_FALSE(TableExists(*db_, "b"));
  EXPECT_EQ(*Migrate(*db_, kTwo), 2);
  EXPECT_TRUE(TableExists(*db_, "b"));
  EXPECT_EQ(*Migrate(*db_, kTwo), 2);  // idempotent
}

TEST_P(MigrationsTest, RefusesADatabaseNewerThanTheBinary) {
  ASSERT_OK(Migrate(*db_, kTwo));
  auto older = Migrate(*db_, std::span(kTwo).first(1));
  EXPECT_THAT(older, ErrorCodeIs(ErrorCode::kConflict));
  EXPECT_NE(older.error().message().find("newer"), std::string::npos);
}

TEST_P(MigrationsTest, AFailingMigrationChangesNothing) {
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

TEST_P(MigrationsTest, RefusesMisnumberedMigrations) {
  constexpr Migration kGap[] = {{1, "a", "SELECT 1;"}, {3, "c", "SELECT 1;"}};
  EXPECT_THAT(Migrate(*db_, kGap), ErrorCodeIs(ErrorCode::kInternal));
}

TEST_P(MigrationsTest, VigieSchemaApplies) {
  auto version = Migrate(*db_, VigieSchema(db_->dialect()));
  ASSERT_OK(version);
  EXPECT_EQ(*version, static_cast<int>(VigieSchema(db_->dialect()).size()));
  EXPECT_TRUE(TableExists(*db_, "person"));
  EXPECT_TRUE(TableExists(*db_, "passkey"));
  EXPECT_TRUE(TableExists(*db_, "login_failure"));
  EXPECT_EQ(*Migrate(*db_, VigieSchema(db_->dialect())), *version);  // idempotent
}

// Processes starting together after an upgrade (a server and a command)
// each migrate: every one succeeds, and each migration is applied once.
TEST_P(MigrationsTest, ProcessesMigratingAtOnceEachSucceed) {
  constexpr int kProcesses = 6;
  // A race: run a few times, each on a fresh database, for it to show.
  for (int round = 0; round < 6; ++round) {
    TestDatabase database(GetParam());
    std::vector<std::unique_ptr<Connection>> connections;
    for (int i = 0; i < kProcesses; ++i) {
      auto opened = Open(database.url(), {.busy_timeout_ms = 60'000});
      ASSERT_OK(opened);
      connections.push_back(std::move(*opened));
    }
    const auto schema = VigieSchema(db_->dialect());
    std::vector<Result<int>> results(kProcesses, Result<int>(0));
    std::latch start(kProcesses);
    std::vector<std::thread> processes;
    for (int i = 0; i < kProcesses; ++i) {
      processes.emplace_back([&, i] {
        start.arrive_and_wait();
        results[i] = Migrate(*connections[i], schema);
      });
    }
    for (std::thread& process : processes) process.join();
    for (const Result<int>& result : results) {
      ASSERT_OK(result);
      EXPECT_EQ(*result, static_cast<int>(schema.size()));
    }
    auto recorded =
        connections[0]->Prepare("SELECT count(*), count(DISTINCT version) FROM schema_version");
    ASSERT_OK(recorded);
    ASSERT_TRUE(*(*recorded)->Step());
    EXPECT_EQ((*recorded)->ColumnInt(0), static_cast<int64_t>(schema.size()));
    EXPECT_EQ((*recorded)->ColumnInt(1), static_cast<int64_t>(schema.size()));
    ASSERT_OK((*recorded)->Run());
  }
}

// A node starting while another migrates (minutes, on a large table) waits
// for it, however short its connection's lock timeout.
TEST_P(MigrationsTest, AMigrationWaitsForAnotherProcesssLongerThanItsLockTimeout) {
  if (GetParam() != Backend::kPostgres) GTEST_SKIP() << "SQLite: one node, no advisory lock";
  auto holder = Open(database_.url());
  ASSERT_OK(holder);
  ASSERT_OK((*holder)->ExecuteScript("SELECT pg_advisory_lock(435526134117)"));
  auto waiter = Open(database_.url(), {.busy_timeout_ms = 100});
  ASSERT_OK(waiter);
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    ASSERT_OK((*holder)->ExecuteScript("SELECT pg_advisory_unlock(435526134117)"));
  });
  auto migrated = Migrate(**waiter, kTwo);
  release.join();
  ASSERT_OK(migrated);
  EXPECT_EQ(*migrated, 2);
  EXPECT_TRUE(TableExists(**waiter, "b"));
}

// A schema already current needs no lock: a command opening the database
// does not wait behind a node that holds it (migrating, or hung).
TEST_P(MigrationsTest, ACurrentSchemaIsOpenedWithoutWaitingForTheLock) {
  if (GetParam() != Backend::kPostgres) GTEST_SKIP() << "SQLite: one node, no advisory lock";
  ASSERT_OK(Migrate(*db_, kTwo));
  auto holder = Open(database_.url());
  ASSERT_OK(holder);
  ASSERT_OK((*holder)->ExecuteScript("SELECT pg_advisory_lock(435526134117)"));
  std::atomic<bool> released{false};
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::seconds(2));
    released = true;
    ASSERT_OK((*holder)->ExecuteScript("SELECT pg_advisory_unlock(435526134117)"));
  });
  auto opened = Migrate(*db_, kTwo);
  const bool waited = released;
  release.join();
  ASSERT_OK(opened);
  EXPECT_EQ(*opened, 2);
  EXPECT_FALSE(waited) << "it waited for the lock";
}

// A search_path naming two schemas: the version is read from the one tables
// are created in, not from another database's later in the path.
TEST_P(MigrationsTest, TheVersionIsTheCurrentSchemasNotAnotherOnTheSearchPath) {
  if (GetParam() != Backend::kPostgres) GTEST_SKIP() << "SQLite: one database a file";
  auto current = db_->Prepare("SELECT current_schema()");
  ASSERT_OK(current);
  ASSERT_TRUE(*(*current)->Step());
  const std::string own((*current)->ColumnText(0));
  ASSERT_OK((*current)->Run());
  const std::string other = own + "_other";
  ASSERT_OK(db_->ExecuteScript(
      "CREATE SCHEMA " + other + "; CREATE TABLE " + other +
      ".schema_version (version INTEGER PRIMARY KEY, name TEXT NOT "
      "NULL, applied_at BIGINT NOT NULL); INSERT INTO " +
      other + ".schema_version VALUES (12, 'newer', 0); SET search_path = " + own + ", " + other));
  auto migrated = Migrate(*db_, kTwo);
  (void)db_->ExecuteScript("DROP SCHEMA " + other + " CASCADE");
  ASSERT_OK(migrated);
  EXPECT_EQ(*migrated, 2);
  EXPECT_TRUE(TableExists(*db_, "b"));
}

// Migration 5 widened login_failure.factor to 'passkey' on both backends.
TEST_P(MigrationsTest, VigieSchemaMeansTheSameOnBothBackends) {
  ASSERT_OK(Migrate(*db_, VigieSchema(db_->dialect())));
  ASSERT_OK(db_->ExecuteScript(
      "INSERT INTO unit (code, name, kind, created_at) VALUES ('U1', 'Unit', 'police', 1)"));
  auto agent = db_->Prepare(
      "INSERT INTO agent (service_number, display_name, unit_id, roles, status, created_at, "
      "updated_at) VALUES ($1, 'A', 1, 'agent', 'active', 1, 1) RETURNING id");
  ASSERT_OK(agent);
  (*agent)->BindText(1, "S1");
  ASSERT_TRUE(*(*agent)->Step());
  int64_t agent_id = (*agent)->ColumnInt(0);
  ASSERT_OK((*agent)->Run());
  auto insert_failure = [&](std::string_view factor) -> Result<int64_t> {
    ASSIGN_OR_RETURN(Statement * failure,
                     db_->Prepare("INSERT INTO login_failure (agent_id, at, factor, "
                                  "source_address) VALUES ($1, $2, $3, '')"));
    failure->BindInt(1, agent_id).BindInt(2, 1).BindText(3, factor);
    return failure->Run();
  };
  for (const char* factor : {"password", "totp", "passkey"}) EXPECT_OK(insert_failure(factor));
  EXPECT_THAT(insert_failure("guess"), ErrorCodeIs(ErrorCode::kConflict));
  // Integers are 64-bit and blobs are bytes on both.
  auto session = db_->Prepare(
      "INSERT INTO session (agent_id, jkt, created_at, last_seen_at, expires_at, step_up_at) "
      "VALUES ($1, 'k', $2, $2, $2, $2) RETURNING id");
  (*session)->BindInt(1, agent_id).BindInt(2, int64_t{1} << 40);
  ASSERT_TRUE(*(*session)->Step());
  int64_t session_id = (*session)->ColumnInt(0);
  ASSERT_OK((*session)->Run());
  const std::vector<uint8_t> hash = {0, 0xff, 0x5c, 0x27};
  auto insert_token = [&]() -> Result<int64_t> {
    ASSIGN_OR_RETURN(Statement * token,
                     db_->Prepare("INSERT INTO access_token (token_hash, session_id, "
                                  "expires_at) VALUES ($1, $2, 9)"));
    token->BindBlob(1, hash).BindInt(2, session_id);
    return token->Run();
  };
  ASSERT_OK(insert_token());
  EXPECT_THAT(insert_token(), ErrorCodeIs(ErrorCode::kConflict));  // same hash: primary key
  auto read = db_->Prepare("SELECT s.expires_at, a.token_hash FROM session s "
                           "JOIN access_token a ON a.session_id = s.id WHERE a.token_hash = $1");
  (*read)->BindBlob(1, hash);
  ASSERT_TRUE(*(*read)->Step());
  EXPECT_EQ((*read)->ColumnInt(0), int64_t{1} << 40);
  auto got = (*read)->ColumnBlob(1);
  EXPECT_EQ(std::vector<uint8_t>(got.begin(), got.end()), hash);
  // The log names passkeys by id: a removed one's is never given again.
  auto add_passkey = [&](std::string_view credential) -> Result<int64_t> {
    ASSIGN_OR_RETURN(
        Statement * passkey,
        db_->Prepare("INSERT INTO passkey (agent_id, credential_id, public_key, algorithm, "
                     "sign_count, backup_eligible, backup_state, transports, name, created_at) "
                     "VALUES ($1, $2, $2, -7, 0, 0, 0, '', 'k', 1) RETURNING id"));
    passkey->BindInt(1, agent_id).BindText(2, credential);
    ASSIGN_OR_RETURN(bool added, passkey->Step());
    if (!added) return Fail(ErrorCode::kInternal, "no id returned");
    const int64_t id = passkey->ColumnInt(0);
    RETURN_IF_ERROR(passkey->Run());
    return id;
  };
  ASSERT_OK(add_passkey("first"));
  auto newest = add_passkey("second");
  ASSERT_OK(newest);
  auto remove = db_->Prepare("DELETE FROM passkey WHERE id = $1");
  ASSERT_OK(remove);
  (*remove)->BindInt(1, *newest);
  ASSERT_OK((*remove)->Run());
  auto next = add_passkey("third");
  ASSERT_OK(next);
  EXPECT_GT(*next, *newest);
}

}  // namespace
}  // namespace vigie::store
