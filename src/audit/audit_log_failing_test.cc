// The audit log fails closed and recovers by itself: a full disk, a database
// that refuses or hangs, an outage a restart cuts short, another writer's
// commit in the way.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "audit/audit_event_codec.h"
#include "audit/audit_log.h"
#include "audit/audit_log_test_util.h"
#include "audit/audit_verifier.h"
#include "audit/log_tables.h"
#include "audit/outage_mark.h"

namespace vigie::audit {
namespace {

using testing::AuditLogFixture;
using testing::SearchEvent;

// The audit_log_resumed event at `sequence`, written by the log itself,
// counting `refused` events refused during the outage and `late` events
// written after their callers were refused.
void ExpectOutageRecordedAt(const AuditLog& log, uint64_t sequence, uint64_t refused,
                            bool restarted = false, uint64_t late = 0) {
  auto found = log.Find(EventFilter{.after_sequence = sequence, .limit = 1});
  ASSERT_TRUE(found.has_value() && found->size() == 1u);
  const AuditEvent& outage = found->front();
  EXPECT_EQ(outage.sequence, sequence);
  EXPECT_EQ(outage.type, AuditEventType::kAuditLogResumed);
  EXPECT_EQ(outage.actor.agent_id, 0);
  EXPECT_EQ(outage.actor.service_number, "vigie-audit");
  EXPECT_TRUE(outage.subject.starts_with("failing_since_us=")) << outage.subject;
  EXPECT_TRUE(outage.subject.ends_with(
      " refused_events=" + std::to_string(refused) + (restarted ? " restarted=1" : "") +
      (late > 0 ? " late_events=" + std::to_string(late) : std::string())))
      << outage.subject;
}

TEST(AuditLogTest, FailsClosedPromptlyWhenFullAndResumesWhenThereIsRoom) {
  AuditLogFixture fixture;
  if (fixture.backend() == store::testing::Backend::kPostgres) {
    GTEST_SKIP() << "the size cap is SQLite's; PostgreSQL's refusal is the next test";
  }
  AuditLogOptions options = fixture.Options();
  options.max_size_mib = 1;
  options.checkpoint_every_events = 1'000'000;           // no checkpoint-only commit in between
  options.recovery_probe_every = std::chrono::hours(1);  // resumed by the next append
  auto log = fixture.OpenLog(options);
  AuditEvent bulky = SearchEvent(1, {});
  bulky.user_agent = std::string(kMaxAuditText, 'u');
  bulky.purpose = std::string(kMaxAuditText, 'p');
  std::optional<Error> refusal;
  uint64_t accepted = 0;
  for (int i = 0; i < 5000 && !refusal; ++i) {
    auto started = std::chrono::steady_clock::now();
    auto appended = log->Append(bulky);
    if (appended) {
      ++accepted;
      continue;
    }
    refusal = appended.error();
    // Failing closed must not mean hanging (a correctness bound, not a speed target).
    EXPECT_LT(std::chrono::steady_clock::now() - started,
              options.max_wait + std::chrono::seconds(1));
  }
  ASSERT_TRUE(refusal.has_value()) << "the 1 MiB cap was never reached";
  EXPECT_EQ(refusal->code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(log->stats().failing);
  EXPECT_EQ(log->stats().size, accepted);

  log->SetMaxSizeMib(0);
  auto resumed = log->Append(SearchEvent(2, {}));
  ASSERT_TRUE(resumed.has_value()) << resumed.error().message();
  EXPECT_EQ(*resumed, accepted + 1);  // after the outage's own record
  EXPECT_FALSE(log->stats().failing);
  ExpectOutageRecordedAt(*log, accepted, 1);

  log.reset();
  auto db = fixture.RawDatabase();
  auto report = VerifyAuditLog(*db, [&](uint32_t id) { return fixture.KeyById(id); }, {});
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->events, accepted + 2);
}

// The database refuses every write (a full disk on a server, a failing
// server): refused within a bound, not hung; resumes once writes pass again.
TEST(AuditLogTest, FailsClosedWhenTheDatabaseRefusesAndResumes) {
  AuditLogFixture fixture;
  AuditLogOptions options = fixture.Options();
  options.checkpoint_every_events = 1'000'000;
  options.recovery_probe_every = std::chrono::hours(1);  // resumed by the next append
  auto log = fixture.OpenLog(options);
  ASSERT_TRUE(log->Append(SearchEvent(1, {})).has_value());
  auto db = fixture.RawDatabase();
  ASSERT_TRUE(db->ExecuteScript(testing::RefuseInsertsSql(*db)).has_value());
  auto started = std::chrono::steady_clock::now();
  auto refused = log->Append(SearchEvent(2, {}));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), ErrorCode::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - started, options.max_wait + std::chrono::seconds(1));
  EXPECT_TRUE(log->stats().failing);

