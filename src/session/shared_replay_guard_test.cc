#include "session/shared_replay_guard.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "session/dpop.h"
#include "session/session_test_fixture.h"
#include "tests/support/matchers.h"

namespace vigie::session {
namespace {

using ::vigie::testing::ErrorCodeIs;

// Two nodes of one portal: a pool and a guard each, on one database.
class SharedProofReplayGuardTest : public SessionFixture {
 protected:
  static constexpr int64_t kRemember = 120;
  void SetUp() override {
    SessionFixture::SetUp();
    // The purge also stops at the database server's clock: it is set five
    // minutes ahead of these nodes', so that their own clocks (and the lag
    // allowed for them) are what the tests below measure.
    clock_.Set(SystemClock().Now() - std::chrono::minutes(5));
  }
  store::ConnectionPool node_a_{url(), {}, 2};
  store::ConnectionPool node_b_{url(), {}, 2};
  SharedProofReplayGuard guard_a_{node_a_, kRemember};
  SharedProofReplayGuard guard_b_{node_b_, kRemember};
};

TEST_F(SharedProofReplayGuardTest, AProofAcceptedOnOneNodeIsRefusedOnTheOther) {
  ASSERT_OK(guard_a_.Use(Jkt("key-a"), "jti-1", Now()));
  for (SharedProofReplayGuard* guard : {&guard_b_, &guard_a_}) {
    auto replayed = guard->Use(Jkt("key-a"), "jti-1", Now() + 1);
    ASSERT_FALSE(replayed.has_value());
    EXPECT_TRUE(IsInvalidDpopProof(replayed.error()));  // "sign a new proof"
  }
  // Another jti, or the same jti from another key, is another proof.
  EXPECT_OK(guard_b_.Use(Jkt("key-a"), "jti-2", Now()));
  EXPECT_OK(guard_b_.Use(Jkt("key-b"), "jti-1", Now()));
}

TEST_F(SharedProofReplayGuardTest, CheckingAPairOnAnyNodeDoesNotRecordIt) {
  ASSERT_OK(guard_a_.CheckUnused(Jkt("key-a"), "jti-1", Now()));
  ASSERT_OK(guard_b_.CheckUnused(Jkt("key-a"), "jti-1", Now()));
  ASSERT_OK(guard_a_.Use(Jkt("key-a"), "jti-1", Now()));
  EXPECT_THAT(guard_b_.CheckUnused(Jkt("key-a"), "jti-1", Now() + kRemember),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_OK(guard_b_.CheckUnused(Jkt("key-a"), "jti-1", Now() + kRemember + 1));
  EXPECT_OK(guard_b_.CheckUnused(Jkt("key-a"), "jti-2", Now()));
}

TEST_F(SharedProofReplayGuardTest, APairIsForgottenOnceNoProofWithItCouldBeAccepted) {
  const int64_t then = Now() - 10 * kRemember;
  ASSERT_OK(guard_a_.Use(Jkt("key-a"), "jti-1", then));
  // Through its last acceptable second, included.
  EXPECT_THAT(guard_b_.Use(Jkt("key-a"), "jti-1", then + kRemember),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
  // Past its lifetime the row is taken over (the proof's iat check refuses
  // such an old proof by then).
  EXPECT_OK(guard_b_.Use(Jkt("key-a"), "jti-1", then + kRemember + 1));
  // And purged, a minute after (nodes' clocks differ): only pairs still
  // live somewhere stay in the table.
  ASSERT_OK(guard_a_.Use(Jkt("key-c"), "jti-9", Now()));
  auto rows = db_->Prepare("SELECT count(*) FROM dpop_proof_seen");
  ASSERT_OK(rows);
  ASSERT_TRUE(*(*rows)->Step());
  EXPECT_EQ((*rows)->ColumnInt(0), 1);
  ASSERT_OK((*rows)->Run());
}

// Node B, a second ahead of a slow request on node A, purges what expired by
// its clock: the pair node A is about to check again must survive it.
TEST_F(SharedProofReplayGuardTest, APurgeByANodeAheadLeavesAPairStillAcceptable) {
  ASSERT_OK(guard_a_.Use(Jkt("key-a"), "jti-1", Now()));
  ASSERT_OK(guard_b_.Use(Jkt("key-z"), "jti-0", Now() + kRemember + 1));  // B purges
  EXPECT_THAT(guard_a_.Use(Jkt("key-a"), "jti-1", Now() + kRemember),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
}

// Node B's clock runs 30 s ahead: its purge must not forget a pair that
// node A, on time, still refuses a replay of.
TEST_F(SharedProofReplayGuardTest, ANodeWhoseClockIsAheadDoesNotPurgeALivePair) {
  ASSERT_OK(guard_a_.Use(Jkt("key-a"), "jti-1", Now()));
  ASSERT_OK(guard_b_.Use(Jkt("key-z"), "jti-0", Now() + kRemember + 30));  // B purges
  EXPECT_THAT(guard_a_.Use(Jkt("key-a"), "jti-1", Now() + kRemember),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
}

// Node B's clock jumped an hour ahead after its start-up check: its purge
// stops at the database server's clock, so node A still refuses the replay.
TEST_F(SharedProofReplayGuardTest, ANodeWhoseClockJumpedFarAheadDoesNotPurgeALivePair) {
  clock_.Set(SystemClock().Now());  // node A on the database server's time
  ASSERT_OK(guard_a_.Use(Jkt("key-a"), "jti-1", Now()));
  ASSERT_OK(guard_b_.Use(Jkt("key-z"), "jti-0", Now() + 3600));  // B purges
  EXPECT_THAT(guard_a_.Use(Jkt("key-a"), "jti-1", Now() + kRemember),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
}

// Node B's clock, set back after a jump ahead, purges again at once rather
// than an hour later (when its clock comes back to the purge it planned).
TEST_F(SharedProofReplayGuardTest, AClockSetBackPurgesWithoutWaitingForThePlannedTime) {
  ASSERT_OK(guard_a_.Use(Jkt("key-a"), "jti-1", Now() - 1200));
  ASSERT_OK(guard_b_.Use(Jkt("key-z"), "jti-0", Now() + 3600));  // B purges, next in an hour
  ASSERT_OK(guard_a_.Use(Jkt("key-a"), "jti-2", Now() - 1000));  // long expired
  ASSERT_OK(guard_b_.Use(Jkt("key-z"), "jti-1", Now()));         // set back: B purges it
  auto rows = db_->Prepare("SELECT count(*) FROM dpop_proof_seen");
  ASSERT_OK(rows);
  ASSERT_TRUE(*(*rows)->Step());
  EXPECT_EQ((*rows)->ColumnInt(0), 2);
  ASSERT_OK((*rows)->Run());
}

TEST_F(SharedProofReplayGuardTest, OfManyNodesRacingOnOneProofExactlyOneAcceptsIt) {
  std::atomic<int> accepted{0}, refused{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < 8; ++i) {
    racers.emplace_back([&, i] {
      SharedProofReplayGuard& guard = i % 2 == 0 ? guard_a_ : guard_b_;
      auto used = guard.Use(Jkt("key-a"), "contested", Now());
      if (used) {
        ++accepted;
      } else if (used.error().code() == ErrorCode::kUnauthenticated) {
        ++refused;
      }
    });
  }
  for (std::thread& racer : racers) racer.join();
  EXPECT_EQ(accepted.load(), 1);
  EXPECT_EQ(refused.load(), 7);
}

}  // namespace
}  // namespace vigie::session
