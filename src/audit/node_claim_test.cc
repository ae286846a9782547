#include "audit/node_claim.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <thread>

#include "audit/audit_log_test_util.h"
#include "store/advisory_key.h"
#include "tests/support/matchers.h"

namespace vigie::audit {
namespace {

using ::vigie::testing::ErrorCodeIs;

// On a shared PostgreSQL log, a second server with the same node id is
// refused while the first runs, and admitted once it stops; another id is
// always admitted. SQLite has one node: always admitted.
TEST(NodeClaimTest, OneRunningServerPerNodeIdOnASharedLog) {
  testing::AuditLogFixture fixture;
  const std::string url = fixture.Options().url;
  const bool shared = store::Open(url).value()->dialect() == store::Dialect::kPostgres;
  std::optional<Result<NodeClaim>> first(NodeClaim::Take(url, "node-a"));
  ASSERT_OK(*first);
  auto again = NodeClaim::Take(url, "node-a");
  if (shared) {
    EXPECT_THAT(again, ErrorCodeIs(ErrorCode::kConflict));
    if (!again) {
      EXPECT_NE(again.error().message().find("node_id"), std::string::npos);
      EXPECT_NE(again.error().message().find("pg_terminate_backend("), std::string::npos);
      EXPECT_EQ(again.error().message().find("(?)"), std::string::npos);  // the holder is named
    }
  } else {
    EXPECT_OK(again);
  }
  EXPECT_OK(NodeClaim::Take(url, "node-b"));
  first.reset();  // the first server stops
  EXPECT_OK(NodeClaim::Take(url, "node-a"));
}

// The server may end the claim's session while the node runs (a restart, a
// failover, pg_terminate_backend): the claim takes its id again on a new
// session - or, if another server took the id meanwhile, says it is not
// held until that one stops.
TEST(NodeClaimTest, AClaimWhoseSessionEndedIsTakenAgainOrReportedLost) {
  testing::AuditLogFixture fixture;
  const std::string url = fixture.Options().url;
  auto admin = store::Open(url);
  ASSERT_OK(admin);
  if ((*admin)->dialect() != store::Dialect::kPostgres) {
    EXPECT_TRUE(NodeClaim::Take(url, "node-a").value().held()) << "one node: always held";
    return;
  }
  const auto every = std::chrono::milliseconds(50);
  auto schema = (*admin)->Prepare("SELECT current_schema()");
  ASSERT_OK(schema);
  ASSERT_TRUE((*schema)->Step().value_or(false));
  const std::string log_schema((*schema)->ColumnText(0));
  ASSERT_OK((*schema)->Run());
  // Ends the session holding `node`'s claim (and no other test's).
  auto end_sessions_of = [&](std::string_view node) {
    const int64_t key = store::AdvisoryKey("audit-node-id", log_schema + "\n" + std::string(node));
    ASSERT_OK((*admin)->ExecuteScript(
        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND "
        "classid = (" +
        std::to_string(store::AdvisoryKeyHigh(key)) + ")::integer::oid AND objid = (" +
        std::to_string(store::AdvisoryKeyLow(key)) +
        ")::integer::oid AND objsubid = 2 AND granted"));
  };
  auto wait_for = [&](const NodeClaim& claim, bool held) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (claim.held() != held && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return claim.held() == held;
  };
  // The pid holding `node`'s claim, 0 when none does.
  auto holder_of = [&](std::string_view node) -> int64_t {
    const int64_t key = store::AdvisoryKey("audit-node-id", log_schema + "\n" + std::string(node));
    auto holder = (*admin)->Prepare(
        "SELECT coalesce(max(pid), 0) FROM pg_locks WHERE locktype = 'advisory' AND classid = "
        "$1::integer::oid AND objid = $2::integer::oid AND objsubid = 2 AND granted");
    if (!holder) return -1;
    (*holder)->BindInt(1, store::AdvisoryKeyHigh(key)).BindInt(2, store::AdvisoryKeyLow(key));
    const int64_t pid = (*holder)->Step().value_or(false) ? (*holder)->ColumnInt(0) : -1;
    (void)(*holder)->Run();
    return pid;
  };
  auto first = NodeClaim::Take(url, "node-a", every);
  ASSERT_OK(first);
  const int64_t before = holder_of("node-a");
  ASSERT_GT(before, 0);
  end_sessions_of("node-a");
  // Taken again, on a new session, by the claim's own checks.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  int64_t after = holder_of("node-a");
  while ((after <= 0 || after == before) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    after = holder_of("node-a");
  }
  EXPECT_GT(after, 0);
  EXPECT_NE(after, before);
  EXPECT_TRUE(wait_for(*first, true));
  EXPECT_THAT(NodeClaim::Take(url, "node-a"), ErrorCodeIs(ErrorCode::kConflict))
      << "held on its new session";

  // Its session ends and, before its next check, another server takes the id.
  std::optional<Result<NodeClaim>> second;
  for (int attempt = 0; attempt < 50 && !(second && *second); ++attempt) {
    end_sessions_of("node-a");
    second.emplace(NodeClaim::Take(url, "node-a", std::chrono::hours(1)));
  }
  ASSERT_TRUE(second && *second) << "the id was free between two checks";
  EXPECT_TRUE(wait_for(*first, false)) << "the first claim knows it lost its id";
  second.reset();  // the other server stops
  EXPECT_TRUE(wait_for(*first, true)) << "and takes it back once it is free";
}

}  // namespace
}  // namespace vigie::audit