  ASSERT_TRUE(db->ExecuteScript(testing::AcceptInsertsSql(*db)).has_value());
  auto resumed = log->Append(SearchEvent(3, {}));
  ASSERT_TRUE(resumed.has_value()) << resumed.error().message();
  // No gap: the refused event took no number; the outage's record took 1.
  EXPECT_EQ(*resumed, 2u);
  EXPECT_FALSE(log->stats().failing);
  ExpectOutageRecordedAt(*log, 1, 1);
  log.reset();
  auto report = VerifyAuditLog(*db, [&](uint32_t id) { return fixture.KeyById(id); }, {});
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->events, 3u);
}

// Nobody appends while the log fails (a balancer took the node out: its
// readiness follows stats().failing): the writer finds out by itself that
// the log is writable again, and records the outage.
TEST(AuditLogTest, AnIdleFailingLogRecoversByItselfAndRecordsTheOutage) {
  AuditLogFixture fixture;
  AuditLogOptions options = fixture.Options();
  options.checkpoint_every_events = 1'000'000;
  options.recovery_probe_every = std::chrono::milliseconds(50);
  auto log = fixture.OpenLog(options);
  ASSERT_TRUE(log->Append(SearchEvent(1, {})).has_value());
  auto db = fixture.RawDatabase();
  ASSERT_TRUE(db->ExecuteScript(testing::RefuseInsertsSql(*db)).has_value());
  for (int i = 0; i < 2; ++i) ASSERT_FALSE(log->Append(SearchEvent(2, {})).has_value());
  EXPECT_TRUE(log->stats().failing);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // probes fail meanwhile
  EXPECT_TRUE(log->stats().failing);
  EXPECT_EQ(log->stats().size, 1u);

  ASSERT_TRUE(db->ExecuteScript(testing::AcceptInsertsSql(*db)).has_value());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (log->stats().failing && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_FALSE(log->stats().failing) << "recovered without any append";
  EXPECT_EQ(log->stats().size, 2u);
  ExpectOutageRecordedAt(*log, 1, 2);
  log.reset();
  auto report = VerifyAuditLog(*db, [&](uint32_t id) { return fixture.KeyById(id); }, {});
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok) << report->problem;
}

