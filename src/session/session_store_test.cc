#include "session/session_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "session/session_test_fixture.h"
#include "tests/support/command.h"
#include "tests/support/matchers.h"

namespace vigie::session {
namespace {

using ::vigie::testing::ErrorCodeIs;

class SessionStoreTest : public SessionFixture {};

// True if `needle` occurs in any file of the database (main file, WAL, shm).
bool Contains(const std::string& stolen, std::string_view needle) {
  return stolen.find(needle) != std::string::npos;
}

TEST_F(SessionStoreTest, CreateOpensASessionBoundToTheKey) {
  SessionStore sessions = Store();
  auto tokens = sessions.Create(kAgent, Jkt("key-a"));
  ASSERT_OK(tokens);
  EXPECT_TRUE(tokens->access_token.reveal().starts_with("va_"));
  EXPECT_TRUE(tokens->refresh_token.reveal().starts_with("vr_"));
  EXPECT_EQ(tokens->access_expires_at, kStart + 600);
  EXPECT_EQ(tokens->refresh_expires_at, kStart + 1800);

  auto session = sessions.Authenticate(tokens->access_token.reveal(), Jkt("key-a"));
  ASSERT_OK(session);
  EXPECT_EQ(session->id, tokens->session_id);
  EXPECT_EQ(session->agent_id, kAgent);
  EXPECT_EQ(session->jkt, Jkt("key-a"));
  EXPECT_EQ(session->created_at, kStart);
  EXPECT_EQ(session->last_seen_at, kStart);
  EXPECT_EQ(session->expires_at, kStart + 43200);
  EXPECT_EQ(session->last_step_up_at, kStart);  // the login's own TOTP
  EXPECT_TRUE(session->live());
  EXPECT_FALSE(session->notice_acknowledged());
}

// The caller's bars are read inside the session's transaction: a refusal
// there writes nothing, not even the superseding of the older session.
TEST_F(SessionStoreTest, CreateRefusedByItsAdmitCheckWritesNothing) {
  SessionStore sessions = Store();
  auto older = sessions.Create(kAgent, Jkt("key-a"));
  ASSERT_OK(older);
  bool asked = false;
  auto refused = sessions.Create(kAgent, Jkt("key-b"), [&]() -> Result<void> {
    asked = true;
    return Fail(ErrorCode::kUnauthenticated, "agent is contained");
  });
  EXPECT_TRUE(asked);
  EXPECT_THAT(refused, ErrorCodeIs(ErrorCode::kUnauthenticated));
  // Not superseded by a session that never was.
  EXPECT_OK(sessions.Authenticate(older->access_token.reveal(), Jkt("key-a")));
  auto admitted = sessions.Create(kAgent, Jkt("key-b"), [] { return Result<void>{}; });
  ASSERT_OK(admitted);
  EXPECT_OK(sessions.Authenticate(admitted->access_token.reveal(), Jkt("key-b")));
}

// Logins of many agents at once. On PostgreSQL, SERIALIZABLE writers that
// touch the same index pages abort one another now and then; each session
// creation must then run again, not reach the agent as a 503.
TEST_F(SessionStoreTest, ManyAgentsLoggingInAtOnceAllGetSessions) {
  constexpr int kThreads = 6, kAgentsEach = 2, kLogins = 6;
  std::string agents;
  for (int i = 0; i < kThreads * kAgentsEach; ++i) {
    const int id = 100 + i;
    agents += std::string(agents.empty() ? "" : ",") + "(" + std::to_string(id) + ", 'C-" +
              std::to_string(id) + "', 'Concurrent', 1, 'agent', 'active', 0, 0)";
  }
  ASSERT_OK(db_->ExecuteScript("INSERT INTO agent (id, service_number, display_name, unit_id, "
                               "roles, status, created_at, updated_at) VALUES " + agents));
  std::atomic<int> created{0};
  std::vector<std::string> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto db = OpenDb();
      if (db == nullptr) return;
      SessionStore sessions(*db, clock_);
      for (int n = 0; n < kLogins * kAgentsEach; ++n) {
        const int64_t agent = 100 + t * kAgentsEach + n % kAgentsEach;
        auto tokens = sessions.Create(agent, Jkt("key-" + std::to_string(n)));
        if (tokens) {
          ++created;
        } else if (failures[t].empty()) {
          failures[t] = tokens.error().ToString();
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const std::string& failure : failures) EXPECT_EQ(failure, "");
  EXPECT_EQ(created.load(), kThreads * kAgentsEach * kLogins);
}

TEST_F(SessionStoreTest, TokensAreNotStoredInClear) {
  SessionStore sessions = Store();
  auto first = sessions.Create(kAgent, Jkt("key-a"));
  ASSERT_OK(first);
  Advance(60);
  ASSERT_OK(sessions.Authenticate(first->access_token.reveal(), Jkt("key-a")));
  auto second = sessions.Refresh(first->refresh_token.reveal(), Jkt("key-a"));
  ASSERT_OK(second);

  for (const BearerToken* token : {&first->access_token, &first->refresh_token,
                                   &second->access_token, &second->refresh_token}) {
    std::string_view text = token->reveal();
    std::string_view random_part = text.substr(3);  // the base64url form of the random bytes
    auto raw = crypto::Base64UrlDecode(random_part);
    ASSERT_OK(raw);
    const std::string stolen = StolenCopy();
    EXPECT_FALSE(Contains(stolen, text));
    EXPECT_FALSE(Contains(stolen, random_part));
    EXPECT_FALSE(Contains(stolen, crypto::AsText(*raw)));
    EXPECT_FALSE(Contains(stolen, crypto::HexEncode(*raw)));
    EXPECT_FALSE(Contains(stolen, crypto::Base64Encode(*raw).substr(0, 40)));
    // Control: what is stored is the digest (raw in SQLite's file, in hex in
    // a PostgreSQL dump), so the search above can see it.
    EXPECT_TRUE(Contains(stolen, crypto::AsText(token->digest())) ||
                Contains(stolen, crypto::HexEncode(token->digest())));
  }
}

TEST_F(SessionStoreTest, AccessTokenExpiresAfterTenMinutes) {
  SessionStore sessions = Store();
  auto tokens = sessions.Create(kAgent, Jkt("key-a"));
  ASSERT_OK(tokens);
  Advance(599);
  EXPECT_OK(sessions.Authenticate(tokens->access_token.reveal(), Jkt("key-a")));
  Advance(1);
  auto expired = sessions.Authenticate(tokens->access_token.reveal(), Jkt("key-a"));
  EXPECT_THAT(expired, ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_EQ(expired.error().message(), "access token expired");
  // The session itself lives on: the refresh token still works.
  EXPECT_OK(sessions.Refresh(tokens->refresh_token.reveal(), Jkt("key-a")));
}

// What a spent bucket of refused session requests still hears
// (api::ApiOptions::failed_sessions): a live session's token, expired or not.
TEST_F(SessionStoreTest, AnAccessTokenNamesItsSessionWhileTheSessionLives) {
  SessionStore sessions = Store();
  auto tokens = sessions.Create(kAgent, Jkt("key-a"));
  ASSERT_OK(tokens);
  const std::string token(tokens->access_token.reveal());
  EXPECT_EQ(sessions.LiveAccessSession(token).value_or(std::nullopt), tokens->session_id);
  EXPECT_EQ(sessions.LiveAccessSession(token, Jkt("key-a")).value_or(std::nullopt),
            tokens->session_id);
  EXPECT_EQ(sessions.LiveAccessSession(token, Jkt("key-b")).value_or(0), std::nullopt)
      << "a proof from another key than the session's";
  for (const std::string& junk : {std::string(), std::string("not-a-token"), token + "x",
                                  std::string(tokens->refresh_token.reveal())}) {
    EXPECT_EQ(sessions.LiveAccessSession(junk).value_or(0), std::nullopt) << junk;
  }
  Advance(600);  // the token's lifetime is over, not the session's: its holder will refresh
  EXPECT_EQ(sessions.LiveAccessSession(token).value_or(std::nullopt), tokens->session_id);
  ASSERT_OK(sessions.Logout(tokens->session_id));
  EXPECT_EQ(sessions.LiveAccessSession(token).value_or(0), std::nullopt) << "its session ended";
}

TEST_F(SessionStoreTest, IdleSessionEndsAfterThirtyMinutes) {
  SessionStore sessions = Store();
  auto tokens = sessions.Create(kAgent, Jkt("key-a"));
  ASSERT_OK(tokens);
  Advance(1799);
  auto refreshed = sessions.Refresh(tokens->refresh_token.reveal(), Jkt("key-a"));
  ASSERT_OK(refreshed);  // activity at 1799 s keeps it alive
  Advance(1800);
  EXPECT_THAT(sessions.Refresh(refreshed->refresh_token.reveal(), Jkt("key-a")),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
  auto listed = sessions.List(kAgent);
  ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].end_reason, kEndIdleTimeout);
  EXPECT_EQ((*listed)[0].ended_at, Now());
}

TEST_F(SessionStoreTest, IdleTimeoutAppliesToAccessTokensToo) {
  SessionOptions options;
  options.access_ttl_seconds = 3600;  // longer than the idle timeout, to isolate it
  SessionStore sessions = Store(options);
  auto tokens = sessions.Create(kAgent, Jkt("key-a"));
  ASSERT_OK(tokens);
  Advance(1800);
  auto idle = sessions.Authenticate(tokens->access_token.reveal(), Jkt("key-a"));
  EXPECT_THAT(idle, ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_EQ(idle.error().message(), "session ended: idle_timeout");
}

TEST_F(SessionStoreTest, ActivityCannotExtendTheAbsoluteLifetime) {
  SessionStore sessions = Store();
  auto tokens = sessions.Create(kAgent, Jkt("key-a"));
  ASSERT_OK(tokens);
  std::string refresh(tokens->refresh_token.reveal());
  std::string access(tokens->access_token.reveal());
  // Busy all day: a request every 5 minutes, a refresh every 10.
  while (Now() + 540 < kStart + 43200) {
    Advance(300);
    ASSERT_OK(sessions.Authenticate(access, Jkt("key-a")));
    Advance(240);
    auto next = sessions.Refresh(refresh, Jkt("key-a"));
    ASSERT_OK(next);
    EXPECT_LE(next->access_expires_at, kStart + 43200);
    EXPECT_LE(next->refresh_expires_at, kStart + 43200);
    refresh = next->refresh_token.reveal();
    access = next->access_token.reveal();
  }
  clock_.Set(TimePoint(std::chrono::seconds(kStart + 43200)));
  auto too_old = sessions.Authenticate(access, Jkt("key-a"));
  EXPECT_THAT(too_old, ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_THAT(sessions.Refresh(refresh, Jkt("key-a")), ErrorCodeIs(ErrorCode::kUnauthenticated));
  auto listed = sessions.List(kAgent);
  ASSERT_OK(listed);
  EXPECT_EQ((*listed)[0].end_reason, kEndExpired);
}

TEST_F(SessionStoreTest, StolenTokenWithAnotherKeyIsRefusedAndTheOwnerKeepsTheSession) {
  SessionStore sessions = Store();
  auto tokens = sessions.Create(kAgent, Jkt("key-a"));
  ASSERT_OK(tokens);
  auto stolen = sessions.Authenticate(tokens->access_token.reveal(), Jkt("attacker-key"));
  EXPECT_THAT(stolen, ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_EQ(stolen.error().message(), "DPoP key does not match the session's");
  EXPECT_THAT(sessions.Refresh(tokens->refresh_token.reveal(), Jkt("attacker-key")),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_OK(sessions.Authenticate(tokens->access_token.reveal(), Jkt("key-a")));
  EXPECT_OK(sessions.Refresh(tokens->refresh_token.reveal(), Jkt("key-a")));
}

TEST_F(SessionStoreTest, UnknownAndMalformedTokensAreRefused) {
  SessionStore sessions = Store();
  auto tokens = sessions.Create(kAgent, Jkt("key-a"));
  ASSERT_OK(tokens);
  BearerToken never_issued = BearerToken::Generate(TokenKind::kAccess);
  for (std::string_view token : {never_issued.reveal(), std::string_view(""),
                                 std::string_view("va_short"), tokens->refresh_token.reveal()}) {
    EXPECT_THAT(sessions.Authenticate(token, Jkt("key-a")),
                ErrorCodeIs(ErrorCode::kUnauthenticated));
  }
  EXPECT_THAT(sessions.Refresh(tokens->access_token.reveal(), Jkt("key-a")),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
}

TEST_F(SessionStoreTest, CreateRefusesBadInput) {
  SessionStore sessions = Store();
  EXPECT_THAT(sessions.Create(kAgent, ""), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(sessions.Create(kAgent, "not a thumbprint"),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(sessions.Create(kAgent, Jkt("a") + "x"), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(sessions.Create(999, Jkt("key-a")), ErrorCodeIs(ErrorCode::kNotFound));
  auto listed = sessions.List(kAgent);
  ASSERT_OK(listed);
  EXPECT_TRUE(listed->empty());
}

TEST_F(SessionStoreTest, NewLoginSupersedesTheOlderSession) {
  SessionStore sessions = Store();
  auto first = sessions.Create(kAgent, Jkt("key-a"));
  ASSERT_OK(first);
  auto other_agent = sessions.Create(kOtherAgent, Jkt("key-b"));
  ASSERT_OK(other_agent);
  Advance(10);
  auto second = sessions.Create(kAgent, Jkt("key-c"));
  ASSERT_OK(second);

  auto old = sessions.Authenticate(first->access_token.reveal(), Jkt("key-a"));
  EXPECT_THAT(old, ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_THAT(sessions.Refresh(first->refresh_token.reveal(), Jkt("key-a")),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_OK(sessions.Authenticate(second->access_token.reveal(), Jkt("key-c")));
  EXPECT_OK(sessions.Authenticate(other_agent->access_token.reveal(), Jkt("key-b")));

  auto listed = sessions.List(kAgent);
  ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, second->session_id);
  EXPECT_TRUE((*listed)[0].live());
  EXPECT_EQ((*listed)[1].id, first->session_id);
  EXPECT_EQ((*listed)[1].end_reason, kEndSuperseded);
  EXPECT_EQ((*listed)[1].ended_at, Now());
}

TEST_F(SessionStoreTest, SessionLimitIsConfigurable) {
  SessionOptions options;
  options.max_sessions_per_agent = 2;
  SessionStore sessions = Store(options);
  auto a = sessions.Create(kAgent, Jkt("key-a"));
  auto b = sessions.Create(kAgent, Jkt("key-b"));
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_OK(sessions.Authenticate(a->access_token.reveal(), Jkt("key-a")));
  auto c = sessions.Create(kAgent, Jkt("key-c"));
  ASSERT_OK(c);
  EXPECT_THAT(sessions.Authenticate(a->access_token.reveal(), Jkt("key-a")),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_OK(sessions.Authenticate(b->access_token.reveal(), Jkt("key-b")));
  EXPECT_OK(sessions.Authenticate(c->access_token.reveal(), Jkt("key-c")));
}

TEST_F(SessionStoreTest, RevocationTakesEffectOnTheNextRequestOnEveryConnection) {
  // Two connections, as two threads or two nodes sharing the database.
  auto other_db = OpenDb();
  ASSERT_NE(other_db, nullptr);
  SessionStore serving = Store();
  SessionStore administering(*other_db, clock_);
  auto tokens = serving.Create(kAgent, Jkt("key-a"));
  ASSERT_OK(tokens);
  ASSERT_OK(serving.Authenticate(tokens->access_token.reveal(), Jkt("key-a")));

  ASSERT_OK(administering.Revoke(tokens->session_id, "containment"));
  auto next = serving.Authenticate(tokens->access_token.reveal(), Jkt("key-a"));
  EXPECT_THAT(next, ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_THAT(serving.Refresh(tokens->refresh_token.reveal(), Jkt("key-a")),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
  auto listed = serving.List(kAgent);
  ASSERT_OK(listed);
  EXPECT_EQ((*listed)[0].end_reason, "containment");
}

TEST_F(SessionStoreTest, RevokeKeepsTheFirstReasonAndChecksItsInput) {
  SessionStore sessions = Store();
  auto tokens = sessions.Create(kAgent, Jkt("key-a"));
  ASSERT_OK(tokens);
  EXPECT_THAT(sessions.Revoke(tokens->session_id, ""), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(sessions.Revoke(tokens->session_id, "Bad Reason\n"),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(sessions.Revoke(tokens->session_id, std::string(65, 'a')),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(sessions.Revoke(12345, "suspended"), ErrorCodeIs(ErrorCode::kNotFound));
  EXPECT_OK(sessions.Authenticate(tokens->access_token.reveal(), Jkt("key-a")));

  ASSERT_OK(sessions.Revoke(tokens->session_id, "suspended"));
  Advance(5);
  ASSERT_OK(sessions.Revoke(tokens->session_id, "containment"));
  auto listed = sessions.List(kAgent);
  ASSERT_OK(listed);
  EXPECT_EQ((*listed)[0].end_reason, "suspended");
  EXPECT_EQ((*listed)[0].ended_at, kStart);
}

TEST_F(SessionStoreTest, LogoutEndsTheSession) {
  SessionStore sessions = Store();
  auto tokens = sessions.Create(kAgent, Jkt("key-a"));
  ASSERT_OK(tokens);
  ASSERT_OK(sessions.Logout(tokens->session_id));
  EXPECT_THAT(sessions.Authenticate(tokens->access_token.reveal(), Jkt("key-a")),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_THAT(sessions.Refresh(tokens->refresh_token.reveal(), Jkt("key-a")),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_OK(sessions.Logout(tokens->session_id));  // idempotent
  EXPECT_THAT(sessions.Logout(777), ErrorCodeIs(ErrorCode::kNotFound));
  auto listed = sessions.List(kAgent);
  ASSERT_OK(listed);
  EXPECT_EQ((*listed)[0].end_reason, kEndLogout);
  // Its tokens are gone from the database, not merely refused.
  auto count = db_->Prepare(
      "SELECT (SELECT count(*) FROM access_token) + (SELECT count(*) FROM refresh_token)");
  ASSERT_OK(count);
  ASSERT_TRUE(*(*count)->Step());
  EXPECT_EQ((*count)->ColumnInt(0), 0);
  ASSERT_OK((*count)->Run());
}

TEST_F(SessionStoreTest, RevokeAllForAgentEndsEveryLiveSessionOfThatAgentOnly) {
  SessionOptions options;
  options.max_sessions_per_agent = 3;
  SessionStore sessions = Store(options);
  auto a = sessions.Create(kAgent, Jkt("key-a"));
  auto b = sessions.Create(kAgent, Jkt("key-b"));
  auto other = sessions.Create(kOtherAgent, Jkt("key-c"));
  ASSERT_OK(a);
  ASSERT_OK(b);
  ASSERT_OK(other);
  ASSERT_OK(sessions.Logout(a->session_id));

  auto ended = sessions.RevokeAllForAgent(kAgent, "suspended");
  ASSERT_OK(ended);
  EXPECT_EQ(*ended, 1);  // a had already ended
  EXPECT_THAT(sessions.Authenticate(b->access_token.reveal(), Jkt("key-b")),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_OK(sessions.Authenticate(other->access_token.reveal(), Jkt("key-c")));
  EXPECT_THAT(sessions.RevokeAllForAgent(kAgent, "no spaces"),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  auto again = sessions.RevokeAllForAgent(kAgent, "suspended");
  ASSERT_OK(again);
  EXPECT_EQ(*again, 0);
}

// Inside the caller's transaction: its rollback (the status change that
// called for it failed) leaves the sessions live; its commit ends them.
TEST_F(SessionStoreTest, EndingAllInATransactionStandsOrFallsWithIt) {
  SessionStore sessions = Store();
  auto a = sessions.Create(kAgent, Jkt("key-a"));
  ASSERT_OK(a);
  {
    auto tx = store::Transaction::Begin(*db_);
    ASSERT_OK(tx);
    auto ended = sessions.EndAllForAgentInTransaction(kAgent, "suspended");
    ASSERT_OK(ended);
    EXPECT_EQ(*ended, 1);
  }  // rolled back
  EXPECT_OK(sessions.Authenticate(a->access_token.reveal(), Jkt("key-a")));
  auto tx = store::Transaction::Begin(*db_);
  ASSERT_OK(tx);
  ASSERT_OK(sessions.EndAllForAgentInTransaction(kAgent, "suspended"));
  ASSERT_OK(tx->Commit());
  EXPECT_THAT(sessions.Authenticate(a->access_token.reveal(), Jkt("key-a")),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
}

TEST_F(SessionStoreTest, LastSeenIsWrittenAtMostEveryThirtySeconds) {
  SessionStore sessions = Store();
  auto tokens = sessions.Create(kAgent, Jkt("key-a"));
  ASSERT_OK(tokens);
  Advance(29);
  auto early = sessions.Authenticate(tokens->access_token.reveal(), Jkt("key-a"));
  ASSERT_OK(early);
  EXPECT_EQ(early->last_seen_at, kStart);
  Advance(1);
  auto moved = sessions.Authenticate(tokens->access_token.reveal(), Jkt("key-a"));
  ASSERT_OK(moved);
  EXPECT_EQ(moved->last_seen_at, kStart + 30);
  auto listed = sessions.List(kAgent);
  ASSERT_OK(listed);
  EXPECT_EQ((*listed)[0].last_seen_at, kStart + 30);
}

// A peek (a check ahead of the request itself) refuses what a use refuses
// but writes nothing: last_seen stays, a lapsed session is not ended.
TEST_F(SessionStoreTest, APeekMovesNothingAndEndsNothing) {
  SessionOptions options;
  options.access_ttl_seconds = 3600;  // outlives the idle timeout
  SessionStore sessions = Store(options);
  auto tokens = sessions.Create(kAgent, Jkt("key-a"));
  ASSERT_OK(tokens);
  const std::string token(tokens->access_token.reveal());
  Advance(60);
  auto peeked = sessions.Authenticate(token, Jkt("key-a"), SessionStore::Access::kPeek);
  ASSERT_OK(peeked);
  EXPECT_THAT(sessions.Authenticate(token, Jkt("key-b"), SessionStore::Access::kPeek),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
  auto listed = sessions.List(kAgent);
  ASSERT_OK(listed);
  EXPECT_EQ((*listed)[0].last_seen_at, kStart) << "a peek is no activity";

  Advance(1800);
  EXPECT_THAT(sessions.Authenticate(token, Jkt("key-a"), SessionStore::Access::kPeek),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_EQ(sessions.LiveAccessSession(token).value_or(std::nullopt), tokens->session_id)
      << "lapsed, but not marked ended by a peek";
  auto used = sessions.Authenticate(token, Jkt("key-a"));
  EXPECT_THAT(used, ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_EQ(sessions.LiveAccessSession(token).value_or(0), std::nullopt) << "ended by a use";
}

TEST_F(SessionStoreTest, UseNoticeAcknowledgementIsRecordedOnce) {
  SessionStore sessions = Store();
  auto tokens = sessions.Create(kAgent, Jkt("key-a"));
  ASSERT_OK(tokens);
  Advance(3);
  // The hook (its audit event) refuses: the notice stays unacknowledged.
  EXPECT_THAT(sessions.AcknowledgeNotice(
                  tokens->session_id,
                  [] { return Fail(ErrorCode::kUnavailable, "the audit log is not writable"); }),
              ErrorCodeIs(ErrorCode::kUnavailable));
  auto refused = sessions.Authenticate(tokens->access_token.reveal(), Jkt("key-a"));
  ASSERT_OK(refused);
  EXPECT_FALSE(refused->notice_acknowledged());
  int hooked = 0;
  const auto hook = [&]() -> Result<void> {
    ++hooked;
    return {};
  };
  ASSERT_OK(sessions.AcknowledgeNotice(tokens->session_id, hook));
  Advance(3);
  ASSERT_OK(sessions.AcknowledgeNotice(tokens->session_id, hook));
  EXPECT_EQ(hooked, 1) << "a second acknowledgement is no new event";
  auto session = sessions.Authenticate(tokens->access_token.reveal(), Jkt("key-a"));
  ASSERT_OK(session);
  EXPECT_TRUE(session->notice_acknowledged());
  EXPECT_EQ(session->notice_acknowledged_at, kStart + 3);

  // A new session needs its own acknowledgement.
  auto next = sessions.Create(kAgent, Jkt("key-a"));
  ASSERT_OK(next);
  auto fresh = sessions.Authenticate(next->access_token.reveal(), Jkt("key-a"));
  ASSERT_OK(fresh);
  EXPECT_FALSE(fresh->notice_acknowledged());
  EXPECT_THAT(sessions.AcknowledgeNotice(tokens->session_id),
              ErrorCodeIs(ErrorCode::kUnauthenticated));  // superseded
  EXPECT_THAT(sessions.AcknowledgeNotice(4242), ErrorCodeIs(ErrorCode::kNotFound));
}

}  // namespace
}  // namespace vigie::session
