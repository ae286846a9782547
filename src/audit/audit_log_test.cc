#include "audit/audit_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <set>
#include <thread>

#include "audit/audit_event_codec.h"
#include "audit/audit_log_test_util.h"
#include "audit/audit_verifier.h"
#include "audit/hash_chain.h"
#include "audit/log_tables.h"
#include "audit/outage_mark.h"
#include "audit/person_index.h"

namespace vigie::audit {
namespace {

using testing::AuditLogFixture;
using testing::LiftAppendOnlyGuards;
using testing::ZeroHashSql;
using testing::SearchEvent;

int64_t CountRows(store::Connection& db, std::string_view sql) {
  auto row = db.Prepare(sql);
  EXPECT_TRUE(row.has_value());
  auto more = (*row)->Step();
  EXPECT_TRUE(more.has_value() && *more);
  return (*row)->ColumnInt(0);
}

// The audit_log_resumed event at `sequence`, written by the log itself,
// counting `refused` events refused during the outage.
void ExpectOutageRecordedAt(const AuditLog& log, uint64_t sequence, uint64_t refused,
                            bool restarted = false) {
  auto found = log.Find(EventFilter{.after_sequence = sequence, .limit = 1});
  ASSERT_TRUE(found.has_value() && found->size() == 1u);
  const AuditEvent& outage = found->front();
  EXPECT_EQ(outage.sequence, sequence);
  EXPECT_EQ(outage.type, AuditEventType::kAuditLogResumed);
  EXPECT_EQ(outage.actor.agent_id, 0);
  EXPECT_EQ(outage.actor.service_number, "vigie-audit");
  EXPECT_TRUE(outage.subject.starts_with("failing_since_us=")) << outage.subject;
  EXPECT_TRUE(outage.subject.ends_with(" refused_events=" + std::to_string(refused) +
                                       (restarted ? " restarted=1" : "")))
      << outage.subject;
}

TEST(AuditLogTest, NumbersEventsAndKeepsThemAcrossRestarts) {
  AuditLogFixture fixture;
  {
    auto log = fixture.OpenLog();
    for (uint64_t i = 0; i < 3; ++i) {
      auto sequence = log->Append(SearchEvent(1, {100 + static_cast<int64_t>(i)}));
      ASSERT_TRUE(sequence.has_value()) << sequence.error().message();
      EXPECT_EQ(*sequence, i);
    }
  }
  auto log = fixture.OpenLog();
  auto sequence = log->Append(SearchEvent(2, {}));
  ASSERT_TRUE(sequence.has_value());
  EXPECT_EQ(*sequence, 3u);

  auto db = fixture.RawDatabase();
  EXPECT_EQ(CountRows(*db, "SELECT count(*) FROM audit_event"), 4);
  auto row = db->Prepare("SELECT event FROM audit_event WHERE sequence = 1");
  ASSERT_TRUE(row.has_value() && (*row)->Step().value_or(false));
  auto stored = DecodeAuditEvent((*row)->ColumnBlob(0));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->sequence, 1u);
  EXPECT_EQ(stored->person_ids, std::vector<int64_t>{101});
  EXPECT_EQ(stored->node_id, "vigie");  // the log's, since the event named none
  // Closing the first log issued a checkpoint covering its three events.
  auto checkpoints = ReadCheckpoints(*db);
  ASSERT_TRUE(checkpoints.has_value());
  ASSERT_FALSE(checkpoints->empty());
  EXPECT_EQ(checkpoints->front().tree_size, 3u);
  // "Who consulted this person" has its index row.
  EXPECT_EQ(IndexedAccessesOf(*db, 102).value_or(IndexedAccesses{}).sequences,
            std::vector<uint64_t>{2});
}

TEST(AuditLogTest, ConcurrentAppendsGetEveryNumberOnceAndShareCommits) {
  AuditLogFixture fixture;
  auto log = fixture.OpenLog();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 150;
  std::vector<std::vector<uint64_t>> numbers(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto sequence = log->Append(SearchEvent(t + 1, {i}));
        if (sequence) numbers[t].push_back(*sequence);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<uint64_t> all;
  for (const auto& mine : numbers) {
    EXPECT_EQ(mine.size(), static_cast<size_t>(kPerThread));
    EXPECT_TRUE(std::is_sorted(mine.begin(), mine.end()));  // each thread's in its order
    all.insert(mine.begin(), mine.end());
  }
  ASSERT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(*all.rbegin(), static_cast<uint64_t>(kThreads * kPerThread - 1));
  AuditLogStats stats = log->stats();
  EXPECT_EQ(stats.size, static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_LE(stats.commits, stats.size);
  EXPECT_FALSE(stats.failing);
}

// A witness line whose tree size is no count is refused, whatever follows
// it (a later good number once hid the error).
TEST(AuditLogTest, AWitnessLineWithABadTreeSizeIsRefused) {
  Checkpoint checkpoint{.tree_size = 7, .time_unix_micros = 1, .key_id = 1};
  const std::string good = WitnessLine(checkpoint);
  ASSERT_TRUE(ParseWitnessLine(good).has_value()) << good;
  for (const char* bad : {"-5", "1.5", "1e30"}) {
    std::string line = good;
    const size_t at = line.find("\"tree_size\":7");
    ASSERT_NE(at, std::string::npos) << line;
    line.replace(at, 13, std::string("\"tree_size\":") + bad);
    auto parsed = ParseWitnessLine(line);
    ASSERT_FALSE(parsed.has_value()) << line;
    EXPECT_EQ(parsed.error().code(), ErrorCode::kDataLoss);
  }
}

TEST(AuditLogTest, WhatItWritesVerifiesWithCheckpointsAndWitness) {
  AuditLogFixture fixture;
  {
    auto log = fixture.OpenLog();
    for (int i = 0; i < 45; ++i) ASSERT_TRUE(log->Append(SearchEvent(i % 4 + 1, {i})).has_value());
  }
  std::vector<Checkpoint> witness;
  std::ifstream in(fixture.dir() / "witness.jsonl");
  for (std::string line; std::getline(in, line);) {
    auto checkpoint = ParseWitnessLine(line);
    ASSERT_TRUE(checkpoint.has_value()) << line;
    EXPECT_TRUE(CheckpointSignatureValid(*checkpoint, fixture.PublicKey()));
    witness.push_back(*checkpoint);
  }
  ASSERT_FALSE(witness.empty());
  EXPECT_EQ(witness.back().tree_size, 45u);

  auto db = fixture.RawDatabase();
  auto report = VerifyAuditLog(
      *db, [&](uint32_t id) { return fixture.KeyById(id); }, witness);
  ASSERT_TRUE(report.has_value()) << report.error().message();
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->events, 45u);
  EXPECT_GE(report->checkpoints, 2u);
}

TEST(AuditLogTest, TheCheckpointSinkHearsOfEachCheckpointAsTheWitnessFileDoes) {
  AuditLogFixture fixture;
  std::vector<Checkpoint> heard;  // the writer thread's; read after it ends
  {
    AuditLogOptions options = fixture.Options();
    options.checkpoint_sink = [&](const Checkpoint& checkpoint) { heard.push_back(checkpoint); };
    auto log = fixture.OpenLog(options);
    for (int i = 0; i < 25; ++i) ASSERT_TRUE(log->Append(SearchEvent(1, {i})).has_value());
  }
  std::vector<Checkpoint> written;
  std::ifstream in(fixture.dir() / "witness.jsonl");
  for (std::string line; std::getline(in, line);) written.push_back(*ParseWitnessLine(line));
  EXPECT_EQ(heard, written);
  ASSERT_FALSE(heard.empty());
  EXPECT_EQ(heard.back().tree_size, 25u);
}

// The server and an administrator's command each open the log: their events
// interleave into one chain.
TEST(AuditLogTest, TwoWritersOnOneDatabaseShareOneChain) {
  AuditLogFixture fixture;
  auto server = fixture.OpenLog();
  auto command = fixture.OpenLog();
  for (uint64_t i = 0; i < 6; ++i) {
    auto& log = i % 2 == 0 ? server : command;
    auto sequence = log->Append(SearchEvent(static_cast<int64_t>(i) + 1, {}));
    ASSERT_TRUE(sequence.has_value()) << sequence.error().message();
    EXPECT_EQ(*sequence, i);
  }
  server.reset();
  command.reset();
  auto db = fixture.RawDatabase();
  auto report = VerifyAuditLog(*db, [&](uint32_t id) { return fixture.KeyById(id); }, {});
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->events, 6u);
}

// The server's unsigned events were signed by a command's closing
// checkpoint: the server's next checkpoint finds nothing left to sign, and
// then waits for new events instead of committing empty batches on a loop.
TEST(AuditLogTest, AWriterWhoseTailOthersSignedStaysIdle) {
  AuditLogFixture fixture;
  AuditLogOptions options = fixture.Options();
  options.checkpoint_every = std::chrono::milliseconds(20);
  options.checkpoint_every_events = 1000;
  auto server = fixture.OpenLog(options);
  // Not signed yet (the injected clock stands still).
  ASSERT_TRUE(server->Append(SearchEvent(1, {})).has_value());
  {
    auto command = fixture.OpenLog();
    ASSERT_TRUE(command->Append(SearchEvent(2, {})).has_value());
  }                                                  // its closing checkpoint signs both events
  fixture.clock().Advance(std::chrono::seconds(1));  // the server's checkpoint is due
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const uint64_t commits = server->stats().commits;
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_LE(server->stats().commits, commits + 1);  // 20 or so empty commits before the fix
  server.reset();
  auto db = fixture.RawDatabase();
  auto report = VerifyAuditLog(*db, [&](uint32_t id) { return fixture.KeyById(id); }, {});
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok) << report->problem;
}