// The process ends in the middle of an outage (a crash, a kill, an operator's
// restart): the outage is remembered outside the database, survives further
// restarts that still fail, and is recorded - once - by the first process
// that writes the log again, without waiting for a consultation.
TEST(AuditLogTest, AnOutageARestartCutsShortIsRecordedOnceTheLogIsWrittenAgain) {
  AuditLogFixture fixture;
  AuditLogOptions options = fixture.Options();
  options.checkpoint_every_events = 1'000'000;
  options.recovery_probe_every = std::chrono::milliseconds(50);
  options.outage_mark = fixture.dir() / "audit-outage.mark";
  auto db = fixture.RawDatabase();
  const int64_t since = std::chrono::duration_cast<std::chrono::microseconds>(
                            fixture.clock().Now().time_since_epoch())
                            .count();
  {
    auto log = fixture.OpenLog(options);
    ASSERT_TRUE(log->Append(SearchEvent(1, {})).has_value());
    EXPECT_FALSE(std::filesystem::exists(options.outage_mark)) << "no outage, no mark";
    ASSERT_TRUE(db->ExecuteScript(testing::RefuseInsertsSql(*db)).has_value());
    for (int i = 0; i < 2; ++i) ASSERT_FALSE(log->Append(SearchEvent(2, {})).has_value());
    auto mark = ReadOutageMark(options.outage_mark);
    ASSERT_TRUE(mark.has_value() && mark->has_value()) << "on disk before the refusal is told";
    EXPECT_EQ(**mark, (OutageMark{.failing_since_unix_micros = since, .refused = 2}));
  }
  fixture.clock().Advance(std::chrono::minutes(5));
  {
    // Restarted while the log still fails: the outage goes on from when it began.
    auto log = fixture.OpenLog(options);
    ASSERT_FALSE(log->Append(SearchEvent(3, {})).has_value());
  }
  auto mark = ReadOutageMark(options.outage_mark);
  ASSERT_TRUE(mark.has_value() && mark->has_value());
  EXPECT_EQ(**mark, (OutageMark{.failing_since_unix_micros = since, .refused = 3}));

  ASSERT_TRUE(db->ExecuteScript(testing::AcceptInsertsSql(*db)).has_value());
  {
    auto log = fixture.OpenLog(options);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (log->stats().size < 2 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_EQ(log->stats().size, 2u) << "recorded at once, without any append";
    ExpectOutageRecordedAt(*log, 1, 3, /*restarted=*/true);
    auto found = log->Find(EventFilter{.after_sequence = 1, .limit = 1});
    ASSERT_TRUE(found.has_value() && found->size() == 1u);
    EXPECT_TRUE(
        found->front().subject.starts_with("failing_since_us=" + std::to_string(since) + " "))
        << found->front().subject;
    EXPECT_FALSE(std::filesystem::exists(options.outage_mark)) << "recorded, so forgotten";
  }
  auto log = fixture.OpenLog(options);
  auto next = log->Append(SearchEvent(4, {}));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, 2u) << "the outage is recorded once";
  log.reset();
  auto report = VerifyAuditLog(*db, [&](uint32_t id) { return fixture.KeyById(id); }, {});
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok) << report->problem;
}

