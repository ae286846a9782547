#include "core/confirmation.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace vigie {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

Confirmation::Deadline In(milliseconds delay) { return steady_clock::now() + delay; }

TEST(ConfirmationTest, WaitReturnsOnceConfirmedFromAnotherThread) {
  Confirmation confirmation(In(milliseconds(10'000)));
  std::thread writer([&] {
    std::this_thread::sleep_for(milliseconds(20));
    confirmation.Confirm();
  });
  EXPECT_TRUE(confirmation.Wait().has_value());
  writer.join();
}

TEST(ConfirmationTest, WaitRunsTheStepBeforeReturningAndOnlyOnConfirmation) {
  int runs = 0;
  Confirmation confirmed(In(milliseconds(1'000)));
  EXPECT_TRUE(confirmed.Confirm([&] { ++runs; }));
  ASSERT_TRUE(confirmed.Wait().has_value());
  EXPECT_EQ(runs, 1);

  Confirmation refused(In(milliseconds(1'000)));
  refused.Refuse(Error(ErrorCode::kUnavailable, "disk full"));
  EXPECT_FALSE(refused.Confirm([&] { ++runs; }));  // too late: the first answer counts
  Result<void> outcome = refused.Wait();
  ASSERT_FALSE(outcome.has_value());
  EXPECT_EQ(outcome.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(outcome.error().message(), "disk full");
  EXPECT_EQ(runs, 1);
}

TEST(ConfirmationTest, WaitKeepingStepHandsTheStepBackUnrun) {
  int runs = 0;
  Confirmation confirmed(In(milliseconds(1'000)));
  std::thread writer([&] {
    std::this_thread::sleep_for(milliseconds(20));
    confirmed.Confirm([&] { ++runs; });
  });
  std::function<void()> step;
  ASSERT_TRUE(confirmed.WaitKeepingStep(step).has_value());
  writer.join();
  EXPECT_EQ(runs, 0);
  ASSERT_TRUE(step);
  step();
  EXPECT_EQ(runs, 1);

  Confirmation refused(In(milliseconds(1'000)));
  refused.Refuse(Error(ErrorCode::kUnavailable, "disk full"));
  std::function<void()> none;
  EXPECT_FALSE(refused.WaitKeepingStep(none).has_value());
  EXPECT_FALSE(none);
}

TEST(ConfirmationTest, NoAnswerByTheDeadlineIsARefusalThatALaterAnswerCannotUndo) {
  Confirmation confirmation(In(milliseconds(30)));
  const auto start = steady_clock::now();
  Result<void> outcome = confirmation.Wait();
  EXPECT_GE(steady_clock::now() - start, milliseconds(25));
  ASSERT_FALSE(outcome.has_value());
  EXPECT_EQ(outcome.error().code(), ErrorCode::kUnavailable);

  bool ran = false;
  EXPECT_FALSE(confirmation.Confirm([&] { ran = true; }));  // the caller is told
  std::function<void()> step;
  EXPECT_FALSE(confirmation.Conclude(step).has_value());
  EXPECT_FALSE(step);
  EXPECT_FALSE(ran);
}

TEST(ConfirmationTest, OnSettledWakesOnceWhetherRegisteredBeforeOrAfterTheAnswer) {
  std::atomic<int> wakes = 0;
  Confirmation before(In(milliseconds(1'000)));
  before.OnSettled([&] { ++wakes; });
  EXPECT_EQ(wakes, 0);
  before.Confirm();
  before.Refuse(Error(ErrorCode::kUnavailable, "ignored"));
  EXPECT_EQ(wakes, 1);

  Confirmation after(In(milliseconds(1'000)));
  after.Refuse(Error(ErrorCode::kUnavailable, "disk full"));
  after.OnSettled([&] { ++wakes; });
  EXPECT_EQ(wakes, 2);
}

TEST(ConfirmationTest, ConcludeHandsOverTheStepOnce) {
  int runs = 0;
  Confirmation confirmation(In(milliseconds(1'000)));
  confirmation.Confirm([&] { ++runs; });
  std::function<void()> step;
  ASSERT_TRUE(confirmation.Conclude(step).has_value());
  ASSERT_TRUE(step);
  step();
  std::function<void()> again;
  EXPECT_TRUE(confirmation.Conclude(again).has_value());
  EXPECT_FALSE(again);
  EXPECT_EQ(runs, 1);
}

}  // namespace
}  // namespace vigie
