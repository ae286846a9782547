// What AuditTrail puts into events from the caller: text from the client is
// kept when it is clean UTF-8 and neutralised when it is not, so exports stay
// valid JSON and a SIEM never receives a forged line.

#include "app/audit_trail.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "app/internal/audited.h"
#include "audit/audit_event_codec.h"
#include "audit/audit_log_test_util.h"
#include "tests/support/matchers.h"

namespace vigie::app {
namespace {

class AuditTrailTest : public ::testing::Test {
 protected:
  audit::AuditEvent EventFor(std::string user_agent, std::string service_number = "GN-1") {
    Caller caller;
    caller.agent_id = 7;
    caller.service_number = std::move(service_number);
    caller.user_agent = std::move(user_agent);
    return trail_.For(caller, audit::AuditEventType::kSearch);
  }

  audit::testing::AuditLogFixture fixture_;
  std::unique_ptr<audit::AuditLog> log_ = fixture_.OpenLog();
  AuditTrail trail_{*log_, fixture_.SigningKey(), fixture_.clock()};
};

TEST_F(AuditTrailTest, CleanTextIsKeptAsSent) {
  EXPECT_EQ(EventFor("Mozilla/5.0 (X11) Vigie/1 \xc3\xa9t\xc3\xa9").user_agent,
            "Mozilla/5.0 (X11) Vigie/1 \xc3\xa9t\xc3\xa9");
}

TEST_F(AuditTrailTest, ControlCharactersAndBadUtf8BecomeQuestionMarks) {
  EXPECT_EQ(EventFor("probe\r\n<14>1 forged\x01").user_agent, "probe?" "?<14>1 forged?");
  EXPECT_EQ(EventFor("bad\xff\xfe utf8 \xc3\xa9").user_agent, "bad?" "? utf8 ?" "?");
  EXPECT_EQ(EventFor("", "GN-\n1").actor.service_number, "GN-?1");
}

// A subject read from a request's path, a user agent: a bidi override
// would make an investigator read "NEW-1" for what was stored reversed.
TEST_F(AuditTrailTest, BidiAndC1CharactersBecomeQuestionMarksTheRestIsKept) {
  EXPECT_EQ(EventFor("\xe2\x80\xaeNEW-1 \xc3\xa9").user_agent, "?NEW-1 \xc3\xa9");
  EXPECT_EQ(EventFor("a\xe2\x81\xa6"
                     "b\xe2\x81\xa9"
                     "c\xe2\x80\x8f"
                     "d")
                .user_agent,
            "a?b?c?d");
  EXPECT_EQ(EventFor("next\xc2\x85line \xe2\x80\xa8").user_agent, "next?line ?");
  const audit::AuditEvent event =
      trail_.Administration(Caller{}, audit::AuditEventType::kAgentSuspended,
                            "\xe2\x80\xae"
                            "A-1");
  EXPECT_EQ(event.subject, "?A-1");
}

// The sealed terms are what the search asked: a given name only of blanks
// is none to it, so none is recorded for the detection to read as given.
TEST_F(AuditTrailTest, TheSealedTermsHoldOnlyTheGivenNameTheSearchAsked) {
  auto terms_of = [&](std::string given_name) {
    audit::AuditEvent event = EventFor("ua");
    trail_.AddQuery(event, {"Martin", std::move(given_name), {1980, 1, 2}},
                    records::SearchScope::kEveryPerson);
    auto text = trail_.OpenTerms(event.query.sealed_terms);
    EXPECT_TRUE(text.has_value());
    return text ? *text : std::string();
  };
  EXPECT_EQ(terms_of(" \t "),
            R"({"surname":"Martin","birth_date":"1980-01-02","scope":"every_person"})");
  EXPECT_EQ(terms_of("J."), R"({"surname":"Martin","given_name":"J.","birth_date":"1980-01-02",)"
                            R"("scope":"every_person"})");
}

TEST_F(AuditTrailTest, LongTextIsCutOnACharacterBoundary) {
  std::string long_text(audit::kMaxAuditText - 1, 'a');
  long_text += "\xc3\xa9\xc3\xa9";
  const std::string kept = EventFor(long_text).user_agent;
  EXPECT_EQ(kept, std::string(audit::kMaxAuditText - 1, 'a'));
}

// The persons an investigation names are judged by detection as a search's
// are: each event reaches the observer with its sequence before the answer.
TEST_F(AuditTrailTest, EventsRecordedBeforeAnAnswerEachReachTheObserver) {
  std::vector<std::pair<uint64_t, size_t>> observed;  // sequence, persons named
  trail_.SetObserver(
      [&](const audit::AuditEvent& event) {
        observed.emplace_back(event.sequence, event.person_ids.size());
      },
      [](const audit::AuditEvent&) {});
  Caller caller;
  caller.agent_id = 9;
  caller.service_number = "SO-1";
  std::vector<audit::AuditEvent> events;
  for (size_t persons : {3u, 5u}) {
    audit::AuditEvent event =
        trail_.Administration(caller, audit::AuditEventType::kAuditSearch, "x");
    for (size_t i = 0; i < persons; ++i) event.person_ids.push_back(static_cast<int64_t>(i + 1));
    events.push_back(std::move(event));
  }
  ASSERT_TRUE(trail_.RecordAllBeforeAnswer(std::move(events)).has_value());
  const std::vector<std::pair<uint64_t, size_t>> expected{{0, 3}, {1, 5}};
  EXPECT_EQ(observed, expected);
  trail_.StopObserving();
}

// An event the log makes durable only after its confirmation's deadline: the
// request was refused, but the event is in the log, so detection must still
// judge it (a canary search refused for slowness is still a canary search).
// Refusals naming no agent cost their sender nothing: one address gets so
// many recorded a minute, the rest only counted; an agent's refusals, and
// other addresses', are all recorded.
TEST_F(AuditTrailTest, AnAddressGetsOnlySoManyRefusalsNamingNoAgentRecorded) {
  const Error refused(ErrorCode::kResourceExhausted, "too many attempts");
  auto anonymous = [&](std::string address) {
    return trail_.Unauthenticated(audit::AuditEventType::kLoginPasswordFailed, "NOBODY-1",
                                  Origin{.address = address, .user_agent = "flood"});
  };
  const int sent = AuditTrail::kAnonymousRefusalsBurst + 40;
  for (int i = 0; i < sent; ++i)
    trail_.RecordRefusal(anonymous("203.0.113.5"), refused, std::chrono::steady_clock::now());
  trail_.RecordRefusal(anonymous("198.51.100.9"), refused, std::chrono::steady_clock::now());
  audit::AuditEvent agents = EventFor("agent");
  agents.source_address = "203.0.113.5";
  trail_.RecordRefusal(std::move(agents), refused, std::chrono::steady_clock::now());
  auto events = log_->Find({.limit = 1000});
  ASSERT_OK(events);
  const auto from = [&](std::string_view address) {
    return std::ranges::count_if(*events, [&](const audit::AuditEvent& e) {
      return e.source_address == address && e.actor.agent_id == 0;
    });
  };
  EXPECT_EQ(from("203.0.113.5"), AuditTrail::kAnonymousRefusalsBurst);
  EXPECT_EQ(from("198.51.100.9"), 1);
  EXPECT_EQ(std::ranges::count_if(*events,
                                  [](const audit::AuditEvent& e) { return e.actor.agent_id == 7; }),
            1);
  EXPECT_EQ(trail_.refusals_not_recorded(), 40);
  // A minute on, the address is heard again.
  fixture_.clock().Advance(std::chrono::minutes(1));
  trail_.RecordRefusal(anonymous("203.0.113.5"), refused, std::chrono::steady_clock::now());
  auto later = log_->Find({.limit = 1000});
  ASSERT_OK(later);
  EXPECT_EQ(later->size(), events->size() + 1);
  // A password the login did check has a budget of its own: throttled
  // attempts must not hide a spray's real guesses, nor are those unbounded.
  for (int i = 0; i < sent; ++i)
    trail_.RecordRefusal(anonymous("203.0.113.5"), refused, std::chrono::steady_clock::now());
  const Error wrong(ErrorCode::kUnauthenticated, "authentication failed");
  for (int i = 0; i < sent; ++i)
    trail_.RecordRefusal(anonymous("203.0.113.5"), wrong, std::chrono::steady_clock::now());
  auto checked = log_->Find({.limit = 1000});
  ASSERT_OK(checked);
  EXPECT_EQ(std::ranges::count_if(*checked,
                                  [](const audit::AuditEvent& e) {
                                    return e.refusal_code ==
                                           ErrorCodeName(ErrorCode::kUnauthenticated);
                                  }),
            AuditTrail::kAnonymousRefusalsBurst);
}

// The refusal that locks an account and its lock-out go into the log
// together, whatever the address's budget of anonymous refusals (spent
// here by a flood): the lock is what investigators look for.
TEST_F(AuditTrailTest, ARefusalAndTheLockItMadeAreRecordedTogether) {
  const Error refused(ErrorCode::kUnauthenticated, "authentication failed");
  const Origin origin{.address = "203.0.113.5", .user_agent = "guesser"};
  for (int i = 0; i < AuditTrail::kAnonymousRefusalsBurst + 5; ++i) {
    trail_.RecordRefusal(
        trail_.Unauthenticated(audit::AuditEventType::kLoginPasswordFailed, "PN-1", origin),
        refused, std::chrono::steady_clock::now());
  }
  const size_t before = log_->Find({.limit = 1000})->size();
  audit::AuditEvent lockout =
      trail_.Unauthenticated(audit::AuditEventType::kLockout, "PN-1", origin);
  lockout.actor.agent_id = 7;
  trail_.RecordRefusalWith(
      trail_.Unauthenticated(audit::AuditEventType::kLoginPasswordFailed, "PN-1", origin), refused,
      std::move(lockout), std::chrono::steady_clock::now());
  auto events = log_->Find({.limit = 1000});
  ASSERT_OK(events);
  ASSERT_EQ(events->size(), before + 2);
  const audit::AuditEvent& refusal = (*events)[events->size() - 2];
  EXPECT_EQ(refusal.type, audit::AuditEventType::kLoginPasswordFailed);
  EXPECT_EQ(refusal.outcome, audit::AuditOutcome::kRefused);
  EXPECT_EQ(refusal.refusal_code, ErrorCodeName(ErrorCode::kUnauthenticated));
  EXPECT_EQ(events->back().type, audit::AuditEventType::kLockout);
  EXPECT_EQ(events->back().actor.agent_id, 7);
}

TEST(AuditTrailLateTest, AnEventDurableAfterItsDeadlineGoesToTheLateObserver) {
  audit::testing::AuditLogFixture fixture;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  audit::AuditLogOptions options = fixture.Options();
  // Ample for the first event's commit on a loaded machine.
  options.max_wait = std::chrono::seconds(1);
  options.checkpoint_every_events = 1;
  // On the writer thread once the first event's caller is told: holds the
  // writer, and so the second event's answer past its deadline, until the
  // test lets it go.
  options.checkpoint_sink = [released](const audit::Checkpoint&) { released.wait(); };
  std::unique_ptr<audit::AuditLog> log = fixture.OpenLog(options);
  AuditTrail trail(*log, fixture.SigningKey(), fixture.clock());
  // Let the writer go however the test ends, or the log's destructor (run
  // after this one's) waits; the observers below are gone by then.
  struct Releaser {
    std::promise<void>& release;
    AuditTrail& trail;
    bool done = false;
    void operator()() {
      if (!done) release.set_value();
      done = true;
    }
    ~Releaser() {
      trail.StopObserving();
      (*this)();
    }
  } releaser{release, trail};

  std::mutex mutex;
  std::condition_variable seen;
  std::vector<uint64_t> on_time;
  std::vector<uint64_t> late;
  trail.SetObserver(
      [&](const audit::AuditEvent& event) {
        std::lock_guard lock(mutex);
        on_time.push_back(event.sequence);
      },
      [&](const audit::AuditEvent& event) {
        std::lock_guard lock(mutex);
        late.push_back(event.sequence);
        seen.notify_all();
      });
  Caller caller;
  caller.agent_id = 7;
  caller.service_number = "GN-1";
  // Told before the checkpoint's copies are made: on time.
  ASSERT_OK(trail
                .RecordAsync(trail.For(caller, audit::AuditEventType::kSearch),
                             std::chrono::steady_clock::now())
                ->Wait());
  std::shared_ptr<Confirmation> durable = trail.RecordAsync(
      trail.For(caller, audit::AuditEventType::kSearch), std::chrono::steady_clock::now());
  Result<void> outcome = durable->Wait();
  ASSERT_FALSE(outcome.has_value());
  EXPECT_EQ(outcome.error().code(), ErrorCode::kUnavailable);
  releaser();

  std::unique_lock lock(mutex);
  ASSERT_TRUE(seen.wait_for(lock, std::chrono::seconds(30), [&] { return !late.empty(); }));
  EXPECT_EQ(late, std::vector<uint64_t>{1});  // the second event
  EXPECT_EQ(on_time, std::vector<uint64_t>{0});
  lock.unlock();
  // The refused request's event is in the log, and after it the log's own
  // record that an event was written after its caller was refused.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (log->stats().size < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto events = log->Find({.limit = 10});
  ASSERT_OK(events);
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[1].type, audit::AuditEventType::kSearch);
  EXPECT_EQ((*events)[2].type, audit::AuditEventType::kAuditLogResumed);
  EXPECT_TRUE((*events)[2].subject.ends_with(" refused_events=0 late_events=1"))
      << (*events)[2].subject;
}

// A waiter that goes away before its confirmation is answered (a client
// that hung up, a connection cut at shutdown) never runs the detection
// step: the event is in the log all the same, so it reaches detection on
// the late path. Detection heard of it as soon as it was durable.
// What the observers were called with, "<observer> <sequence>" in call
// order, from whichever thread calls them.
class ObserverCalls {
 public:
  AuditTrail::Observer Note(std::string what) {
    return [this, what](const audit::AuditEvent& event) {
      std::lock_guard lock(mutex_);
      calls_.push_back(what + " " + std::to_string(event.sequence));
      seen_.notify_all();
    };
  }
  std::vector<std::string> Now() {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  // The calls once there are `count` of them (fewer after 30 s).
  std::vector<std::string> Await(size_t count) {
    std::unique_lock lock(mutex_);
    seen_.wait_for(lock, std::chrono::seconds(30), [&] { return calls_.size() >= count; });
    return calls_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable seen_;
  std::vector<std::string> calls_;
};

TEST_F(AuditTrailTest, AnEventWhoseWaiterWentAwayReachesTheLateObserver) {
  ObserverCalls calls;
  trail_.SetObserver(calls.Note("on time"), calls.Note("late"), calls.Note("durable"));
  ASSERT_TRUE(trail_.Record(EventFor("kept"), std::chrono::steady_clock::now()).has_value());
  // Dropped at once: nobody waits for this one.
  (void)trail_.RecordAsync(EventFor("dropped"), std::chrono::steady_clock::now());
  EXPECT_EQ(calls.Await(4),
            (std::vector<std::string>{"durable 0", "on time 0", "durable 1", "late 1"}));
  trail_.StopObserving();
}

// An event recorded inside a transaction is judged once the transaction
// has ended: detection's response writes, and would wait on its locks. The
// hook of a transaction retried on a conflict records again; the earlier
// event's judgement then goes to the late path, not into the retry.
TEST_F(AuditTrailTest, AnEventRecordedBeforeACommitIsJudgedOnceTheTransactionHasEnded) {
  ObserverCalls calls;
  trail_.SetObserver(calls.Note("judged"), calls.Note("late"));
  {
    internal::JudgedAfterCommit recorded(trail_);
    auto transaction = [&]() -> Result<void> {  // as the act's hook, before its commit
      return recorded.Record(EventFor("in a transaction"), std::chrono::steady_clock::now());
    };
    ASSERT_OK(transaction());
    EXPECT_TRUE(calls.Now().empty()) << "judged inside the transaction";
    ASSERT_OK(transaction());  // retried after a conflict
    EXPECT_EQ(calls.Await(1), std::vector<std::string>{"late 0"});
    recorded.Judge();
    EXPECT_EQ(calls.Now(), (std::vector<std::string>{"late 0", "judged 1"}));
    recorded.Judge();  // once only
  }
  EXPECT_EQ(calls.Now().size(), 2u);
  trail_.StopObserving();
}

// While the log is failing, an act recording inside its transaction is
// refused at once, its event not even queued: waiting max_wait for a
// refusal would hold the transaction's locks that long, for every such act
// (refreshes, logins) during an outage.
TEST(AuditTrailOutageTest, WhileTheLogIsFailingAnEventBeforeACommitIsRefusedUntried) {
  audit::testing::AuditLogFixture fixture;
  audit::AuditLogOptions options = fixture.Options();
  options.checkpoint_every_events = 1'000'000;
  options.recovery_probe_every = std::chrono::hours(1);  // failing until the next append
  std::unique_ptr<audit::AuditLog> log = fixture.OpenLog(options);
  AuditTrail trail(*log, fixture.SigningKey(), fixture.clock());
  Caller caller;
  caller.agent_id = 7;
  caller.service_number = "GN-1";
  const auto event = [&] { return trail.For(caller, audit::AuditEventType::kRefresh); };
  ASSERT_OK(trail.Record(event(), std::chrono::steady_clock::now()));
  auto db = fixture.RawDatabase();
  ASSERT_OK(db->ExecuteScript(audit::testing::RefuseInsertsSql(*db)));
  EXPECT_FALSE(trail.Record(event(), std::chrono::steady_clock::now()).has_value());
  ASSERT_TRUE(log->stats().failing);
  const uint64_t tried = log->stats().failed_commits;

  auto refused = trail.RecordBeforeCommit(event(), std::chrono::steady_clock::now());
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(log->stats().failed_commits, tried) << "queued and tried";

  ASSERT_OK(db->ExecuteScript(audit::testing::AcceptInsertsSql(*db)));
  ASSERT_OK(trail.Record(event(), std::chrono::steady_clock::now()));
  EXPECT_FALSE(log->stats().failing);
  EXPECT_TRUE(trail.RecordBeforeCommit(event(), std::chrono::steady_clock::now()).has_value());
}

}  // namespace
}  // namespace vigie::app
