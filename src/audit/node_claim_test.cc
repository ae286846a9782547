#include "audit/node_claim.h"

#include <gtest/gtest.h>

#include <optional>

#include "audit/audit_log_test_util.h"
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

}  // namespace
}  // namespace vigie::audit
