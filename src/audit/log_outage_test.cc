#include "audit/log_outage.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "audit/outage_mark.h"
#include "tests/support/temp_dir.h"

namespace vigie::audit {
namespace {

// A database that hung: its events came in after their callers were
// refused. The node stops before it writes the stall's record: the next
// process records it, with its count.
TEST(LogOutageTest, AStallOutlivesTheProcessThatSawIt) {
  testing::TempDir dir;
  const auto path = dir / "audit-outage.mark";
  {
    LogOutage outage(path);
    outage.Load();
    EXPECT_FALSE(outage.ongoing());
    outage.Late(3, 1'000'000);
    outage.Late(2, 400'000);
  }
  auto mark = ReadOutageMark(path);
  ASSERT_TRUE(mark.has_value() && mark->has_value());
  EXPECT_EQ(**mark, (OutageMark{.failing_since_unix_micros = 400'000, .refused = 0, .late = 5}));

  LogOutage next(path);
  next.Load();
  ASSERT_TRUE(next.ongoing());
  EXPECT_EQ(next.ResumedEvent(9'000'000).subject,
            "failing_since_us=400000 refused_events=0 restarted=1 late_events=5");
  next.Recorded();
  EXPECT_FALSE(std::filesystem::exists(path));
}

// A stall, then a database that fails: both counts are on the record.
TEST(LogOutageTest, RefusalsAfterAStallKeepItsCount) {
  testing::TempDir dir;
  const auto path = dir / "audit-outage.mark";
  {
    LogOutage outage(path);
    outage.Late(1, 500);
    outage.Refused(4, 700);
  }
  LogOutage next(path);
  next.Load();
  ASSERT_TRUE(next.ongoing());
  EXPECT_EQ(next.ResumedEvent(900).subject,
            "failing_since_us=500 refused_events=4 restarted=1 late_events=1");
}

// Without a mark path (tests, tools) the outage is kept in memory only.
TEST(LogOutageTest, WithoutAPathTheStallIsKeptInMemory) {
  LogOutage outage{std::filesystem::path()};
  outage.Late(1, 500);
  ASSERT_TRUE(outage.ongoing());
  EXPECT_EQ(outage.ResumedEvent(900).subject,
            "failing_since_us=500 refused_events=0 late_events=1");
  outage.Recorded();
  EXPECT_FALSE(outage.ongoing());
}

}  // namespace
}  // namespace vigie::audit