// Each writer knows which sequences the others took, from the tip it reads
// under the append lock, and hands out their events for one agent; what came
// before it opened the log, or after its last batch, is not known to it.
std::vector<uint64_t> ForeignSequences(const AuditLog& log, int64_t agent, uint64_t after,
                                       uint64_t before) {
  auto events = log.ForeignEventsOf(agent, after, before);
  EXPECT_TRUE(events.has_value() && events->has_value()) << "known: " << after << "-" << before;
  std::vector<uint64_t> sequences;
  if (events && *events) {
    for (const AuditEvent& event : **events) sequences.push_back(event.sequence);
  }
  return sequences;
}

TEST(AuditLogTest, AWriterHandsOutWhatTheOthersAppended) {
  AuditLogFixture fixture;
  {
    auto earlier = fixture.OpenLog();
    for (int i = 0; i < 2; ++i) ASSERT_TRUE(earlier->Append(SearchEvent(1, {})).has_value());
  }
  auto server = fixture.OpenLog();
  auto command = fixture.OpenLog();
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(server->Append(SearchEvent(1, {})).has_value());  // 2, 3
  ASSERT_TRUE(command->Append(SearchEvent(2, {})).has_value());                            // 4
  ASSERT_TRUE(server->Append(SearchEvent(1, {})).has_value());                             // 5
  EXPECT_EQ(ForeignSequences(*server, 2, 3, 5), std::vector<uint64_t>{4});
  EXPECT_TRUE(ForeignSequences(*server, 1, 3, 6).empty());  // 4 is agent 2's
  EXPECT_TRUE(ForeignSequences(*server, 1, 1, 4).empty());  // 2, 3: its own
  EXPECT_EQ(ForeignSequences(*command, 1, 1, 4), (std::vector<uint64_t>{2, 3}));
  EXPECT_TRUE(ForeignSequences(*command, 2, 3, 5).empty());
  auto before_opening = server->ForeignEventsOf(1, 0, 2);  // 1
  ASSERT_TRUE(before_opening.has_value());
  EXPECT_FALSE(before_opening->has_value());
  auto not_written = server->ForeignEventsOf(1, 4, 7);  // 6
  ASSERT_TRUE(not_written.has_value());
  EXPECT_FALSE(not_written->has_value());
}

