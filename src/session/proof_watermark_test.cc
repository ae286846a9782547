#include "session/proof_watermark.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "tests/support/matchers.h"
#include "tests/support/temp_dir.h"

namespace vigie::session {
namespace {

constexpr int64_t kNow = 1'780'000'000;
constexpr int64_t kFuture = 5;  // DpopPolicy::max_future_seconds

FakeClock At(int64_t unix_seconds) {
  return FakeClock(TimePoint(std::chrono::seconds(unix_seconds)));
}

std::string Contents(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void Write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

int64_t AcceptFromAfter(const testing::TempDir& dir, const std::string& file_text) {
  Write(dir / std::string(ProofWatermark::kFileName), file_text);
  auto mark = ProofWatermark::Open(dir.path(), At(kNow), kFuture);
  EXPECT_TRUE(mark.has_value());
  return mark ? mark->accept_from() : 0;
}

TEST(ProofWatermarkTest, AnInstallationNeverServedAcceptsProofsMadeFromNowOn) {
  testing::TempDir dir;
  ASSERT_OK(ProofWatermark::RecordInitialised(dir.path()));
  auto mark = ProofWatermark::Open(dir.path(), At(kNow), kFuture);
  ASSERT_OK(mark);
  EXPECT_EQ(mark->accept_from(), kNow);
  EXPECT_EQ(mark->accepted_up_to(), INT64_MIN) << "nobody served: nothing accepted";
  EXPECT_TRUE(mark->wait_reason().empty());
  EXPECT_EQ(Contents(dir / std::string(ProofWatermark::kFileName)), "initialised\nserving\n");
}

TEST(ProofWatermarkTest, AfterAGracefulStopProofsFromPastTheLatestAcceptedOneAreAccepted) {
  testing::TempDir dir;
  ASSERT_OK(ProofWatermark::RecordInitialised(dir.path()));
  {
    auto first = ProofWatermark::Open(dir.path(), At(kNow - 100), kFuture);
    ASSERT_OK(first);
    // A client whose clock runs 4 s ahead was the last one served.
    ASSERT_OK(first->RecordStop(kNow + 4));
  }
  auto next = ProofWatermark::Open(dir.path(), At(kNow), kFuture);
  ASSERT_OK(next);
  EXPECT_EQ(next->accept_from(), kNow + 5);
  EXPECT_EQ(next->accepted_up_to(), kNow + 4);
  EXPECT_FALSE(next->wait_reason().empty());
  EXPECT_EQ(Contents(dir / std::string(ProofWatermark::kFileName)),
            "initialised\nserving\nstopped " + std::to_string(kNow + 4) + "\nserving\n");
}

TEST(ProofWatermarkTest, ProofsAllOlderThanTheStartAskForNoWait) {
  testing::TempDir dir;
  EXPECT_EQ(AcceptFromAfter(dir, "serving\nstopped " + std::to_string(kNow - 3) + "\n"), kNow);
}

TEST(ProofWatermarkTest, AStopWithNoProofAcceptedRecordsTheSecondBeforeItsStart) {
  testing::TempDir dir;
  {
    auto crashed_before = ProofWatermark::Open(dir.path(), At(kNow - 50), kFuture);
    ASSERT_OK(crashed_before);
  }
  {
    auto first = ProofWatermark::Open(dir.path(), At(kNow - 10), kFuture);
    ASSERT_OK(first);
    ASSERT_EQ(first->accept_from(), kNow - 10 + kFuture + 1);
    ASSERT_OK(first->RecordStop(INT64_MIN));
  }
  auto next = ProofWatermark::Open(dir.path(), At(kNow - 9), kFuture);
  ASSERT_OK(next);
  // Still past every proof the crashed process could have accepted.
  EXPECT_EQ(next->accept_from(), kNow - 10 + kFuture + 1);
}

// A crash, a kill, a failed start, a torn line, a removed file or one kept
// by a release before this record: every proof a process alive until now
// could have accepted is refused.
TEST(ProofWatermarkTest, NoRecordedStopWaitsPastEveryProofThePredecessorCouldHaveAccepted) {
  testing::TempDir dir;
  for (const std::string& text : std::vector<std::string>{
           "serving\n", "stopped 12\nserving\n", "stopped " + std::to_string(kNow + 3),
           "stopped 17x\n", "stopped \n", "stopped -\n", "", "garbage\n", "initialised\nserving\n",
           "stopped 9223372036854775807\n"}) {
    EXPECT_EQ(AcceptFromAfter(dir, text), kNow + kFuture + 1) << text;
  }
  testing::TempDir fresh;  // no file at all
  auto mark = ProofWatermark::Open(fresh.path(), At(kNow), kFuture);
  ASSERT_OK(mark);
  EXPECT_EQ(mark->accept_from(), kNow + kFuture + 1);
  EXPECT_EQ(mark->accepted_up_to(), kNow + kFuture) << "what a process dying now could have taken";
}

// `vigie migrate-store` asks what the last server may have accepted; it
// serves nothing, so it leaves no "serving" record that would make the next
// SQLite start wait as after a crash.
TEST(ProofWatermarkTest, AskingWhatWasAcceptedAppendsNothing) {
  testing::TempDir dir;
  const std::filesystem::path file = dir / std::string(ProofWatermark::kFileName);
  for (const std::string& text : std::vector<std::string>{
           "initialised\n", "serving\nstopped " + std::to_string(kNow - 7) + "\n", "serving\n",
           "serving\naccepted-up-to " + std::to_string(kNow + 90) + "\n"}) {
    Write(file, text);
    auto asked = ProofWatermark::AcceptedUpTo(dir.path(), At(kNow), kFuture);
    ASSERT_OK(asked);
    EXPECT_EQ(Contents(file), text);
    auto opened = ProofWatermark::Open(dir.path(), At(kNow), kFuture);
    ASSERT_OK(opened);
    EXPECT_EQ(*asked, opened->accepted_up_to()) << text;
  }
  Write(file, "serving\nstopped " + std::to_string(kNow - 7) + "\n");
  EXPECT_EQ(ProofWatermark::AcceptedUpTo(dir.path(), At(kNow), kFuture).value(), kNow - 7);
}

// A clock set back must not reopen the proofs the previous process accepted
// under the later time; a record more than a day ahead is no record.
TEST(ProofWatermarkTest, AClockSetBackKeepsTheLatestAcceptedProofRefused) {
  testing::TempDir dir;
  EXPECT_EQ(AcceptFromAfter(dir, "stopped " + std::to_string(kNow + 3600) + "\n"), kNow + 3601);
  EXPECT_EQ(AcceptFromAfter(dir, "stopped " + std::to_string(kNow + 2 * 86'400) + "\n"),
            kNow + kFuture + 1);
}

// A clock set back while serving, then a crash: the proofs accepted under
// the later time stay refused, though the next start's clock is behind them.
TEST(ProofWatermarkTest, AClockSetBackWhileServingIsNotedForACrash) {
  testing::TempDir dir;
  ASSERT_OK(ProofWatermark::RecordInitialised(dir.path()));
  {
    auto serving = ProofWatermark::Open(dir.path(), At(kNow), kFuture);
    ASSERT_OK(serving);
    // A proof from a client ahead by no more than allowed: nothing to note.
    auto right = serving->NoteClock(kNow + kFuture, kNow);
    ASSERT_OK(right);
    EXPECT_FALSE(*right);
    auto set_back = serving->NoteClock(kNow + 4, kNow - 3600);
    ASSERT_OK(set_back);
    EXPECT_TRUE(*set_back);
    auto again = serving->NoteClock(kNow + 4, kNow - 3599);
    ASSERT_OK(again);
    EXPECT_FALSE(*again);  // once per value
  }                        // killed: no stop
  EXPECT_EQ(Contents(dir / std::string(ProofWatermark::kFileName)),
            "initialised\nserving\naccepted-up-to " + std::to_string(kNow + 4) + "\n");
  {
    auto next = ProofWatermark::Open(dir.path(), At(kNow - 3590), kFuture);
    ASSERT_OK(next);
    EXPECT_EQ(next->accept_from(), kNow + 5);
    EXPECT_FALSE(next->wait_reason().empty());
  }  // killed too, before its clock caught up: the floor it inherited stays
  {
    auto after_two = ProofWatermark::Open(dir.path(), At(kNow - 3580), kFuture);
    ASSERT_OK(after_two);
    EXPECT_EQ(after_two->accept_from(), kNow + 5);
  }
  // Proofs a process alive until now could have accepted are refused too;
  // a record more than a day ahead is no record.
  EXPECT_EQ(AcceptFromAfter(dir, "serving\naccepted-up-to " + std::to_string(kNow - 100) + "\n"),
            kNow + kFuture + 1);
  EXPECT_EQ(
      AcceptFromAfter(dir, "serving\naccepted-up-to " + std::to_string(kNow + 2 * 86'400) + "\n"),
      kNow + kFuture + 1);
  EXPECT_EQ(AcceptFromAfter(dir, "serving\naccepted-up-to 12x\n"), kNow + kFuture + 1);
}

TEST(ProofWatermarkTest, OnlyTheLastLineOfALongFileCounts) {
  testing::TempDir dir;
  std::string history;
  for (int i = 0; i < 2000; ++i)
    history += "serving\nstopped " + std::to_string(kNow - 10000 + i) + "\n";
  EXPECT_EQ(AcceptFromAfter(dir, history), kNow);
  EXPECT_EQ(AcceptFromAfter(dir, history + "serving\n"), kNow + kFuture + 1);
}

// Two processes on one installation would each keep their own memory of
// used proofs, and their records would interleave.
TEST(ProofWatermarkTest, OneProcessAtATimeHoldsTheFile) {
  testing::TempDir dir;
  ASSERT_OK(ProofWatermark::RecordInitialised(dir.path()));
  std::optional<ProofWatermark> serving;
  {
    auto opened = ProofWatermark::Open(dir.path(), At(kNow), kFuture);
    ASSERT_OK(opened);
    serving.emplace(std::move(*opened));
  }
  auto second = ProofWatermark::Open(dir.path(), At(kNow), kFuture, std::chrono::seconds(0));
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code(), ErrorCode::kConflict);
  ASSERT_OK(serving->RecordStop(kNow + 2));
  serving.reset();  // the process ends
  auto after = ProofWatermark::Open(dir.path(), At(kNow + 1), kFuture, std::chrono::seconds(0));
  ASSERT_OK(after);
  EXPECT_EQ(after->accept_from(), kNow + 3);
}

// A clock another thread may step (FakeClock is for one thread).
class SteppedClock final : public Clock {
 public:
  explicit SteppedClock(int64_t unix_seconds) : seconds_(unix_seconds) {}
  TimePoint Now() const override { return TimePoint(std::chrono::seconds(seconds_.load())); }
  void Set(int64_t unix_seconds) { seconds_.store(unix_seconds); }

 private:
  std::atomic<int64_t> seconds_;
};

// A start waiting for its predecessor, which serves on meanwhile and then
// dies without a stop: the proofs it accepted during the wait stay refused.
// The clock reads kNow, then `after_wait` once the predecessor has gone;
// the accept_from that follows.
int64_t AcceptFromAfterWaitingForACrash(int64_t after_wait) {
  testing::TempDir dir;
  EXPECT_OK(ProofWatermark::RecordInitialised(dir.path()));
  SteppedClock clock(kNow);
  std::optional<ProofWatermark> serving;
  {
    auto opened = ProofWatermark::Open(dir.path(), clock, kFuture);
    EXPECT_OK(opened);
    if (opened) serving.emplace(std::move(*opened));
  }
  std::thread killed([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    clock.Set(after_wait);
    serving.reset();  // no stop recorded
  });
  auto next = ProofWatermark::Open(dir.path(), clock, kFuture, std::chrono::seconds(30));
  killed.join();
  EXPECT_OK(next);
  return next ? next->accept_from() : 0;
}

TEST(ProofWatermarkTest, TheTimeSpentWaitingForThePredecessorCounts) {
  // A clock that does not move (or went back): more than a second waited
  // counts as at least 2 whole seconds.
  EXPECT_GE(AcceptFromAfterWaitingForACrash(kNow), kNow + 2 + kFuture + 1);
  EXPECT_GE(AcceptFromAfterWaitingForACrash(kNow - 600), kNow + 2 + kFuture + 1);
  // A clock set forward during the wait: read again after it.
  EXPECT_EQ(AcceptFromAfterWaitingForACrash(kNow + 1000), kNow + 1000 + kFuture + 1);
}

TEST(ProofWatermarkTest, AnUnreadableOrUnwritableFileStopsTheStart) {
  testing::TempDir dir;
  std::filesystem::create_directory(dir / std::string(ProofWatermark::kFileName));
  auto refused = ProofWatermark::Open(dir.path(), At(kNow), kFuture);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), ErrorCode::kUnavailable);
  auto no_directory = ProofWatermark::Open(dir / "absent", At(kNow), kFuture);
  ASSERT_FALSE(no_directory.has_value());
  EXPECT_FALSE(ProofWatermark::RecordInitialised(dir / "absent").has_value());
}

}  // namespace
}  // namespace vigie::session
