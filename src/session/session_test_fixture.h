#pragma once
// Test fixture for the session component: a migrated database on the suite's
// backend (store/test_database.h) with one unit and three agents, a FakeClock, and
// helpers for DPoP thumbprints.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "core/clock.h"
#include "crypto/hash.h"
#include "session/session_store.h"
#include "store/store.h"
#include "tests/support/matchers.h"
#include "store/table_copy.h"
#include "store/test_database.h"

namespace vigie::session {

inline constexpr int64_t kStart = 1'800'000'000;
inline constexpr int64_t kAgent = 1;
inline constexpr int64_t kOtherAgent = 2;

class SessionFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = OpenDb();
    ASSERT_NE(db_, nullptr);
    ASSERT_OK(store::Migrate(*db_, store::VigieSchema(db_->dialect())));
    // Only the columns identity's migration promises to keep.
    ASSERT_OK(db_->ExecuteScript(
        "INSERT INTO unit (id, code, name, kind, created_at) "
        "VALUES (1, 'PN-75', 'Paris', 'police', 0);"
        "INSERT INTO agent (id, service_number, display_name, unit_id, roles, status, "
        "created_at, updated_at) VALUES "
        "(1, 'A-0001', 'Agent One', 1, 'investigator', 'active', 0, 0),"
        "(2, 'A-0002', 'Agent Two', 1, 'agent', 'active', 0, 0),"
        "(3, 'A-0003', 'Agent Three', 1, 'agent', 'active', 0, 0);"));
    ASSERT_OK(store::SyncIdentityColumns(*db_));
  }

  // Another connection to the same database, as another thread or node has.
  std::unique_ptr<store::Connection> OpenDb() {
    auto opened = store::Open(database_.url());
    EXPECT_TRUE(opened.has_value()) << opened.error().ToString();
    return opened ? std::move(*opened) : nullptr;
  }


  // The database's URL, for pools of connections as a node has.
  const std::string& url() const { return database_.url(); }

  // What a thief of the database takes away (store/test_database.h).
  std::string StolenCopy() const { return database_.StolenCopy(); }

  SessionStore Store(SessionOptions options = {}) { return SessionStore(*db_, clock_, options); }

  int64_t Now() const { return UnixSeconds(clock_.Now()); }
  void Advance(int64_t seconds) { clock_.Advance(std::chrono::seconds(seconds)); }

  // A well-formed RFC 7638 thumbprint for a made-up key.
  static std::string Jkt(std::string_view key_name) {
    return crypto::Base64UrlEncode(crypto::Sha256(key_name));
  }

  store::testing::SuiteDatabase database_;
  std::unique_ptr<store::Connection> db_;
  FakeClock clock_{TimePoint(std::chrono::seconds(kStart))};
};

}  // namespace vigie::session