// A process stopped between an outage's record and its mark's removal
// leaves the mark behind: the next start finds the record in the log and
// does not write a second one. The mark of another outage is recorded.
TEST(AuditLogTest, AMarkLeftBehindByItsRecordIsNotRecordedTwice) {
  AuditLogFixture fixture;
  AuditLogOptions options = fixture.Options();
  options.checkpoint_every_events = 1'000'000;
  options.recovery_probe_every = std::chrono::milliseconds(50);
  options.outage_mark = fixture.dir() / "audit-outage.mark";
  auto db = fixture.RawDatabase();
  OutageMark left;
  {
    auto log = fixture.OpenLog(options);
    ASSERT_TRUE(log->Append(SearchEvent(1, {})).has_value());
    ASSERT_TRUE(db->ExecuteScript(testing::RefuseInsertsSql(*db)).has_value());
    ASSERT_FALSE(log->Append(SearchEvent(2, {})).has_value());
    auto mark = ReadOutageMark(options.outage_mark);
    ASSERT_TRUE(mark.has_value() && mark->has_value());
    left = **mark;
    ASSERT_TRUE(db->ExecuteScript(testing::AcceptInsertsSql(*db)).has_value());
    auto sequence = log->Append(SearchEvent(3, {}));
    ASSERT_TRUE(sequence.has_value());
    EXPECT_EQ(*sequence, 2u);
    ExpectOutageRecordedAt(*log, 1, 1);
  }
  ASSERT_TRUE(WriteOutageMark(options.outage_mark, left).has_value()) << "as if never removed";
  {
    auto log = fixture.OpenLog(options);
    EXPECT_FALSE(std::filesystem::exists(options.outage_mark)) << "forgotten at the start";
    auto next = log->Append(SearchEvent(4, {}));
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(*next, 3u) << "the outage is not recorded a second time";
  }
  OutageMark another = left;  // began a microsecond earlier: its record would be read
  another.failing_since_unix_micros -= 1;
  ASSERT_TRUE(WriteOutageMark(options.outage_mark, another).has_value());
  auto log = fixture.OpenLog(options);
  auto next = log->Append(SearchEvent(5, {}));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, 5u) << "another outage is recorded";
  ExpectOutageRecordedAt(*log, 4, 1, /*restarted=*/true);
  EXPECT_FALSE(std::filesystem::exists(options.outage_mark));
  log.reset();

  // The first outage's figures, but on another node: that node's record
  // is not this one's.
  ASSERT_TRUE(WriteOutageMark(options.outage_mark, left).has_value());
  options.node_id = "another-node";
  log = fixture.OpenLog(options);
  next = log->Append(SearchEvent(6, {}));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, 7u) << "recorded on this node";
  ExpectOutageRecordedAt(*log, 6, 1, /*restarted=*/true);
}

// A mark that cannot be read still says an outage was under way: it is
// recorded without its figures rather than forgotten.
TEST(AuditLogTest, AnUnreadableOutageMarkIsRecordedWithoutItsFigures) {
  AuditLogFixture fixture;
  AuditLogOptions options = fixture.Options();
  options.outage_mark = fixture.dir() / "audit-outage.mark";
  std::ofstream(options.outage_mark) << "half a mark";
  auto log = fixture.OpenLog(options);
  auto sequence = log->Append(SearchEvent(1, {}));
  ASSERT_TRUE(sequence.has_value());
  EXPECT_EQ(*sequence, 1u);
  auto found = log->Find(EventFilter{.after_sequence = 0, .limit = 1});
  ASSERT_TRUE(found.has_value() && found->size() == 1u);
  EXPECT_EQ(found->front().type, AuditEventType::kAuditLogResumed);
  EXPECT_EQ(found->front().subject, "failing_since_us=0 refused_events=0 restarted=1");
  EXPECT_FALSE(std::filesystem::exists(options.outage_mark));
}

