#include "audit/foreign_event_cache.h"

#include <gtest/gtest.h>

#include <vector>

namespace vigie::audit {
namespace {

using Range = ForeignAppends::Range;

// A log of 100 events, agent = sequence % 3; counts the ranges read.
struct Log {
  std::vector<Range> reads;
  bool failing = false;

  ForeignEventCache::ReadRange Reader() {
    return [this](uint64_t begin, uint64_t end) -> Result<std::vector<AuditEvent>> {
      if (failing) return Fail(ErrorCode::kUnavailable, "the reader is down");
      reads.push_back(Range{begin, end});
      std::vector<AuditEvent> events;
      for (uint64_t s = begin; s < end && s < 100; ++s) {
        AuditEvent event;
        event.sequence = s;
        event.actor.agent_id = static_cast<int64_t>(s % 3);
        events.push_back(event);
      }
      return events;
    };
  }
};

std::vector<uint64_t> Sequences(const Result<std::optional<std::vector<AuditEvent>>>& events) {
  std::vector<uint64_t> sequences;
  if (!events || !*events) return sequences;
  for (const AuditEvent& event : **events) sequences.push_back(event.sequence);
  return sequences;
}

TEST(ForeignEventCacheTest, ReadsEachRangeOnceForEveryAgent) {
  Log log;
  ForeignEventCache cache(log.Reader());
  const std::vector<Range> ranges = {{10, 16}, {20, 23}};
  EXPECT_EQ(Sequences(cache.EventsOf(1, ranges, 0, 30)), (std::vector<uint64_t>{10, 13, 22}));
  EXPECT_EQ(Sequences(cache.EventsOf(2, ranges, 0, 30)), (std::vector<uint64_t>{11, 14, 20}));
  EXPECT_EQ(Sequences(cache.EventsOf(0, ranges, 0, 30)), (std::vector<uint64_t>{12, 15, 21}));
  EXPECT_EQ(log.reads, ranges);
}

TEST(ForeignEventCacheTest, KeepsToTheSequencesAsked) {
  Log log;
  ForeignEventCache cache(log.Reader());
  const std::vector<Range> ranges = {{10, 20}};
  // after < sequence < before: 13 and 19 are outside.
  EXPECT_EQ(Sequences(cache.EventsOf(1, ranges, 13, 19)), (std::vector<uint64_t>{16}));
}

TEST(ForeignEventCacheTest, LetsTheOldestRangesGoAndReadsThemAgain) {
  Log log;
  ForeignEventCache cache(log.Reader(), /*max_events=*/40);
  for (uint64_t begin = 0; begin < 50; begin += 10) {
    const std::vector<Range> range = {{begin, begin + 10}};
    ASSERT_TRUE(cache.EventsOf(1, range, 0, 100).has_value());
  }
  EXPECT_EQ(log.reads.size(), 5u);
  const std::vector<Range> newest = {{40, 50}}, oldest = {{0, 10}};
  ASSERT_TRUE(cache.EventsOf(1, newest, 0, 100).has_value());
  EXPECT_EQ(log.reads.size(), 5u);  // kept
  EXPECT_EQ(Sequences(cache.EventsOf(1, oldest, 0, 100)), (std::vector<uint64_t>{1, 4, 7}));
  EXPECT_EQ(log.reads.size(), 6u);  // let go, read again
}

TEST(ForeignEventCacheTest, LeavesStretchesTooLongToHoldToTheCaller) {
  Log log;
  ForeignEventCache cache(log.Reader(), /*max_events=*/40);
  const std::vector<Range> ranges = {{0, 6}, {10, 15}};  // 11 events > 40 / 4
  auto events = cache.EventsOf(1, ranges, 0, 100);
  ASSERT_TRUE(events.has_value());
  EXPECT_FALSE(events->has_value());
  EXPECT_TRUE(log.reads.empty());
}

TEST(ForeignEventCacheTest, AReadErrorReachesTheCallerAndIsNotKept) {
  Log log;
  ForeignEventCache cache(log.Reader());
  const std::vector<Range> ranges = {{10, 16}};
  log.failing = true;
  auto failed = cache.EventsOf(1, ranges, 0, 30);
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code(), ErrorCode::kUnavailable);
  log.failing = false;
  EXPECT_EQ(Sequences(cache.EventsOf(1, ranges, 0, 30)), (std::vector<uint64_t>{10, 13}));
}

}  // namespace
}  // namespace vigie::audit