// Two nodes appending at the same time to one log: every event is numbered
// once, none is refused, and the whole log is one verifiable chain.
TEST(AuditLogTest, TwoNodesAppendingAtOnceMakeOneVerifiableOrder) {
  AuditLogFixture fixture;
  AuditLogOptions options = fixture.Options();
  options.max_wait = std::chrono::seconds(10);  // a correctness test: no refusal under load
  options.node_id = "node-a";
  auto node_a = fixture.OpenLog(options);
  options.node_id = "node-b";
  auto node_b = fixture.OpenLog(options);
  constexpr int kThreads = 4, kEach = 60;
  std::vector<std::vector<uint64_t>> numbers(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      AuditLog& log = t % 2 == 0 ? *node_a : *node_b;
      for (int i = 0; i < kEach; ++i) {
        auto sequence = log.Append(SearchEvent(t + 1, {i}));
        if (sequence) numbers[t].push_back(*sequence);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<uint64_t> all;
  for (const auto& mine : numbers) {
    EXPECT_EQ(mine.size(), static_cast<size_t>(kEach)) << "an append was refused";
    all.insert(mine.begin(), mine.end());
  }
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(*all.rbegin(), static_cast<uint64_t>(kThreads * kEach - 1));
  node_a.reset();
  node_b.reset();
  auto db = fixture.RawDatabase();
  auto report = VerifyAuditLog(*db, [&](uint32_t id) { return fixture.KeyById(id); }, {});
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->events, static_cast<uint64_t>(kThreads * kEach));
}

TEST(AuditLogTest, AnEventTooLargeToEncodeIsRefusedAloneWithoutAGap) {
  AuditLogFixture fixture;
  auto log = fixture.OpenLog();
  ASSERT_TRUE(log->Append(SearchEvent(1, {})).has_value());
  AuditEvent huge = SearchEvent(1, {});
  huge.user_agent = std::string(kMaxAuditText + 1, 'x');
  auto refused = log->Append(huge);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), ErrorCode::kResourceExhausted);
  auto next = log->Append(SearchEvent(2, {}));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, 1u);
}

