// AuditLog::AppendThen: the same durability as Append, told by a callback so
// that a server holds the response instead of a thread; and the writer
// gathering concurrent events into fuller commits.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "audit/audit_log.h"
#include "audit/audit_log_test_util.h"

namespace vigie::audit {
namespace {

using testing::AuditLogFixture;
using testing::SearchEvent;

// Collects the outcomes AppendThen reports, from whichever thread.
class Outcomes {
 public:
  AuditLog::Done Add() {
    return [this](Result<uint64_t> outcome) {
      std::lock_guard lock(mutex_);
      outcomes_.push_back(std::move(outcome));
      arrived_.notify_all();
      return true;
    };
  }
  std::vector<Result<uint64_t>> WaitFor(size_t count) {
    std::unique_lock lock(mutex_);
    EXPECT_TRUE(arrived_.wait_for(lock, std::chrono::seconds(10),
                                  [&] { return outcomes_.size() >= count; }));
    return outcomes_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<Result<uint64_t>> outcomes_;
};

TEST(AuditLogAppendThenTest, TellsEachEventsNumberOnceItIsDurable) {
  AuditLogFixture fixture;
  auto log = fixture.OpenLog();
  Outcomes outcomes;
  constexpr uint64_t kEvents = 200;
  for (uint64_t i = 0; i < kEvents; ++i) {
    log->AppendThen(SearchEvent(1, {static_cast<int64_t>(i)}), outcomes.Add());
  }
  std::vector<Result<uint64_t>> told = outcomes.WaitFor(kEvents);
  ASSERT_EQ(told.size(), kEvents);
  for (uint64_t i = 0; i < kEvents; ++i) {
    ASSERT_TRUE(told[i].has_value()) << told[i].error().message();
    EXPECT_EQ(*told[i], i);  // one caller: numbered in its order, told in that order
  }
  // Told means durable: the events are in the database.
  EXPECT_GE(log->stats().size, kEvents);
  auto found = log->Find(EventFilter{.after_sequence = kEvents - 1, .limit = 5});  // from
  ASSERT_TRUE(found.has_value());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(found->front().person_ids, std::vector<int64_t>{static_cast<int64_t>(kEvents - 1)});
}

TEST(AuditLogAppendThenTest, ARefusedBatchIsToldAsUnavailable) {
  AuditLogFixture fixture;
  AuditLogOptions options = fixture.Options();
  options.recovery_probe_every = std::chrono::hours(1);
  auto log = fixture.OpenLog(options);
  auto db = fixture.RawDatabase();
  ASSERT_TRUE(db->ExecuteScript(testing::RefuseInsertsSql(*db)).has_value());
  Outcomes outcomes;
  log->AppendThen(SearchEvent(1, {}), outcomes.Add());
  std::vector<Result<uint64_t>> told = outcomes.WaitFor(1);
  ASSERT_EQ(told.size(), 1u);
  ASSERT_FALSE(told[0].has_value());
  EXPECT_EQ(told[0].error().code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(log->stats().failing);
}

TEST(AuditLogAppendThenTest, AnEventThatCannotBeQueuedIsRefusedAtOnceThenRecordedAsAnOutage) {
  AuditLogFixture fixture;
  AuditLogOptions options = fixture.Options();
  options.max_queue = 0;  // "not keeping up" from the first event
  auto log = fixture.OpenLog(options);
  bool told = false;
  log->AppendThen(SearchEvent(1, {}), [&](Result<uint64_t> outcome) {
    told = true;
    EXPECT_FALSE(outcome.has_value());
    if (!outcome) {
      EXPECT_EQ(outcome.error().code(), ErrorCode::kUnavailable);
    }
    return true;
  });
  EXPECT_TRUE(told);  // before AppendThen returned
  // The event is not in the log; the refusal is, as an outage the writer
  // records on its own.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (log->stats().size < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto found = log->Find(EventFilter{.limit = 10});
  ASSERT_TRUE(found.has_value());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(found->front().type, AuditEventType::kAuditLogResumed);
  EXPECT_TRUE(found->front().subject.ends_with(" refused_events=1")) << found->front().subject;
}

// Gathering (AuditLogOptions::gather_delay): concurrent appenders fill
// batches; a lone appender is never kept waiting for company.
TEST(AuditLogGatherTest, ConcurrentAppendersFillBatches) {
  AuditLogFixture fixture;
  AuditLogOptions options = fixture.Options();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 40;
  options.gather_delay = std::chrono::milliseconds(300);  // under max_wait
  options.gather_quiet = options.gather_delay;            // a loaded machine's stragglers too
  options.gather_events = kThreads;                       // every waiting appender
  auto log = fixture.OpenLog(options);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) ASSERT_TRUE(log->Append(SearchEvent(t + 1, {i})));
    });
  }
  for (auto& thread : threads) thread.join();
  AuditLogStats stats = log->stats();
  EXPECT_EQ(stats.size, static_cast<uint64_t>(kThreads * kPerThread));
  // Once a batch had company, each commit waits for all eight (the last
  // few, as threads finish, by the delay).
  EXPECT_LE(stats.commits, static_cast<uint64_t>(kPerThread + kThreads + 2));
}

TEST(AuditLogGatherTest, ALoneAppenderIsNotKeptWaiting) {
  AuditLogFixture fixture;
  AuditLogOptions options = fixture.Options();
  options.gather_delay = std::chrono::seconds(5);
  auto log = fixture.OpenLog(options);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(log->Append(SearchEvent(1, {i})));
  // Each waiting out the delay would take 20 s or more.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
  EXPECT_EQ(log->stats().commits, 5u);
}

// Four appenders that each wait for their own event: once all are queued
// nobody else can come, so the writer stops gathering after a short quiet
// spell instead of waiting the whole delay for company.
TEST(AuditLogGatherTest, AppendersAllWaitingOnTheBatchAreNotKeptTheWholeDelay) {
  AuditLogFixture fixture;
  AuditLogOptions options = fixture.Options();
  options.gather_delay = std::chrono::seconds(20);
  options.max_wait = std::chrono::seconds(60);
  auto log = fixture.OpenLog(options);
  constexpr int kThreads = 4;
  constexpr int kRounds = 4;
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) ASSERT_TRUE(log->Append(SearchEvent(t + 1, {i})));
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(log->stats().size, static_cast<uint64_t>(kThreads * kRounds));
  // Waiting out the delay would take 20 s a round once a batch had company.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15));
}

}  // namespace
}  // namespace vigie::audit