// A database that hangs rather than fails (a lost synchronous standby,
// stalled storage): the callers are refused after max_wait, and the log
// says it is failing - readiness, metrics - until it answers again. Then it
// records the stall itself: when it began, and how many events came in
// after their callers were refused.
TEST(AuditLogTest, ALogThatKeepsEventsWaitingIsFailingUntilItAnswers) {
  AuditLogFixture fixture;
  AuditLogOptions options = fixture.Options();
  options.max_wait = std::chrono::milliseconds(200);
  options.checkpoint_every_events = 1'000'000;
  auto log = fixture.OpenLog(options);
  EXPECT_FALSE(log->stats().failing);
  auto db = fixture.RawDatabase();
  // Each insert takes a second or two, then succeeds.
  if (db->dialect() == store::Dialect::kPostgres) {
    ASSERT_TRUE(
        db->ExecuteScript("CREATE FUNCTION stall() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                          "PERFORM pg_sleep(2); RETURN NEW; END $$; CREATE TRIGGER stall BEFORE "
                          "INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION stall();")
            .has_value());
  } else {
    ASSERT_TRUE(
        db->ExecuteScript(
              "CREATE TABLE stall_rows (x INTEGER); "
              "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 250) "
              "INSERT INTO stall_rows SELECT x FROM n; "
              "CREATE TRIGGER stall BEFORE INSERT ON audit_event BEGIN SELECT count(*) "
              "FROM stall_rows a, stall_rows b, stall_rows c WHERE a.x + b.x + c.x > 0; END;")
            .has_value());
  }
  const int64_t before_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                fixture.clock().Now().time_since_epoch())
                                .count();
  auto refused = log->Append(SearchEvent(2, {}));
  ASSERT_FALSE(refused.has_value()) << "a stall of a second or two outlasts max_wait";
  EXPECT_EQ(refused.error().code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(log->stats().failing) << "the event is still waiting";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  auto settled = [&] { return log->stats().size == 2 && !log->stats().failing; };
  while (!settled() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(log->stats().size, 2u) << "the stalled commit went through in the end, then its record";
  EXPECT_FALSE(log->stats().failing) << "nothing waits any more";
  EXPECT_EQ(log->stats().failed_commits, 0u) << "no commit failed: it hung";
  auto stalled = log->Find(EventFilter{.limit = 1});
  ASSERT_TRUE(stalled.has_value() && stalled->size() == 1u);
  EXPECT_EQ(stalled->front().type, AuditEventType::kSearch) << "the late event is in the log";
  ExpectOutageRecordedAt(*log, 1, /*refused=*/0, /*restarted=*/false, /*late=*/1);
  auto record = log->Find(EventFilter{.after_sequence = 1, .limit = 1});
  ASSERT_TRUE(record.has_value() && record->size() == 1u);
  // The fixture's clock stands still: the record dates the stall back from
  // it by how long the event had been overdue when it was written.
  const int64_t since = std::stoll(record->front().subject.substr(17));
  EXPECT_LT(since, before_us) << record->front().subject;
  EXPECT_GT(since, before_us - 30'000'000) << record->front().subject;
}

// A log that answers in time records no stall.
TEST(AuditLogTest, EventsWrittenInTimeRecordNoOutage) {
  AuditLogFixture fixture;
  AuditLogOptions options = fixture.Options();
  options.checkpoint_every_events = 1'000'000;
  auto log = fixture.OpenLog(options);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(log->Append(SearchEvent(2, {})).has_value());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(log->stats().size, 5u);
  auto types = log->Find(EventFilter{.type = AuditEventType::kAuditLogResumed});
  ASSERT_TRUE(types.has_value());
  EXPECT_TRUE(types->empty());
}

// Another writer's commit holds the append lock longer than a consultation
// may wait (a loaded database): opening the log, which no one waits on,
// waits for it rather than fail. The hold is five times the wait, and the
// wait long enough for the append after it on a loaded, sanitised build.
TEST(AuditLogTest, OpeningWaitsForAnotherWritersCommit) {
  AuditLogFixture fixture;
  AuditLogOptions options = fixture.Options();
  options.max_wait = std::chrono::milliseconds(400);
  fixture.OpenLog(options).reset();  // the tables exist
  auto other = fixture.RawDatabase();
  // The append lock is PostgreSQL's; on SQLite the other writer holds the
  // database's write lock (the append lock takes nothing there).
  const bool postgres = other->dialect() == store::Dialect::kPostgres;
  std::optional<AppendLock> held;
  if (postgres) {
    if (auto taken = AppendLock::Take(*other); taken) held.emplace(std::move(*taken));
    ASSERT_TRUE(held.has_value());
  } else {
    ASSERT_TRUE(other->ExecuteScript("BEGIN IMMEDIATE").has_value());
  }
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(2000));
    if (postgres) {
      held.reset();
    } else {
      EXPECT_TRUE(other->ExecuteScript("COMMIT").has_value());
    }
  });
  auto log = AuditLog::Open(options, fixture.SigningKey(), fixture.clock());
  release.join();
  ASSERT_TRUE(log.has_value()) << log.error().message();
  EXPECT_TRUE((*log)->Append(SearchEvent(1, {})).has_value());
}

}  // namespace
}  // namespace vigie::audit
