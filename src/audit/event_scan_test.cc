// ScanEvents reads a range of the log in pages: every event once, in order,
// across page boundaries, stopping where asked, with other statements run
// between rows.

#include "audit/event_scan.h"

#include <gtest/gtest.h>

#include "audit/audit_event_codec.h"
#include "audit/audit_log_test_util.h"
#include "tests/support/matchers.h"

namespace vigie::audit {
namespace {

using testing::AuditLogFixture;
using testing::SearchEvent;

constexpr uint64_t kEvents = 2 * kEventScanPageRows + 10;

class EventScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = fixture_.OpenLog();
    std::vector<AuditEvent> events;
    for (uint64_t i = 0; i < kEvents; ++i) {
      events.push_back(SearchEvent(1, {static_cast<int64_t>(i)}));
    }
    ASSERT_OK(log->AppendAll(std::move(events)));
    log.reset();
    db_ = fixture_.RawDatabase();
  }

  // The sequences a scan of [begin, end) sees, each checked against its event.
  std::vector<uint64_t> Scan(uint64_t begin, uint64_t end, uint64_t stop_after = UINT64_MAX) {
    std::vector<uint64_t> seen;
    auto scanned = ScanEvents(*db_, EventColumns::kEvent, begin, end,
                              [&](store::Statement& row) -> Result<bool> {
                                ASSIGN_OR_RETURN(AuditEvent event,
                                                 DecodeAuditEvent(row.ColumnBlob(1)));
                                EXPECT_EQ(event.sequence,
                                          static_cast<uint64_t>(row.ColumnInt(0)));
                                seen.push_back(event.sequence);
                                return seen.size() < stop_after;
                              });
    EXPECT_TRUE(scanned.has_value()) << scanned.error().message();
    return seen;
  }

  static std::vector<uint64_t> Range(uint64_t begin, uint64_t end) {
    std::vector<uint64_t> range;
    for (uint64_t i = begin; i < end; ++i) range.push_back(i);
    return range;
  }

  AuditLogFixture fixture_;
  std::unique_ptr<store::Connection> db_;
};

TEST_F(EventScanTest, EveryEventOnceInOrderAcrossPages) {
  EXPECT_EQ(Scan(0, kEvents), Range(0, kEvents));
  EXPECT_EQ(Scan(0, UINT64_MAX >> 1), Range(0, kEvents)) << "an end past the log";
  EXPECT_EQ(Scan(kEventScanPageRows - 1, kEventScanPageRows + 2),
            Range(kEventScanPageRows - 1, kEventScanPageRows + 2));
  EXPECT_EQ(Scan(0, kEventScanPageRows), Range(0, kEventScanPageRows)) << "exactly one page";
  EXPECT_TRUE(Scan(5, 5).empty());
  EXPECT_TRUE(Scan(kEvents, kEvents + 100).empty());
}

TEST_F(EventScanTest, StopsWhereTheCallerSays) {
  EXPECT_EQ(Scan(0, kEvents, 3), Range(0, 3));
  EXPECT_EQ(Scan(0, kEvents, kEventScanPageRows + 1), Range(0, kEventScanPageRows + 1));
  EXPECT_EQ(Scan(0, kEvents), Range(0, kEvents)) << "the stopped scan left nothing behind";
}

TEST_F(EventScanTest, AGapIsLeftToTheCallerToNotice) {
  ASSERT_OK(testing::LiftAppendOnlyGuards(*db_));
  ASSERT_OK(db_->ExecuteScript("DELETE FROM audit_event WHERE sequence = 4096 OR sequence = 7"));
  std::vector<uint64_t> expected = Range(0, kEvents);
  std::erase_if(expected, [](uint64_t i) { return i == 4096 || i == 7; });
  EXPECT_EQ(Scan(0, kEvents), expected);
}

TEST_F(EventScanTest, OtherStatementsRunBetweenRows) {
  uint64_t rows = 0;
  ASSERT_OK(ScanEvents(*db_, EventColumns::kBoundedEventAndChainHash, 0, kEvents,
                       [&](store::Statement& row) -> Result<bool> {
                         EXPECT_EQ(row.ColumnBlob(2).size(), 32u);
                         ASSIGN_OR_RETURN(store::Statement * count,
                                          db_->Prepare("SELECT count(*) FROM audit_checkpoint"));
                         ASSIGN_OR_RETURN(bool counted, count->Step());
                         EXPECT_TRUE(counted);
                         RETURN_IF_ERROR(count->Run());
                         ++rows;
                         return true;
                       }));
  EXPECT_EQ(rows, kEvents);
}

// The verifier's columns give a row too long for any event as its length
// alone: the row itself is never loaded.
TEST_F(EventScanTest, TheBoundedColumnsGiveAnOversizedRowsLengthWithoutIt) {
  ASSERT_OK(testing::LiftAppendOnlyGuards(*db_));
  auto grow = db_->Prepare("UPDATE audit_event SET event = $1 WHERE sequence = 5");
  ASSERT_OK(grow);
  const std::vector<uint8_t> huge(kMaxAuditEventSize + 1, 0x41);
  (*grow)->BindBlob(1, huge);
  ASSERT_OK((*grow)->Run());
  std::vector<std::pair<size_t, int64_t>> seen;  // (bytes given, length told)
  ASSERT_OK(ScanEvents(*db_, EventColumns::kBoundedEventAndChainHash, 4, 7,
                       [&](store::Statement& row) -> Result<bool> {
                         seen.emplace_back(row.ColumnBlob(1).size(), row.ColumnInt(3));
                         return true;
                       }));
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[1], std::make_pair(size_t{0}, static_cast<int64_t>(huge.size())));
  EXPECT_GT(seen[0].first, 0u);
  EXPECT_EQ(static_cast<int64_t>(seen[0].first), seen[0].second);
  EXPECT_EQ(static_cast<int64_t>(seen[2].first), seen[2].second);
}

TEST_F(EventScanTest, AnErrorFromTheCallerStopsTheScan) {
  uint64_t rows = 0;
  auto scanned = ScanEvents(*db_, EventColumns::kEvent, 0, kEvents,
                            [&](store::Statement&) -> Result<bool> {
                              if (++rows == 10) return Fail(ErrorCode::kDataLoss, "event 9 is bad");
                              return true;
                            });
  ASSERT_FALSE(scanned.has_value());
  EXPECT_EQ(scanned.error().message(), "event 9 is bad");
  EXPECT_EQ(rows, 10u);
}

}  // namespace
}  // namespace vigie::audit
