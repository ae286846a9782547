#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "session/session_store.h"
#include "session/session_test_fixture.h"
#include "tests/support/matchers.h"

namespace vigie::session {
namespace {

using ::vigie::testing::ErrorCodeIs;

class RefreshTest : public SessionFixture {};

TEST_F(RefreshTest, RotationIssuesANewPairBoundToTheSameSession) {
  SessionStore sessions = Store();
  auto first = sessions.Create(kAgent, Jkt("key-a"));
  ASSERT_OK(first);
  Advance(540);
  auto second = sessions.Refresh(first->refresh_token.reveal(), Jkt("key-a"));
  ASSERT_OK(second);
  EXPECT_EQ(second->session_id, first->session_id);
  EXPECT_NE(second->access_token.reveal(), first->access_token.reveal());
  EXPECT_NE(second->refresh_token.reveal(), first->refresh_token.reveal());
  EXPECT_EQ(second->access_expires_at, Now() + 600);
  EXPECT_EQ(second->refresh_expires_at, Now() + 1800);

  auto session = sessions.Authenticate(second->access_token.reveal(), Jkt("key-a"));
  ASSERT_OK(session);
  EXPECT_EQ(session->id, first->session_id);
  EXPECT_EQ(session->last_seen_at, Now());  // a refresh is activity
  // The previous access token stays valid until its own expiry.
  EXPECT_OK(sessions.Authenticate(first->access_token.reveal(), Jkt("key-a")));
  Advance(60);
  EXPECT_THAT(sessions.Authenticate(first->access_token.reveal(), Jkt("key-a")),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_OK(sessions.Authenticate(second->access_token.reveal(), Jkt("key-a")));
}

// What a spent failure bucket still hears (api::ApiOptions::failed_credentials).
TEST_F(RefreshTest, ATokenNamesItsSessionWhileTheSessionLivesUsedOrNot) {
  SessionStore sessions = Store();
  auto first = sessions.Create(kAgent, Jkt("key-a"));
  ASSERT_OK(first);
  const int64_t session = first->session_id;
  const std::string token(first->refresh_token.reveal());
  EXPECT_EQ(sessions.LiveRefreshSession(token).value_or(std::nullopt), session);
  EXPECT_EQ(sessions.LiveRefreshSession(token, Jkt("key-a")).value_or(std::nullopt), session);
  EXPECT_EQ(sessions.LiveRefreshSession(token, Jkt("key-b")).value_or(0), std::nullopt)
      << "a proof from another key than the session's";
  for (const std::string& junk : {std::string(), std::string("not-a-token"), token + "x"}) {
    EXPECT_EQ(sessions.LiveRefreshSession(junk).value_or(0), std::nullopt) << junk;
  }
  Advance(60);
  auto second = sessions.Refresh(token, Jkt("key-a"));
  ASSERT_OK(second);
  const std::string next(second->refresh_token.reveal());
  EXPECT_EQ(sessions.LiveRefreshSession(next).value_or(std::nullopt), session);
  Advance(1790);  // the first token's own lifetime is over, not the session's
  EXPECT_EQ(sessions.LiveRefreshSession(token).value_or(std::nullopt), session)
      << "used: Refresh must hear its reuse";
  Advance(60);
  EXPECT_EQ(sessions.LiveRefreshSession(next).value_or(0), std::nullopt) << "expired unused";

  auto other = sessions.Create(kAgent, Jkt("key-b"));
  ASSERT_OK(other);
  ASSERT_OK(sessions.Logout(other->session_id));
  EXPECT_EQ(sessions.LiveRefreshSession(other->refresh_token.reveal()).value_or(0), std::nullopt)
      << "its session ended";
}

TEST_F(RefreshTest, ReusingARefreshTokenEndsTheWholeSession) {
  SessionStore sessions = Store();
  auto first = sessions.Create(kAgent, Jkt("key-a"));
  ASSERT_OK(first);
  Advance(60);
  auto second = sessions.Refresh(first->refresh_token.reveal(), Jkt("key-a"));
  ASSERT_OK(second);

  Advance(10);
  auto reuse = sessions.Refresh(first->refresh_token.reveal(), Jkt("key-a"));
  EXPECT_THAT(reuse, ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_EQ(reuse.error().message(), "refresh token reused: session ended");

  // Everything the session had is now refused, including the newest pair.
  EXPECT_THAT(sessions.Authenticate(second->access_token.reveal(), Jkt("key-a")),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_THAT(sessions.Refresh(second->refresh_token.reveal(), Jkt("key-a")),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_THAT(sessions.Authenticate(first->access_token.reveal(), Jkt("key-a")),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
  auto listed = sessions.List(kAgent);
  ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].end_reason, kEndRefreshTokenReuse);
  EXPECT_EQ((*listed)[0].ended_at, Now());
}

// Access tokens that outlive the idle timeout (a configuration allows it):
// an agent at work refreshes when theirs expires, and is not refused.
TEST_F(RefreshTest, AnAgentAtWorkRefreshesWhenAccessTokensOutliveTheIdleTimeout) {
  SessionStore sessions = Store({.access_ttl_seconds = 3600, .idle_timeout_seconds = 1800});
  auto first = sessions.Create(kAgent, Jkt("key-a"));
  ASSERT_OK(first);
  for (int minutes = 20; minutes < 60; minutes += 20) {
    Advance(20 * 60);
    ASSERT_OK(sessions.Authenticate(first->access_token.reveal(), Jkt("key-a")));
  }
  Advance(19 * 60);  // the access token about to expire, the agent active 19 minutes ago
  EXPECT_OK(sessions.Refresh(first->refresh_token.reveal(), Jkt("key-a")));
  // Idle, the session still lapses from its last request.
  auto idle = sessions.Create(kAgent, Jkt("key-b"));
  ASSERT_OK(idle);
  Advance(1801);
  EXPECT_THAT(sessions.Refresh(idle->refresh_token.reveal(), Jkt("key-b")),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
}

// The request that spent a token, sent again (a captured one replayed, or
// one sent twice before its proof was remembered), brings nothing new: it
// must not let whoever saw it end the session and raise a reuse. A new
// proof under the session's key is still a reuse.
TEST_F(RefreshTest, TheRequestThatSpentATokenSentAgainIsARefusedReplayNotAReuse) {
  SessionStore sessions = Store();
  auto first = sessions.Create(kAgent, Jkt("key-a"));
  ASSERT_OK(first);
  const std::string token(first->refresh_token.reveal());
  auto second = sessions.Refresh(token, Jkt("key-a"), {}, nullptr, "jti-1");
  ASSERT_OK(second);
  SessionStore::RefreshSeen seen;
  auto replayed = sessions.Refresh(token, Jkt("key-a"), {}, &seen, "jti-1");
  EXPECT_THAT(replayed, ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_EQ(replayed.error().message(), "refresh request replayed");
  EXPECT_FALSE(seen.reused);
  EXPECT_OK(sessions.Authenticate(second->access_token.reveal(), Jkt("key-a")));

  auto other_key = sessions.Refresh(token, Jkt("attacker-key"), {}, &seen, "jti-1");
  EXPECT_EQ(other_key.error().message(), "refresh token reused with another DPoP key");
  EXPECT_OK(sessions.Authenticate(second->access_token.reveal(), Jkt("key-a")));

  auto reuse = sessions.Refresh(token, Jkt("key-a"), {}, &seen, "jti-2");
  EXPECT_EQ(reuse.error().message(), "refresh token reused: session ended");
  EXPECT_TRUE(seen.reused);
  EXPECT_THAT(sessions.Authenticate(second->access_token.reveal(), Jkt("key-a")),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
}

// A spent token presented under another key leaked without its key: its
// holder can do nothing with it, and must not end the owner's session; the
// reuse is still told (for the audit log and detection).
TEST_F(RefreshTest, ReuseWithAnotherKeyIsRefusedAndLeavesTheSessionToItsOwner) {
  SessionStore sessions = Store();
  auto first = sessions.Create(kAgent, Jkt("key-a"));
  ASSERT_OK(first);
  auto second = sessions.Refresh(first->refresh_token.reveal(), Jkt("key-a"));
  ASSERT_OK(second);
  SessionStore::RefreshSeen seen;
  auto stolen = sessions.Refresh(first->refresh_token.reveal(), Jkt("attacker-key"), {}, &seen);
  EXPECT_THAT(stolen, ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_EQ(stolen.error().message(), "refresh token reused with another DPoP key");
  EXPECT_TRUE(seen.reused);
  EXPECT_EQ(seen.session_id, second->session_id);
  EXPECT_OK(sessions.Authenticate(second->access_token.reveal(), Jkt("key-a")));
  EXPECT_OK(sessions.Refresh(second->refresh_token.reveal(), Jkt("key-a")));
}

TEST_F(RefreshTest, RefreshWithAnotherKeyIsRefusedWithoutSpendingTheToken) {
  SessionStore sessions = Store();
  auto first = sessions.Create(kAgent, Jkt("key-a"));
  ASSERT_OK(first);
  auto stolen = sessions.Refresh(first->refresh_token.reveal(), Jkt("attacker-key"));
  EXPECT_THAT(stolen, ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_EQ(stolen.error().message(), "DPoP key does not match the session's");
  EXPECT_OK(sessions.Refresh(first->refresh_token.reveal(), Jkt("key-a")));
}

// A node whose clock lags refreshes: the session's last activity stays
// where a node ahead put it (an idle timeout must not come early).
TEST_F(RefreshTest, ARefreshOnALaggingNodeDoesNotMoveLastSeenBack) {
  SessionStore sessions = Store();
  auto first = sessions.Create(kAgent, Jkt("key-a"));
  ASSERT_OK(first);
  Advance(600);
  auto second = sessions.Refresh(first->refresh_token.reveal(), Jkt("key-a"));
  ASSERT_OK(second);
  const int64_t seen = Now();
  Advance(-30);
  ASSERT_OK(sessions.Refresh(second->refresh_token.reveal(), Jkt("key-a")));
  auto listed = sessions.List(kAgent);
  ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].last_seen_at, seen);
}

TEST_F(RefreshTest, NewTokensNeverOutliveTheSession) {
  SessionStore sessions = Store();
  auto tokens = sessions.Create(kAgent, Jkt("key-a"));
  ASSERT_OK(tokens);
  std::string refresh(tokens->refresh_token.reveal());
  // Refresh every 20 minutes until 100 s before the absolute end.
  while (Now() + 1200 <= kStart + 43200 - 100) {
    Advance(1200);
    auto next = sessions.Refresh(refresh, Jkt("key-a"));
    ASSERT_OK(next);
    refresh = next->refresh_token.reveal();
  }
  clock_.Set(TimePoint(std::chrono::seconds(kStart + 43200 - 100)));
  auto last = sessions.Refresh(refresh, Jkt("key-a"));
  ASSERT_OK(last);
  EXPECT_EQ(last->access_expires_at, kStart + 43200);
  EXPECT_EQ(last->refresh_expires_at, kStart + 43200);
}

// Two nodes presenting one refresh token at the same moment: exactly one
// rotates, the other is reuse, and the session ends for both. On
// PostgreSQL each is inside its rotation (held there a while) when the
// other arrives; on SQLite the second waits at BEGIN IMMEDIATE.
TEST_F(RefreshTest, TwoNodesRefreshingAtOnceGiveOneRotationAndOneReuse) {
  auto other_db = OpenDb();
  ASSERT_NE(other_db, nullptr);
  SessionStore node_a = Store();
  SessionStore node_b(*other_db, clock_);
  auto tokens = node_a.Create(kAgent, Jkt("key-a"));
  ASSERT_OK(tokens);
  const std::string token(tokens->refresh_token.reveal());
  auto held = [](const Session&) -> Result<void> {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return {};
  };
  Result<IssuedTokens> a = Fail(ErrorCode::kInternal, "not run");
  Result<IssuedTokens> b = Fail(ErrorCode::kInternal, "not run");
  std::thread on_a([&] { a = node_a.Refresh(token, Jkt("key-a"), held); });
  std::thread on_b([&] { b = node_b.Refresh(token, Jkt("key-a"), held); });
  on_a.join();
  on_b.join();
  ASSERT_NE(a.has_value(), b.has_value()) << "exactly one rotates";
  const Result<IssuedTokens>& refused = a ? b : a;
  EXPECT_THAT(refused, ErrorCodeIs(ErrorCode::kUnauthenticated));
  const IssuedTokens& rotated = a ? *a : *b;
  EXPECT_THAT(node_a.Authenticate(rotated.access_token.reveal(), Jkt("key-a")),
              ErrorCodeIs(ErrorCode::kUnauthenticated))
      << "the reuse ended the session";
}

}  // namespace
}  // namespace vigie::session
