#include "records/live_search.h"

#include <gtest/gtest.h>

#include <atomic>
#include <sstream>

#include "core/clock.h"
#include "records/importer.h"
#include "tests/support/matchers.h"
#include "tests/support/records_db.h"

namespace vigie::records {
namespace {

constexpr const char* kFirst =
    R"({"kind":"person","id":"P1","surname":"Dubois","given_names":["Léa"],"birth_date":"2001-02-03"})"
    "\n";
constexpr const char* kSecond =
    R"({"kind":"person","id":"P2","surname":"Girard","given_names":["Hugo"],"birth_date":"1999-05-06"})"
    "\n"
    R"({"kind":"wanted_notice","id":"W1","person_id":"P1","reason":"escapee","issuing_authority":"Parquet de Lille","reference":"E-1","valid_from":"2025-01-01","conduct":"arrest"})"
    "\n";

class LiveSearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Import(kFirst));
    auto loaded = LiveSearch::Load(*t_.repository);
    ASSERT_OK(loaded);
    live_ = std::move(*loaded);
  }

  // Whether the import committed.
  bool Import(const std::string& text) {
    std::istringstream in(text);
    auto report = records::Import(in, text.size(), {}, *t_.db, *t_.repository);
    return report && report->committed;
  }

  int64_t Found(const RecordSearch& search, std::string surname, std::string given,
                SearchScope scope = SearchScope::kEveryPerson) {
    auto result = search.Search({std::move(surname), std::move(given), {}}, *t_.repository,
                                clock_, 20, scope);
    return result ? static_cast<int64_t>(result->summaries.size()) : -1;
  }

  testing::RecordsDb t_;
  FakeClock clock_{std::chrono::sys_days{std::chrono::year{2026} / 11 / 27}};
  std::unique_ptr<LiveSearch> live_;
};

TEST_F(LiveSearchTest, NothingChangedNothingIsBuilt) {
  const auto before = live_->Current();
  EXPECT_EQ(live_->generation(), 1);
  auto refreshed = live_->Refresh(*t_.db, *t_.repository);
  ASSERT_OK(refreshed);
  EXPECT_FALSE(*refreshed);
  EXPECT_EQ(live_->Current(), before);
}

TEST_F(LiveSearchTest, AnImportIsFoundAfterTheNextCheckWhileOlderSearchesKeepTheirIndex) {
  const auto before = live_->Current();
  EXPECT_EQ(Found(*before, "Girard", "Hugo"), 0);
  EXPECT_EQ(Found(*before, "Dubois", "Léa", SearchScope::kWantedToday), 0);
  ASSERT_TRUE(Import(kSecond));
  // Until the check, the index is the one it was.
  EXPECT_EQ(Found(*live_->Current(), "Girard", "Hugo"), 0);
  auto refreshed = live_->Refresh(*t_.db, *t_.repository);
  ASSERT_OK(refreshed);
  EXPECT_TRUE(*refreshed);
  EXPECT_EQ(live_->generation(), 2);
  const auto after = live_->Current();
  EXPECT_EQ(Found(*after, "Girard", "Hugo"), 1);
  // The notice imported for the first person: wanted from now on.
  EXPECT_EQ(Found(*after, "Dubois", "Léa", SearchScope::kWantedToday), 1);
  // A search that started before the swap goes on with what it held.
  EXPECT_EQ(Found(*before, "Girard", "Hugo"), 0);
}

// The canaries to watch are read as soon as the change is seen, then again
// just before the swap; when that last read fails, the index built is kept
// and swapped in at the next check, not built again.
TEST_F(LiveSearchTest, WhatMustBeWatchedIsReadBeforeAndAfterTheBuild) {
  ASSERT_TRUE(Import(kSecond));
  const auto before = live_->Current();
  int calls = 0;
  auto refused = live_->Refresh(*t_.db, *t_.repository, [&](store::Connection& db) {
    EXPECT_EQ(&db, t_.db.get());
    EXPECT_EQ(live_->Current(), before) << "done before the new index is seen";
    return ++calls == 2 ? Result<void>(Fail(ErrorCode::kUnavailable, "canaries unreadable"))
                        : Result<void>{};
  });
  EXPECT_FALSE(refused.has_value());
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(live_->Current(), before);
  EXPECT_EQ(live_->generation(), 1);
  // With the postings deleted behind the generation's back, a new build
  // would find nobody: the index already built is the one swapped in.
  ASSERT_OK(t_.db->ExecuteScript("DELETE FROM person_search"));
  calls = 0;
  auto refreshed = live_->Refresh(*t_.db, *t_.repository, [&](store::Connection&) {
    ++calls;
    EXPECT_EQ(live_->Current(), before);
    return Result<void>{};
  });
  ASSERT_OK(refreshed);
  EXPECT_TRUE(*refreshed);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(Found(*live_->Current(), "Girard", "Hugo"), 1);
}