// A full disk, simulated by capping the database's size: appends are refused
// promptly (never hang), the outage is visible, and service resumes by itself
// once there is room again, with no gap in the numbering.
TEST(AuditLogTest, FailsClosedPromptlyWhenFullAndResumesWhenThereIsRoom) {
  AuditLogFixture fixture;
  if (fixture.backend() == store::testing::Backend::kPostgres) {
    GTEST_SKIP() << "the size cap is SQLite's; PostgreSQL's refusal is the next test";
  }
  AuditLogOptions options = fixture.Options();
  options.max_size_mib = 1;
  options.checkpoint_every_events = 1'000'000;  // no checkpoint-only commit in between
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
// says it is failing - readiness, metrics - until it answers again.
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
  auto refused = log->Append(SearchEvent(2, {}));
  ASSERT_FALSE(refused.has_value()) << "a stall of a second or two outlasts max_wait";
  EXPECT_EQ(refused.error().code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(log->stats().failing) << "the event is still waiting";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  auto settled = [&] { return log->stats().size == 1 && !log->stats().failing; };
  while (!settled() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(log->stats().size, 1u) << "the stalled commit went through in the end";
  EXPECT_FALSE(log->stats().failing) << "nothing waits any more";
  EXPECT_EQ(log->stats().failed_commits, 0u) << "no commit failed: it hung";
}

// Another writer's commit holds the append lock longer than a consultation
// may wait (a loaded database): opening the log, which no one waits on,
// waits for it rather than fail.
TEST(AuditLogTest, OpeningWaitsForAnotherWritersCommit) {
  AuditLogFixture fixture;
  AuditLogOptions options = fixture.Options();
  options.max_wait = std::chrono::milliseconds(100);
  fixture.OpenLog(options).reset();  // the tables exist
  auto other = fixture.RawDatabase();
  std::optional<AppendLock> held;
  if (auto taken = AppendLock::Take(*other); taken) held.emplace(std::move(*taken));
  ASSERT_TRUE(held.has_value());
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    held.reset();
  });
  auto log = AuditLog::Open(options, fixture.SigningKey(), fixture.clock());
  release.join();
  ASSERT_TRUE(log.has_value()) << log.error().message();
  EXPECT_TRUE((*log)->Append(SearchEvent(1, {})).has_value());
}

