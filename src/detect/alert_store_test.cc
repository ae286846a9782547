#include "detect/alert_store.h"

#include <gtest/gtest.h>

#include "detect/judged_mark.h"
#include "store/test_database.h"
#include "tests/support/matchers.h"

namespace vigie::detect {
namespace {

using ::vigie::testing::ErrorCodeIs;

class AlertStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::Open(database_.url());
    ASSERT_TRUE(opened.has_value());
    db_ = std::move(*opened);
    ASSERT_OK(store::Migrate(*db_, store::VigieSchema(db_->dialect())));
  }

  Alert Sample(int64_t agent, std::string rule) {
    return Alert{.rule = std::move(rule),
                 .severity = "high",
                 .action = "suspend",
                 .agent_id = agent,
                 .service_number = "A-" + std::to_string(agent),
                 .session_id = 3,
                 .source_address = "203.0.113.9",
                 .detail = "41 distinct persons within an hour",
                 .event_sequence = 99};
  }

  store::testing::SuiteDatabase database_;
  std::unique_ptr<store::Connection> db_;
  FakeClock clock_{std::chrono::system_clock::from_time_t(1'800'000'000)};
};

// A node judging its events again after a restart asks whether a rule
// already raised its alert: for this very event, or for the agent within a
// given time (the rule's refire interval around the event).
TEST_F(AlertStoreTest, TellsWhetherARuleRaisedItsAlertForAnEventOrAnAgentSince) {
  AlertStore alerts(*db_, clock_);
  ASSERT_OK(alerts.Add(Sample(1, "canary")));
  EXPECT_TRUE(alerts.Raised(99, "canary").value_or(false));
  EXPECT_FALSE(alerts.Raised(99, "new_network").value_or(true));
  EXPECT_FALSE(alerts.Raised(98, "canary").value_or(true));
  // Raised at 1 800 000 000 for agent 1, event 99.
  EXPECT_TRUE(alerts.Raised(120, "canary", 1, 1'800'000'000 - 60).value_or(false));
  EXPECT_TRUE(alerts.Raised(120, "canary", 1, 1'800'000'000).value_or(false));
  EXPECT_FALSE(alerts.Raised(120, "canary", 1, 1'800'000'001).value_or(true)) << "raised before";
  EXPECT_TRUE(alerts.Raised(120, "canary", 1, 0, 1'800'000'000).value_or(false));
  EXPECT_FALSE(alerts.Raised(120, "canary", 1, 0, 1'800'000'000 - 1).value_or(true))
      << "raised after";
  EXPECT_FALSE(alerts.Raised(120, "canary", 2, 0).value_or(true)) << "another agent";
  EXPECT_FALSE(alerts.Raised(120, "query_rate", 1, 0).value_or(true)) << "another rule";
}

// An insert tried again after a lost reply finds the alert its first
// attempt stored: one alert, one id.
TEST_F(AlertStoreTest, AnAlertAddedOnceIsStoredOnceHoweverOftenItIsTried) {
  AlertStore alerts(*db_, clock_);
  auto first = alerts.AddOnce(Sample(1, "canary"));
  ASSERT_OK(first);
  auto again = alerts.AddOnce(Sample(1, "canary"));
  ASSERT_OK(again);
  EXPECT_EQ(*again, *first);
  // Another rule on that event, or that rule on another event, is another alert.
  auto other_rule = alerts.AddOnce(Sample(1, "new_network"));
  ASSERT_OK(other_rule);
  EXPECT_NE(*other_rule, *first);
  Alert later = Sample(1, "canary");
  later.event_sequence = 100;
  auto other_event = alerts.AddOnce(later);
  ASSERT_OK(other_event);
  EXPECT_NE(*other_event, *first);
  auto listed = alerts.List({.open_only = false});
  ASSERT_OK(listed);
  EXPECT_EQ(listed->size(), 3u);
}

// What a judgement finding its alert stored looks up: the first alert of
// that rule for that event, whole (its record names its id and action).
TEST_F(AlertStoreTest, FindsTheAlertARuleRaisedForAnEvent) {
  AlertStore alerts(*db_, clock_);
  auto first = alerts.Add(Sample(1, "canary"));
  ASSERT_OK(first);
  ASSERT_OK(alerts.Add(Sample(2, "canary")));
  auto found = alerts.ForEvent(99, "canary");
  ASSERT_OK(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, *first);
  EXPECT_EQ((*found)->action, "suspend");
  EXPECT_EQ((*found)->service_number, "A-1");
  EXPECT_EQ(alerts.ForEvent(99, "new_network").value_or(Sample(1, "x")), std::nullopt);
  EXPECT_EQ(alerts.ForEvent(98, "canary").value_or(Sample(1, "x")), std::nullopt);
}

TEST_F(AlertStoreTest, ANodesJudgedMarkIsSetLowerOrHigherAndForgotten) {
  EXPECT_EQ(ReadJudgedMark(*db_, "node-a").value_or(JudgedMark{.next_sequence = 7}), std::nullopt);
  ASSERT_OK(WriteJudgedMark(*db_, "node-a", {.next_sequence = 40, .written_at_unix_micros = 1}));
  ASSERT_OK(WriteJudgedMark(*db_, "node-b", {.next_sequence = 5, .written_at_unix_micros = 1}));
  auto a = ReadJudgedMark(*db_, "node-a");
  ASSERT_OK(a);
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ((*a)->next_sequence, 40u);
  EXPECT_EQ((*a)->written_at_unix_micros, 1);
  // A log restored from a backup may end below the mark: it follows.
  ASSERT_OK(WriteJudgedMark(*db_, "node-a", {.next_sequence = 30, .written_at_unix_micros = 2}));
  a = ReadJudgedMark(*db_, "node-a");
  ASSERT_OK(a);
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ((*a)->next_sequence, 30u);
  EXPECT_EQ((*a)->written_at_unix_micros, 2);
  ASSERT_OK(ForgetJudgedMark(*db_, "node-a"));
  EXPECT_FALSE(ReadJudgedMark(*db_, "node-a").value_or(JudgedMark{}).has_value());
  EXPECT_EQ(
      ReadJudgedMark(*db_, "node-b").value_or(std::nullopt).value_or(JudgedMark{}).next_sequence,
      5u);
}

TEST_F(AlertStoreTest, StoresListsNewestFirstAndFilters) {
  AlertStore alerts(*db_, clock_);
  ASSERT_OK(alerts.Add(Sample(1, "distinct_persons")));
  ASSERT_OK(alerts.Add(Sample(2, "canary")));
  ASSERT_OK(alerts.Add(Sample(1, "new_network")));
  auto all = alerts.List({});
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].rule, "new_network");
  EXPECT_EQ((*all)[2].rule, "distinct_persons");
  EXPECT_EQ((*all)[2].raised_at, 1'800'000'000);
  EXPECT_EQ((*all)[2].event_sequence, 99u);
  auto of_agent = alerts.List({.agent_id = 2});
  ASSERT_OK(of_agent);
  ASSERT_EQ(of_agent->size(), 1u);
  EXPECT_EQ((*of_agent)[0].rule, "canary");
  auto page = alerts.List({.before_id = (*all)[0].id, .limit = 1});
  ASSERT_OK(page);
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].rule, "canary");
}

TEST_F(AlertStoreTest, AcknowledgesOnceWithWhoAndWhy) {
  AlertStore alerts(*db_, clock_);
  auto id = alerts.Add(Sample(1, "canary"));
  ASSERT_OK(id);
  clock_.Advance(std::chrono::seconds(60));
  auto acknowledged = alerts.Acknowledge(*id, "SO-0001", "false positive: training exercise");
  ASSERT_OK(acknowledged);
  EXPECT_EQ(acknowledged->acknowledged_at, 1'800'000'060);
  EXPECT_EQ(acknowledged->acknowledged_by, "SO-0001");
  EXPECT_THAT(alerts.Acknowledge(*id, "SO-0002", ""), ErrorCodeIs(ErrorCode::kConflict));
  EXPECT_THAT(alerts.Acknowledge(*id + 1, "SO-0002", ""), ErrorCodeIs(ErrorCode::kNotFound));
  auto open = alerts.List({.open_only = true});
  ASSERT_OK(open);
  EXPECT_TRUE(open->empty());
  auto all = alerts.List({.open_only = false});
  ASSERT_OK(all);
  EXPECT_EQ(all->size(), 1u);
}

TEST_F(AlertStoreTest, AnOfficerCannotAcknowledgeAnAlertAboutThemselves) {
  AlertStore alerts(*db_, clock_);
  auto id = alerts.Add(Sample(7, "new_network"));  // about A-7
  ASSERT_OK(id);
  EXPECT_THAT(alerts.Acknowledge(*id, "A-7", "that was me"),
              ErrorCodeIs(ErrorCode::kPermissionDenied));
  auto still = alerts.Get(*id);
  ASSERT_OK(still);
  EXPECT_FALSE(still->acknowledged_at.has_value());
  EXPECT_OK(alerts.Acknowledge(*id, "SO-0001", "checked with A-7"));
}

TEST_F(AlertStoreTest, RefusesANoteThatIsNotPlainText) {
  AlertStore alerts(*db_, clock_);
  auto id = alerts.Add(Sample(1, "canary"));
  ASSERT_OK(id);
  EXPECT_THAT(alerts.Acknowledge(*id, "SO-1", "bad \xff utf-8"),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(alerts.Acknowledge(*id, "SO-1", std::string("nul\0x", 5)),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(alerts.Acknowledge(*id, "SO-1", std::string(1001, 'a')),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  auto alert = alerts.Get(*id);
  ASSERT_OK(alert);
  EXPECT_FALSE(alert->acknowledged_at.has_value());  // nothing changed
}

TEST_F(AlertStoreTest, CanariesAreKeptOnce) {
  ASSERT_OK(AddCanaries(*db_, {5, 3, 5}, 100));
  ASSERT_OK(AddCanaries(*db_, {3, 9}, 200));
  auto ids = ListCanaries(*db_);
  ASSERT_OK(ids);
  EXPECT_EQ(*ids, (std::vector<int64_t>{3, 5, 9}));
}

}  // namespace
}  // namespace vigie::detect