TEST_F(LiveSearchTest, AnIndexKeptForAnOlderGenerationIsBuiltAgain) {
  ASSERT_TRUE(Import(kSecond));
  int calls = 0;
  auto refused = live_->Refresh(*t_.db, *t_.repository, [&](store::Connection&) {
    return ++calls == 2 ? Result<void>(Fail(ErrorCode::kUnavailable, "canaries unreadable"))
                        : Result<void>{};
  });
  EXPECT_FALSE(refused.has_value());
  ASSERT_TRUE(Import(
      R"({"kind":"person","id":"P3","surname":"Morel","given_names":["Inès"],"birth_date":"1975"})"
      "\n"));
  auto refreshed = live_->Refresh(*t_.db, *t_.repository);
  ASSERT_OK(refreshed);
  EXPECT_TRUE(*refreshed);
  EXPECT_EQ(live_->generation(), 3);
  EXPECT_EQ(Found(*live_->Current(), "Morel", "Inès"), 1);
  EXPECT_EQ(Found(*live_->Current(), "Girard", "Hugo"), 1);
}

TEST_F(LiveSearchTest, AStopEndsABuildAndKeepsTheIndex) {
  ASSERT_TRUE(Import(kSecond));
  const auto before = live_->Current();
  std::stop_source stop;
  stop.request_stop();
  auto stopped = live_->Refresh(*t_.db, *t_.repository, {}, stop.get_token());
  EXPECT_FALSE(stopped.has_value());
  EXPECT_EQ(live_->Current(), before);
  EXPECT_EQ(live_->generation(), 1);
}

TEST_F(LiveSearchTest, TheFollowerFindsAnImportOnItsOwnConnection) {
  std::atomic<int> watched{0};
  live_->Follow({.database_url = t_.database.url(),
                 .open = {},
                 .keyring = &t_.keyring,
                 .check_interval = std::chrono::milliseconds(20),
                 .on_records_changed = [&](store::Connection& db) {
                   EXPECT_NE(&db, t_.db.get());
                   ++watched;
                   return Result<void>{};
                 }});
  ASSERT_TRUE(Import(kSecond));
  ASSERT_TRUE(live_->WaitForGeneration(2, std::chrono::seconds(30)));
  EXPECT_EQ(Found(*live_->Current(), "Girard", "Hugo"), 1);
  live_.reset();  // stops and joins the follower
  EXPECT_GE(watched.load(), 2) << "before the build and before the swap";
}

// On PostgreSQL the nodes sharing a database take turns to build.
TEST_F(LiveSearchTest, ANodeWaitsItsTurnWhileAnotherBuilds) {
  if (t_.db->dialect() != store::Dialect::kPostgres) GTEST_SKIP() << "one node on SQLite";
  auto other = store::Open(t_.database.url());
  ASSERT_OK(other);
  auto turn = [&](std::string_view function) {
    auto call =
        (*other)->Prepare("SELECT " + std::string(function) +
                          "(hashtextextended('vigie search index build ' || current_schema(), 0))");
    EXPECT_OK(call);
    const bool result = call && (*call)->Step().value_or(false) && (*call)->ColumnInt(0) != 0;
    if (call) EXPECT_OK((*call)->Run());
    return result;
  };
  ASSERT_TRUE(turn("pg_try_advisory_lock"));
  ASSERT_TRUE(Import(kSecond));
  int calls = 0;
  auto count = [&](store::Connection&) {
    ++calls;
    return Result<void>{};
  };
  auto waiting = live_->Refresh(*t_.db, *t_.repository, count);
  ASSERT_OK(waiting);
  EXPECT_FALSE(*waiting);
  EXPECT_EQ(live_->generation(), 1);
  EXPECT_EQ(calls, 1) << "the change is watched while waiting";
  ASSERT_TRUE(turn("pg_advisory_unlock"));
  // A build that fails gives the turn back.
  std::stop_source stop;
  stop.request_stop();
  EXPECT_FALSE(live_->Refresh(*t_.db, *t_.repository, {}, stop.get_token()).has_value());
  ASSERT_TRUE(turn("pg_try_advisory_lock"));
  ASSERT_TRUE(turn("pg_advisory_unlock"));
  auto built = live_->Refresh(*t_.db, *t_.repository, count);
  ASSERT_OK(built);
  EXPECT_TRUE(*built);
  // And so does one that succeeds.
  ASSERT_TRUE(turn("pg_try_advisory_lock"));
}

}  // namespace
}  // namespace vigie::records
