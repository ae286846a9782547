#include "audit/audit_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <future>
#include <iterator>
#include <optional>
#include <set>
#include <thread>

#include "audit/audit_event_codec.h"
#include "audit/audit_log_test_util.h"
#include "audit/audit_verifier.h"
#include "audit/checkpoint_relay.h"
#include "audit/hash_chain.h"
#include "audit/log_tables.h"
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

// A crash mid-append leaves a line without its newline: the next process
// cuts it before appending, or its first line would be glued to it and the
// file unreadable for good. A whole line missing only its newline is kept.
TEST(AuditLogTest, AWitnessLineACrashCutShortIsCutBeforeTheNextAppend) {
  AuditLogFixture fixture;
  const auto file = fixture.dir() / "witness.jsonl";
  {
    auto log = fixture.OpenLog();
    for (int i = 0; i < 12; ++i) ASSERT_TRUE(log->Append(SearchEvent(1, {i})).has_value());
  }
  std::string before;
  {
    std::ifstream in(file);
    before.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_TRUE(before.ends_with('\n'));
  const std::string body = before.substr(0, before.size() - 1);
  const size_t last_start = body.rfind('\n') == std::string::npos ? 0 : body.rfind('\n') + 1;
  // Cut short, and whole but for its newline.
  const std::string remnants[] = {"{\"tree_size\":", body.substr(last_start)};
  uint64_t events = 12;
  for (const std::string& remnant : remnants) {
    {
      std::ofstream out(file, std::ios::trunc | std::ios::binary);
      out << before << remnant;
    }
    {
      auto log = fixture.OpenLog();
      for (int i = 0; i < 12; ++i) ASSERT_TRUE(log->Append(SearchEvent(2, {i})).has_value());
    }
    events += 12;
    std::ifstream in(file);
    std::optional<Checkpoint> last;
    for (std::string line; std::getline(in, line);) {
      auto checkpoint = ParseWitnessLine(line);
      ASSERT_TRUE(checkpoint.has_value()) << "after " << remnant << ": " << line;
      last = *checkpoint;
    }
    ASSERT_TRUE(last.has_value());
    EXPECT_EQ(last->tree_size, events) << remnant;
  }
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

// syslog(3) blocks while the local daemon's socket is full: behind a relay,
// a stuck sink holds back no event (the writer would otherwise wait on it,
// and every consultation after the checkpoint be refused).
TEST(AuditLogTest, AStuckCheckpointSinkBehindARelayHoldsBackNoEvent) {
  AuditLogFixture fixture;
  std::promise<void> released;
  std::shared_future<void> release = released.get_future().share();
  {
    AuditLogOptions options = fixture.Options();
    options.checkpoint_every_events = 1;
    options.max_wait = std::chrono::seconds(3);  // without the relay: then refused
    options.checkpoint_sink =
        CheckpointRelay::Sink([release](const Checkpoint&) { release.wait(); });
    auto log = fixture.OpenLog(options);
    // Released before the log closes, whatever the assertions found.
    struct ReleaseAtEnd {
      std::promise<void>& released;
      ~ReleaseAtEnd() { released.set_value(); }
    } release_at_end{released};
    for (int i = 0; i < 5; ++i) {
      auto appended = log->Append(SearchEvent(1, {i}));
      ASSERT_TRUE(appended.has_value()) << "event " << i << ": " << appended.error().message();
    }
    EXPECT_FALSE(log->stats().failing);
  }
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

// A server with an unsigned event, then a command's event whose closing
// checkpoint signs both, then the server's checkpoint due. With
// `row_beyond`, a checkpoint row at size 1000 is added first.
std::unique_ptr<AuditLog> ServerWhoseTailACommandSigned(AuditLogFixture& fixture, bool row_beyond) {
  AuditLogOptions options = fixture.Options();
  options.checkpoint_every = std::chrono::milliseconds(20);
  options.checkpoint_every_events = 1000;
  auto server = fixture.OpenLog(options);
  // Not signed yet (the injected clock stands still).
  EXPECT_TRUE(server->Append(SearchEvent(1, {})).has_value());
  if (row_beyond) {
    auto db = fixture.RawDatabase();
    Checkpoint beyond{.tree_size = 1000, .key_id = fixture.SigningKey().id};
    beyond.signature.fill(7);
    EXPECT_TRUE(InsertCheckpoint(*db, beyond).has_value());
  }
  {
    auto command = fixture.OpenLog();
    EXPECT_TRUE(command->Append(SearchEvent(2, {})).has_value());
  }
  fixture.clock().Advance(std::chrono::seconds(1));
  return server;
}

// The server's unsigned events were signed by a command's closing
// checkpoint: the server's next checkpoint finds nothing left to sign, and
// then waits for new events instead of committing empty batches on a loop.
TEST(AuditLogTest, AWriterWhoseTailOthersSignedStaysIdle) {
  AuditLogFixture fixture;
  auto server = ServerWhoseTailACommandSigned(fixture, /*row_beyond=*/false);
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

// The same with a checkpoint row beyond the log (whoever can INSERT may add
// one): it is not taken for the latest, so the server still sees that the
// command signed its tail, rather than sign that size again, fail on the
// command's row and go failing at every idle checkpoint.
TEST(AuditLogTest, ACheckpointRowBeyondTheLogDoesNotHideOneSignedElsewhere) {
  AuditLogFixture fixture;
  auto server = ServerWhoseTailACommandSigned(fixture, /*row_beyond=*/true);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(server->stats().failed_commits, 0u);
  EXPECT_FALSE(server->stats().failing);
  server.reset();  // and its final checkpoint finds the size signed too
  auto log = fixture.OpenLog();
  auto outages = log->Find(EventFilter{.type = AuditEventType::kAuditLogResumed});
  ASSERT_TRUE(outages.has_value());
  EXPECT_TRUE(outages->empty()) << "no outage recorded";
}

// A clock stepped back (NTP, an operator) does not hold back the next
// checkpoint until it has caught up: events would stay unsigned that long.
TEST(AuditLogTest, AClockSteppedBackMakesTheCheckpointDueAtOnce) {
  AuditLogFixture fixture;
  AuditLogOptions options = fixture.Options();
  options.checkpoint_every = std::chrono::milliseconds(20);
  options.checkpoint_every_events = 1000;
  auto log = fixture.OpenLog(options);
  auto sequence = log->Append(SearchEvent(1, {}));
  ASSERT_TRUE(sequence.has_value()) << sequence.error().message();
  fixture.clock().Advance(-std::chrono::hours(1));
  auto signed_up_to = [&]() -> uint64_t {
    auto db = fixture.RawDatabase();
    auto latest = ReadLatestCheckpoint(*db);
    EXPECT_TRUE(latest.has_value());
    return latest && *latest ? (*latest)->tree_size : 0;
  };
  for (int i = 0; i < 200 && signed_up_to() <= *sequence; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(signed_up_to(), *sequence + 1);
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

// After a rotation, a process not yet restarted still holds the old key:
// once a newer key signs the log it signs nothing more, or the log would
// read as forged past the size the old key is retired at.
TEST(AuditLogTest, AProcessWhoseKeyANewerOneSupersededNoLongerSigns) {
  AuditLogFixture fixture;
  AuditLogOptions options = fixture.Options();
  options.checkpoint_every_events = 1;
  const crypto::DataKey newer{fixture.SigningKey().id + 1,
                              std::string(crypto::kPurposeAuditSigning),
                              crypto::SecretBytes::Random(crypto::kDataKeySize)};
  {
    auto log = AuditLog::Open(options, newer, fixture.clock());
    ASSERT_TRUE(log.has_value()) << log.error().ToString();
    ASSERT_TRUE((*log)->Append(SearchEvent(1, {})).has_value());
  }
  {
    // The key file holds the newer key now.
    options.signing_key_of = [&](uint32_t id) -> std::optional<crypto::Ed25519PublicKey> {
      if (id != newer.id) return std::nullopt;
      return crypto::Ed25519KeyPair::FromSeed(newer.bytes()).public_key();
    };
    auto old = fixture.OpenLog(options);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(old->Append(SearchEvent(2, {})).has_value());
    EXPECT_EQ(old->stats().size, 4u) << "its events are appended all the same";
  }
  auto db = fixture.RawDatabase();
  auto checkpoints = ReadCheckpoints(*db);
  ASSERT_TRUE(checkpoints.has_value());
  ASSERT_FALSE(checkpoints->empty());
  for (const Checkpoint& checkpoint : *checkpoints) {
    EXPECT_EQ(checkpoint.key_id, newer.id) << "size " << checkpoint.tree_size;
  }
  EXPECT_EQ(checkpoints->back().tree_size, 1u);
}

// A checkpoint row naming a newer key that did not sign it (added by
// whoever can INSERT into the database) does not stop the log signing.
TEST(AuditLogTest, AForgedCheckpointOfANewerKeyDoesNotStopTheSigning) {
  AuditLogFixture fixture;
  AuditLogOptions options = fixture.Options();
  options.checkpoint_every_events = 1;
  options.signing_key_of = [](uint32_t) { return std::optional<crypto::Ed25519PublicKey>(); };
  {
    auto log = fixture.OpenLog(options);
    ASSERT_TRUE(log->Append(SearchEvent(1, {})).has_value());
  }
  {
    auto db = fixture.RawDatabase();
    auto latest = ReadLatestCheckpoint(*db);
    ASSERT_TRUE(latest.has_value() && latest->has_value());
    Checkpoint forged = **latest;
    forged.tree_size = 1000;
    forged.key_id = fixture.SigningKey().id + 1;  // "rotated", that key's signature missing
    forged.signature.fill(7);
    ASSERT_TRUE(InsertCheckpoint(*db, forged).has_value());
  }
  {
    auto log = fixture.OpenLog(options);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(log->Append(SearchEvent(2, {})).has_value());
  }
  auto db = fixture.RawDatabase();
  auto checkpoints = ReadCheckpoints(*db);
  ASSERT_TRUE(checkpoints.has_value());
  std::set<uint64_t> signed_here;
  for (const Checkpoint& checkpoint : *checkpoints) {
    if (checkpoint.key_id == fixture.SigningKey().id) signed_here.insert(checkpoint.tree_size);
  }
  EXPECT_TRUE(signed_here.contains(4)) << "the forged row stopped the signing";
}

}  // namespace
}  // namespace vigie::audit