TEST(AuditLogTest, RefusesToOpenWhenItsTipDoesNotMatchItsEvents) {
  AuditLogFixture fixture;
  { ASSERT_TRUE(fixture.OpenLog()->Append(SearchEvent(1, {})).has_value()); }
  {
    auto db = fixture.RawDatabase();
    ASSERT_TRUE(LiftAppendOnlyGuards(*db).has_value());
    ASSERT_TRUE(db->ExecuteScript("DELETE FROM audit_event WHERE sequence = 0;").has_value());
  }
  auto reopened = AuditLog::Open(fixture.Options(), fixture.SigningKey(), fixture.clock());
  ASSERT_FALSE(reopened.has_value());
  EXPECT_EQ(reopened.error().code(), ErrorCode::kDataLoss);
}

// Opening checks the last events against the tip: a changed last event, a
// changed chain hash, or an event rewritten with its chain hash and the
// tip's chain hash recomputed (the frontier's smallest subtree gives it
// away: these sizes make it one or two leaves; at a multiple of four it is
// left to `audit verify`) are refused before anything is appended on top.
TEST(AuditLogTest, RefusesToOpenWhenItsLastEventsWereChanged) {
  enum class Change { kEventBytes, kChainHash, kEventChainAndTip };
  for (const uint64_t size : {1u, 2u, 3u, 6u, 7u}) {
    for (const Change change :
         {Change::kEventBytes, Change::kChainHash, Change::kEventChainAndTip}) {
      SCOPED_TRACE("size " + std::to_string(size) + ", change " +
                   std::to_string(static_cast<int>(change)));
      AuditLogFixture fixture;
      {
        auto log = fixture.OpenLog();
        for (uint64_t i = 0; i < size; ++i) {
          ASSERT_TRUE(log->Append(SearchEvent(static_cast<int64_t>(i) + 1, {})).has_value());
        }
      }
      ASSERT_TRUE(
          AuditLog::Open(fixture.Options(), fixture.SigningKey(), fixture.clock()).has_value())
          << "unchanged, it opens";
      auto db = fixture.RawDatabase();
      ASSERT_TRUE(LiftAppendOnlyGuards(*db).has_value());
      AuditEvent forged = SearchEvent(99, {});
      forged.sequence = size - 1;
      auto encoded = EncodeAuditEvent(forged);
      ASSERT_TRUE(encoded.has_value());
      Sha256Digest previous = kGenesisChainHash;
      if (size >= 2) {
        auto row = db->Prepare("SELECT chain_hash FROM audit_event WHERE sequence = $1");
        ASSERT_TRUE(row.has_value());
        (*row)->BindInt(1, static_cast<int64_t>(size - 2));
        ASSERT_TRUE((*row)->Step().value_or(false));
        std::ranges::copy((*row)->ColumnBlob(0), previous.begin());
        ASSERT_TRUE((*row)->Run().has_value());
      }
      const Sha256Digest chain = ChainHash(previous, *encoded);
      auto run = [&](std::string_view sql, std::span<const uint8_t> blob) {
        auto statement = db->Prepare(sql);
        ASSERT_TRUE(statement.has_value());
        (*statement)->BindBlob(1, blob).BindInt(2, static_cast<int64_t>(size - 1));
        ASSERT_TRUE((*statement)->Run().has_value());
      };
      if (change != Change::kChainHash) {
        run("UPDATE audit_event SET event = $1 WHERE sequence = $2", *encoded);
      }
      if (change == Change::kChainHash) {
        const Sha256Digest zero{};
        run("UPDATE audit_event SET chain_hash = $1 WHERE sequence = $2", zero);
      }
      if (change == Change::kEventChainAndTip) {
        run("UPDATE audit_event SET chain_hash = $1 WHERE sequence = $2", chain);
        run("UPDATE audit_tip SET chain_hash = $1 WHERE size > $2", chain);
      }
      auto reopened = AuditLog::Open(fixture.Options(), fixture.SigningKey(), fixture.clock());
      ASSERT_FALSE(reopened.has_value());
      EXPECT_EQ(reopened.error().code(), ErrorCode::kDataLoss);
      EXPECT_NE(reopened.error().message().find("do not match its tip"), std::string::npos)
          << reopened.error().message();
    }
  }
}

