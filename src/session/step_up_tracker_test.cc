#include "session/step_up_tracker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <thread>
#include <vector>

#include "session/session_store.h"
#include "session/session_test_fixture.h"
#include "tests/support/matchers.h"

namespace vigie::session {
namespace {

using ::vigie::testing::ErrorCodeIs;

class StepUpTrackerTest : public SessionFixture {
 protected:
  void SetUp() override {
    SessionFixture::SetUp();
    auto tokens = Store().Create(kAgent, Jkt("key-a"));
    ASSERT_OK(tokens);
    session_id_ = tokens->session_id;
  }
  bool Required(StepUpTracker& tracker) {
    auto required = tracker.StepUpRequired(session_id_);
    EXPECT_TRUE(required.has_value()) << required.error().ToString();
    return required.value_or(false);
  }
  // The demand standing on the session, as a code's check reads it.
  std::optional<int64_t> Demand(StepUpTracker& tracker) {
    auto seen = tracker.Demanded(session_id_);
    EXPECT_TRUE(seen.has_value()) << seen.error().ToString();
    return seen.value_or(std::nullopt);
  }
  int64_t session_id_ = 0;
};

TEST_F(StepUpTrackerTest, RequiredAfterNFilesWithinTheWindow) {
  StepUpTracker tracker(*db_, clock_, {.files = 3, .window_seconds = 600});
  EXPECT_FALSE(Required(tracker));
  for (int i = 0; i < 2; ++i) {
    ASSERT_OK(tracker.RecordFileOpening(session_id_));
    Advance(10);
    EXPECT_FALSE(Required(tracker));
  }
  ASSERT_OK(tracker.RecordFileOpening(session_id_));
  EXPECT_TRUE(Required(tracker));
}

TEST_F(StepUpTrackerTest, AtTheLimitAnOpeningIsNotCounted) {
  StepUpTracker tracker(*db_, clock_, {.files = 2, .window_seconds = 600});
  EXPECT_EQ(tracker.RecordFileOpening(session_id_).value_or(false), true);
  EXPECT_EQ(tracker.RecordFileOpening(session_id_).value_or(false), true);
  EXPECT_EQ(tracker.RecordFileOpening(session_id_).value_or(true), false);
  ASSERT_OK(tracker.RecordStepUp(session_id_, std::nullopt));
  EXPECT_EQ(tracker.RecordFileOpening(session_id_).value_or(false), true);
}

// Openings sent at once, each having checked StepUpRequired before any was
// counted: exactly the limit's worth is counted, the rest are refused.
TEST_F(StepUpTrackerTest, ConcurrentOpeningsCannotPassTheLimitTogether) {
  constexpr int kOpenings = 8;
  constexpr int kLimit = 3;
  std::vector<std::unique_ptr<store::Connection>> connections;
  for (int i = 0; i < kOpenings; ++i) connections.push_back(OpenDb());
  std::atomic<int> counted{0}, refused{0}, failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kOpenings; ++i) {
    threads.emplace_back([&, i] {
      StepUpTracker tracker(*connections[i], clock_, {.files = kLimit, .window_seconds = 600});
      auto recorded = tracker.RecordFileOpening(session_id_);
      if (!recorded) {
        ++failed;
      } else {
        ++(*recorded ? counted : refused);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(counted.load(), kLimit);
  EXPECT_EQ(refused.load(), kOpenings - kLimit);
}

TEST_F(StepUpTrackerTest, WindowSlides) {
  StepUpTracker tracker(*db_, clock_, {.files = 3, .window_seconds = 600});
  ASSERT_OK(tracker.RecordFileOpening(session_id_));  // t = 0
  Advance(300);
  ASSERT_OK(tracker.RecordFileOpening(session_id_));  // t = 300
  Advance(299);
  ASSERT_OK(tracker.RecordFileOpening(session_id_));  // t = 599: three within 600 s
  EXPECT_TRUE(Required(tracker));
  Advance(1);  // t = 600: the first has left the window
  EXPECT_FALSE(Required(tracker));
  ASSERT_OK(tracker.RecordFileOpening(session_id_));
  EXPECT_TRUE(Required(tracker));  // a burst across a bucket boundary does not escape
}

TEST_F(StepUpTrackerTest, StepUpResetsTheCountAndIsRecordedInTheSession) {
  StepUpTracker tracker(*db_, clock_, {.files = 2, .window_seconds = 600});
  ASSERT_OK(tracker.RecordFileOpening(session_id_));
  ASSERT_OK(tracker.RecordFileOpening(session_id_));
  ASSERT_TRUE(Required(tracker));
  Advance(20);
  ASSERT_OK(tracker.RecordStepUp(session_id_, std::nullopt));
  EXPECT_FALSE(Required(tracker));
  ASSERT_OK(tracker.RecordFileOpening(session_id_));  // same second as the step-up
  EXPECT_FALSE(Required(tracker));
  ASSERT_OK(tracker.RecordFileOpening(session_id_));
  EXPECT_TRUE(Required(tracker));

  auto listed = Store().List(kAgent);
  ASSERT_OK(listed);
  EXPECT_EQ((*listed)[0].last_step_up_at, kStart + 20);
}

TEST_F(StepUpTrackerTest, ADemandHoldsEveryLiveSessionOfTheAgentUntilAStepUp) {
  auto other = Store().Create(kOtherAgent, Jkt("key-b"));
  ASSERT_OK(other);
  StepUpTracker tracker(*db_, clock_);
  auto demanded = [&](std::string_view token, std::string_view key) {
    auto session = Store().Authenticate(token, key);
    EXPECT_TRUE(session.has_value());
    return session && session->step_up_demanded();
  };
  ASSERT_OK(tracker.DemandForAgent(kAgent));
  auto sessions = Store().List(kAgent);
  ASSERT_OK(sessions);
  ASSERT_EQ(sessions->size(), 1u);
  EXPECT_TRUE((*sessions)[0].step_up_demanded());
  EXPECT_FALSE(demanded(other->access_token.reveal(), Jkt("key-b")));  // another agent's
  auto seen = tracker.Demanded(session_id_);
  ASSERT_OK(seen);
  ASSERT_TRUE(seen->has_value());
  Advance(5);
  ASSERT_OK(tracker.RecordStepUp(session_id_, *seen));
  sessions = Store().List(kAgent);
  ASSERT_OK(sessions);
  EXPECT_FALSE((*sessions)[0].step_up_demanded());
}

// A code checked before a demand does not meet it, even when the step-up
// is recorded after it (detection may have judged the step-up itself), nor
// one made in the same second as the demand it was checked against.
TEST_F(StepUpTrackerTest, ADemandMadeWhileTheCodeWasCheckedStands) {
  StepUpTracker tracker(*db_, clock_);
  auto demand = [&] { return Demand(tracker); };
  const std::optional<int64_t> none = demand();
  ASSERT_FALSE(none.has_value());
  ASSERT_OK(tracker.DemandForAgent(kAgent));
  ASSERT_OK(tracker.RecordStepUp(session_id_, none));
  EXPECT_TRUE(demand().has_value());
  EXPECT_EQ(Store().List(kAgent)->at(0).last_step_up_at, Now());  // still recorded
  const std::optional<int64_t> first = demand();
  ASSERT_OK(tracker.DemandForAgent(kAgent));  // the same second: another value all the same
  EXPECT_NE(demand(), first);
  ASSERT_OK(tracker.RecordStepUp(session_id_, first));
  EXPECT_TRUE(demand().has_value());
  // The next code, checked against the demand standing, meets it.
  ASSERT_OK(tracker.RecordStepUp(session_id_, demand()));
  EXPECT_FALSE(demand().has_value());
  EXPECT_FALSE(Store().List(kAgent)->at(0).step_up_demanded());
}

// A demand met, then a new one in the same second (detection judging a
// second step-up sent beside the first): the second code, checked against
// the first demand, does not meet the new one.
TEST_F(StepUpTrackerTest, ADemandMadeAfterOneWasMetIsNotMetByAnEarlierCode) {
  StepUpTracker tracker(*db_, clock_);
  auto demand = [&] { return Demand(tracker); };
  ASSERT_OK(tracker.DemandForAgent(kAgent));
  const std::optional<int64_t> read_by_both = demand();
  ASSERT_TRUE(read_by_both.has_value());
  ASSERT_OK(tracker.RecordStepUp(session_id_, read_by_both));  // the first code
  EXPECT_FALSE(demand().has_value());
  ASSERT_OK(tracker.DemandForAgent(kAgent));
  EXPECT_NE(demand(), read_by_both);
  ASSERT_OK(tracker.RecordStepUp(session_id_, read_by_both));  // the second
  EXPECT_TRUE(demand().has_value());
  EXPECT_TRUE(Store().List(kAgent)->at(0).step_up_demanded());
  ASSERT_OK(tracker.RecordStepUp(session_id_, demand()));
  EXPECT_FALSE(Store().List(kAgent)->at(0).step_up_demanded());
}

TEST_F(StepUpTrackerTest, DefaultsAreTenFilesPerTenMinutes) {
  StepUpTracker tracker(*db_, clock_);
  for (int i = 0; i < 9; ++i) {
    ASSERT_OK(tracker.RecordFileOpening(session_id_));
    Advance(60);
  }
  EXPECT_FALSE(Required(tracker));  // 9 at t = 0..480, now t = 540
  ASSERT_OK(tracker.RecordFileOpening(session_id_));
  EXPECT_TRUE(Required(tracker));
}

TEST_F(StepUpTrackerTest, CountingKeepsOnlyTheWindow) {
  StepUpTracker tracker(*db_, clock_, {.files = 1000, .window_seconds = 60});
  for (int i = 0; i < 50; ++i) {
    ASSERT_OK(tracker.RecordFileOpening(session_id_));
    Advance(10);
  }
  auto count = db_->Prepare("SELECT count(*) FROM session_file_opening");
  ASSERT_OK(count);
  ASSERT_TRUE(*(*count)->Step());
  EXPECT_LE((*count)->ColumnInt(0), 6);
  ASSERT_OK((*count)->Run());
}

TEST_F(StepUpTrackerTest, RefusesUnknownAndEndedSessions) {
  StepUpTracker tracker(*db_, clock_);
  EXPECT_THAT(tracker.RecordFileOpening(9999), ErrorCodeIs(ErrorCode::kNotFound));
  EXPECT_THAT(tracker.StepUpRequired(9999), ErrorCodeIs(ErrorCode::kNotFound));
  EXPECT_THAT(tracker.RecordStepUp(9999, std::nullopt), ErrorCodeIs(ErrorCode::kNotFound));
  EXPECT_THAT(tracker.Demanded(9999), ErrorCodeIs(ErrorCode::kNotFound));
  ASSERT_OK(Store().Logout(session_id_));
  EXPECT_THAT(tracker.RecordFileOpening(session_id_), ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_THAT(tracker.StepUpRequired(session_id_), ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_THAT(tracker.Demanded(session_id_), ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_THAT(tracker.RecordStepUp(session_id_, std::nullopt),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
}

}  // namespace
}  // namespace vigie::session