TEST(AuditLogTest, TheDatabaseRefusesToChangeOrDeleteEvents) {
  AuditLogFixture fixture;
  { ASSERT_TRUE(fixture.OpenLog()->Append(SearchEvent(1, {})).has_value()); }
  auto db = fixture.RawDatabase();
  EXPECT_FALSE(db->ExecuteScript("UPDATE audit_event SET agent_id = 9").has_value());
  EXPECT_FALSE(db->ExecuteScript("DELETE FROM audit_event").has_value());
  EXPECT_FALSE(db->ExecuteScript("DELETE FROM audit_checkpoint").has_value());
  if (db->dialect() == store::Dialect::kPostgres) {
    for (const char* table : {"audit_event", "audit_checkpoint", "audit_subtree"}) {
      EXPECT_FALSE(db->ExecuteScript(std::string("TRUNCATE ") + table).has_value()) << table;
    }
  }
}

// docs/operations.md's PostgreSQL roles: the audit schema owned by another
// role, the nodes' role granted only what appending needs. The log opens
// and appends as that role; changing what is written, or lifting the
// triggers, is refused by the server itself, not only by the triggers.
TEST(AuditLogTest, OnPostgresqlANodeRoleWithAppendOnlyGrantsWritesButCannotRewrite) {
  AuditLogFixture fixture;
  if (fixture.backend() != store::testing::Backend::kPostgres) {
    GTEST_SKIP() << "PostgreSQL roles and grants";
  }
  { ASSERT_TRUE(fixture.OpenLog()->Append(SearchEvent(1, {7})).has_value()); }  // as the owner
  const std::string role = "vigie_node_" + std::to_string(::getpid());
  auto owner = fixture.RawDatabase();
  ASSERT_TRUE(owner
                  ->ExecuteScript(R"sql(
DO $$ DECLARE s text := current_schema(); r text := ')sql" +
                                  role + R"sql('; BEGIN
  EXECUTE format('DROP ROLE IF EXISTS %I', r);
  EXECUTE format('CREATE ROLE %I LOGIN', r);
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s, r);
  EXECUTE format('GRANT SELECT, INSERT ON %I.audit_event, %I.audit_checkpoint, %I.audit_subtree, '
                 '%I.audit_person_chunk, %I.audit_person_segment TO %I', s, s, s, s, s, r);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I.audit_tip TO %I', s, r);
  EXECUTE format('GRANT SELECT ON %I.schema_version TO %I', s, r);
END $$)sql")
                  .has_value());
  // The same URL, as the node's role.
  AuditLogOptions options = fixture.Options();
  const size_t at = options.url.find('@');
  ASSERT_NE(at, std::string::npos);
  options.url = "postgresql://" + role + options.url.substr(at);
  {
    auto log = fixture.OpenLog(options);
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(log->Append(SearchEvent(2, {i})).has_value());
  }
  auto node = store::Open(options.url);
  ASSERT_TRUE(node.has_value()) << node.error().message();
  for (const char* change :
       {"UPDATE audit_event SET agent_id = 9", "DELETE FROM audit_event",
        "TRUNCATE audit_event", "ALTER TABLE audit_event DISABLE TRIGGER USER",
        "DROP TABLE audit_checkpoint", "INSERT INTO schema_version VALUES (99, 'x', 0)"}) {
    auto refused = (*node)->ExecuteScript(change);
    ASSERT_FALSE(refused.has_value()) << change;
    EXPECT_NE(refused.error().message().find("42501"), std::string::npos)  // insufficient_privilege
        << change << ": " << refused.error().message();
  }
  node->reset();
  auto report = VerifyAuditLog(*owner, [&](uint32_t id) { return fixture.KeyById(id); }, {});
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->events, 21u);
  ASSERT_TRUE(owner->ExecuteScript("DROP OWNED BY " + role + "; DROP ROLE " + role).has_value());
}

}  // namespace
}  // namespace vigie::audit
