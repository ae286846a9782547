#include "incident/containment.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "crypto/hash.h"
#include "session/session_store.h"
#include "store/table_copy.h"
#include "store/test_database.h"
#include "tests/support/matchers.h"

namespace vigie::incident {
namespace {

using ::vigie::testing::ErrorCodeIs;

constexpr int64_t kStart = 1'800'000'000;

class ContainmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::Open(database_.url());
    ASSERT_TRUE(opened.has_value());
    db_ = std::move(*opened);
    ASSERT_OK(store::Migrate(*db_, store::VigieSchema(db_->dialect())));
    const std::string sealed = store::testing::BytesLiteral(db_->dialect(), "00");
    // Two units; agents activated (a password and a factor on file), one
    // security officer, one already suspended, one disabled.
    ASSERT_OK(db_->ExecuteScript(
        "INSERT INTO unit (id, code, name, kind, created_at) VALUES "
        "(1, 'BR-75', 'Brigade', 'police', 0), (2, 'GN-44', 'Nantes', 'gendarmerie', 0);"
        "INSERT INTO agent (id, service_number, display_name, unit_id, roles, status, "
        "password_hash, totp_key_id, totp_sealed, created_at, updated_at) VALUES "
        "(1, 'A-1', 'One', 1, 'agent', 'active', 'x', 1, " + sealed + ", 0, 0),"
        "(2, 'A-2', 'Two', 1, 'investigator', 'active', 'x', 1, " + sealed + ", 0, 0),"
        "(3, 'SO-1', 'Officer', 1, 'security_officer', 'active', 'x', 1, " + sealed + ", 0, 0),"
        "(4, 'A-4', 'Four', 1, 'agent', 'suspended', 'x', 1, " + sealed + ", 0, 0),"
        "(5, 'A-5', 'Five', 2, 'agent', 'active', 'x', 1, " + sealed + ", 0, 0),"
        "(6, 'A-6', 'Six', 1, 'agent', 'disabled', NULL, NULL, NULL, 0, 0);"));
    ASSERT_OK(store::SyncIdentityColumns(*db_));
  }

  Containment Make() { return Containment(*db_, clock_, {}, {}); }
  Result<Released> ReleaseAfterFailedSuspension(
      std::string_view status, const identity::AgentDirectory::BeforeCommit& before_reinstate = {});
  session::SessionStore Sessions() { return session::SessionStore(*db_, clock_, {}); }
  static std::string Jkt(std::string_view name) {
    return crypto::Base64UrlEncode(crypto::Sha256(name));
  }
  int64_t ActivationCodes() {
    auto count = db_->Prepare("SELECT COUNT(*) FROM activation_code");
    EXPECT_TRUE(count.has_value());
    if (!count || !(*count)->Step().value_or(false)) return -1;
    const int64_t codes = (*count)->ColumnInt(0);
    EXPECT_OK((*count)->Run());
    return codes;
  }
  AccessBar Bar(int64_t agent) {
    auto bar = AccessBarred(*db_, agent);
    EXPECT_TRUE(bar.has_value());
    return bar.value_or(AccessBar{});
  }
  std::string Status(int64_t agent) {
    auto found = identity::AgentDirectory(*db_, clock_).GetAgent(agent);
    return found ? std::string(identity::AgentStatusName(found->status)) : "?";
  }

  store::testing::SuiteDatabase database_;
  std::unique_ptr<store::Connection> db_;
  FakeClock clock_{TimePoint(std::chrono::seconds(kStart))};
};

TEST_F(ContainmentTest, AUnitIsSuspendedAndEverySessionDiesAtOnce) {
  auto mine = Sessions().Create(1, Jkt("k1"));
  auto theirs = Sessions().Create(5, Jkt("k5"));
  auto officer = Sessions().Create(3, Jkt("k3"));
  ASSERT_OK(mine);
  ASSERT_OK(theirs);
  ASSERT_OK(officer);
  auto contained = Make().Contain({.scope = {.unit_code = "BR-75"},
                                   .reason = "sweep from an unknown network",
                                   .by = "SO-1"});
  ASSERT_OK(contained);
  // The unit's agents (not its officer, not the disabled one).
  EXPECT_EQ(contained->incident.agents, (std::vector<std::string>{"A-1", "A-2", "A-4"}));
  EXPECT_EQ(contained->incident.scope, "unit BR-75");
  EXPECT_EQ(contained->incident.opened_by, "SO-1");
  EXPECT_EQ(contained->sessions_revoked, 1);
  EXPECT_EQ(Status(1), "suspended");
  EXPECT_EQ(Status(2), "suspended");
  EXPECT_TRUE(Bar(1).contained);
  EXPECT_FALSE(Bar(5).contained);
  EXPECT_FALSE(Bar(1).lockdown);
  EXPECT_THAT(Sessions().Authenticate(mine->access_token.reveal(), Jkt("k1")),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_THAT(Sessions().Refresh(mine->refresh_token.reveal(), Jkt("k1")),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
  EXPECT_OK(Sessions().Authenticate(theirs->access_token.reveal(), Jkt("k5")));
  EXPECT_OK(Sessions().Authenticate(officer->access_token.reveal(), Jkt("k3")));
}

TEST_F(ContainmentTest, NamedAgentsIncludeOfficersAndEveryoneLeavesThemOut) {
  auto named = Make().Contain({.scope = {.service_numbers = {"SO-1", "A-5", "A-5"}},
                               .reason = "officer account phished",
                               .by = "local-operator"});
  ASSERT_OK(named);
  EXPECT_EQ(named->incident.agents, (std::vector<std::string>{"A-5", "SO-1"}));
  // What Contain answers is the incident as stored.
  auto stored = Make().Get(named->incident.id);
  ASSERT_OK(stored);
  EXPECT_EQ(named->incident.agents, stored->agents);
  EXPECT_EQ(named->incident.agent_count, stored->agent_count);
  EXPECT_EQ(named->incident.scope, stored->scope);
  EXPECT_EQ(named->incident.reason, stored->reason);
  EXPECT_EQ(named->incident.opened_by, stored->opened_by);
  EXPECT_EQ(named->incident.opened_at, stored->opened_at);
  EXPECT_EQ(named->incident.lockdown, stored->lockdown);
  EXPECT_FALSE(stored->released_at.has_value());
  auto everyone = Make().Contain({.scope = {.everyone = true}, .reason = "r", .by = "x"});
  ASSERT_OK(everyone);
  EXPECT_EQ(everyone->incident.agents, (std::vector<std::string>{"A-1", "A-2", "A-4", "A-5"}));
}

// An officer who also administers (an account made before the two were
// kept apart) is not spared: left in, they could reset any agent and act
// with its code.
TEST_F(ContainmentTest, AnOfficerWhoAdministersIsContainedWithEveryone) {
  const std::string sealed = store::testing::BytesLiteral(db_->dialect(), "00");
  ASSERT_OK(db_->ExecuteScript(
      "INSERT INTO agent (id, service_number, display_name, unit_id, roles, status, "
      "password_hash, totp_key_id, totp_sealed, created_at, updated_at) VALUES "
      "(7, 'SO-ADM', 'Both', 1, 'security_officer,administrator', 'active', 'x', 1, " +
      sealed + ", 0, 0);"));
  ASSERT_OK(store::SyncIdentityColumns(*db_));
  auto unit = Make().Contain({.scope = {.unit_code = "BR-75"}, .reason = "r", .by = "SO-1"});
  ASSERT_OK(unit);
  EXPECT_EQ(unit->incident.agents, (std::vector<std::string>{"A-1", "A-2", "A-4", "SO-ADM"}));
}

TEST_F(ContainmentTest, LockdownBarsEveryoneUntilReleased) {
  auto locked = Make().Contain({.reason = "portal under attack", .lockdown = true, .by = "SO-1"});
  ASSERT_OK(locked);
  EXPECT_TRUE(locked->incident.agents.empty());
  EXPECT_EQ(locked->incident.scope, "none");
  EXPECT_TRUE(Bar(1).lockdown);
  EXPECT_TRUE(Bar(3).lockdown);  // the app lets officers through
  // The release commits only once its hook (the caller's audit record) has
  // run: failing, it lifts nothing.
  EXPECT_THAT(Make().Release(locked->incident.id, "SO-1", ReleaseMode::kReinstate, {}, {},
                             [](const Incident&) -> Result<void> {
                               return Fail(ErrorCode::kUnavailable, "audit log down");
                             }),
              ErrorCodeIs(ErrorCode::kUnavailable));
  EXPECT_TRUE(Bar(1).lockdown);
  auto still = Make().Get(locked->incident.id);
  ASSERT_OK(still);
  EXPECT_FALSE(still->released_at.has_value());
  int recorded = 0;
  ASSERT_OK(Make().Release(locked->incident.id, "SO-1", ReleaseMode::kReinstate, {}, {},
                           [&](const Incident& incident) -> Result<void> {
                             EXPECT_EQ(incident.id, locked->incident.id);
                             ++recorded;
                             return {};
                           }));
  EXPECT_EQ(recorded, 1);
  EXPECT_FALSE(Bar(1).lockdown);
}

TEST_F(ContainmentTest, ReleaseResetsForANewPasswordAndFactor) {
  auto contained = Make().Contain({.scope = {.service_numbers = {"A-1", "A-2"}}, .reason = "r",
                                   .by = "SO-1"});
  ASSERT_OK(contained);
  int hooks = 0;
  auto released = Make().Release(contained->incident.id, "SO-1", ReleaseMode::kReset,
                                 [&](const identity::Agent&) -> Result<void> {
                                   ++hooks;
                                   return {};
                                 });
  ASSERT_OK(released);
  EXPECT_EQ(hooks, 2);
  ASSERT_EQ(released->reset.size(), 2u);
  EXPECT_EQ(released->reset[0].service_number, "A-1");
  EXPECT_EQ(Status(1), "pending_activation");
  EXPECT_EQ(ActivationCodes(), 0) << "an administrator issues the codes, not the officer";
  EXPECT_FALSE(Bar(1).contained);
  ASSERT_TRUE(released->incident.released_at.has_value());
  EXPECT_EQ(released->incident.released_by, "SO-1");
  EXPECT_THAT(Make().Release(contained->incident.id, "SO-1", ReleaseMode::kReset),
              ErrorCodeIs(ErrorCode::kConflict));
}

TEST_F(ContainmentTest, ReinstateRestoresWhatWasAndRespectsOtherIncidents) {
  auto first = Make().Contain({.scope = {.unit_code = "BR-75"}, .reason = "r", .by = "SO-1"});
  auto second = Make().Contain({.scope = {.service_numbers = {"A-2"}}, .reason = "r2", .by = "SO-1"});
  ASSERT_OK(first);
  ASSERT_OK(second);
  auto released = Make().Release(first->incident.id, "SO-1", ReleaseMode::kReinstate);
  ASSERT_OK(released);
  EXPECT_EQ(released->still_contained, (std::vector<std::string>{"A-2"}));
  EXPECT_EQ(Status(1), "active");
  EXPECT_EQ(Status(2), "suspended");
  EXPECT_EQ(Status(4), "suspended");  // it was suspended before the incident
  ASSERT_EQ(released->kept_suspended.size(), 1u);
  EXPECT_EQ(released->kept_suspended[0].service_number, "A-4");
  for (const identity::Agent& agent : released->reinstated) EXPECT_NE(agent.service_number, "A-4");
  EXPECT_TRUE(Bar(2).contained);
}

// An agent held by two incidents comes back as it was before the first,
// whichever is released last: the second incident found it suspended by the
// first, not before it.
TEST_F(ContainmentTest, AnAgentHeldTwiceIsResetWhenTheLastIncidentIsReleased) {
  auto first = Make().Contain({.scope = {.unit_code = "BR-75"}, .reason = "r", .by = "SO-1"});
  auto second = Make().Contain({.scope = {.service_numbers = {"A-2"}}, .reason = "r2", .by = "SO-1"});
  ASSERT_OK(first);
  ASSERT_OK(second);
  ASSERT_OK(Make().Release(first->incident.id, "SO-1", ReleaseMode::kReset));
  EXPECT_EQ(Status(2), "suspended");
  auto released = Make().Release(second->incident.id, "SO-1", ReleaseMode::kReset);
  ASSERT_OK(released);
  EXPECT_TRUE(released->kept_suspended.empty());
  ASSERT_EQ(released->reset.size(), 1u);
  EXPECT_EQ(released->reset[0].service_number, "A-2");
  EXPECT_EQ(Status(2), "pending_activation");
}

TEST_F(ContainmentTest, AnAgentNamedTwiceInAnotherCaseIsHeldOnce) {
  auto contained = Make().Contain(
      {.scope = {.service_numbers = {"A-1", "a-1", "A-2"}}, .reason = "r", .by = "SO-1"});
  ASSERT_OK(contained);
  EXPECT_EQ(contained->incident.agents, (std::vector<std::string>{"A-1", "A-2"}));
  EXPECT_EQ(Status(1), "suspended");
}

// One agent's failure at release does not stop the others from being
// released, and is reported, not lost.
TEST_F(ContainmentTest, AFailedAgentDoesNotStopTheRestOfTheRelease) {
  auto contained = Make().Contain({.scope = {.service_numbers = {"A-1", "A-2", "A-5"}},
                                   .reason = "r",
                                   .by = "SO-1"});
  ASSERT_OK(contained);
  auto released = Make().Release(contained->incident.id, "SO-1", ReleaseMode::kReset,
                                 [](const identity::Agent& agent) -> Result<void> {
                                   if (agent.service_number == "A-2") {
                                     return Fail(ErrorCode::kUnavailable, "audit log down");
                                   }
                                   return {};
                                 });
  ASSERT_OK(released);
  EXPECT_TRUE(released->released_now);
  EXPECT_EQ(released->not_released, (std::vector<std::string>{"A-2"}));
  std::vector<std::string> reset;
  for (const identity::Agent& agent : released->reset) reset.push_back(agent.service_number);
  EXPECT_EQ(reset, (std::vector<std::string>{"A-1", "A-5"}));
  EXPECT_EQ(Status(1), "pending_activation");
  EXPECT_EQ(Status(2), "suspended");
  EXPECT_EQ(Status(5), "pending_activation");
  EXPECT_TRUE(Bar(2).contained) << "its hold stays, for the release to be finished";
  auto unfinished = Make().Get(contained->incident.id);
  ASSERT_OK(unfinished);
  EXPECT_TRUE(unfinished->released_at.has_value());
  EXPECT_EQ(unfinished->unreleased_count, 1) << "what a list shows, to release it again";
  EXPECT_EQ(unfinished->release_mode, ReleaseMode::kReset);
  auto open = Make().List(/*open_only=*/true);
  ASSERT_OK(open);
  ASSERT_EQ(open->size(), 1u) << "its hold still bars A-2";
  EXPECT_EQ(open->front().id, contained->incident.id);
  // A reset decided is not turned into a reinstatement by the next officer.
  EXPECT_THAT(Make().Release(contained->incident.id, "SO-2", ReleaseMode::kReinstate),
              ErrorCodeIs(ErrorCode::kConflict));
  EXPECT_EQ(Status(2), "suspended");
  auto finished = Make().Release(contained->incident.id, "SO-1", ReleaseMode::kReset);
  ASSERT_OK(finished);
  EXPECT_FALSE(finished->released_now) << "it finished a release, made before";
  ASSERT_EQ(finished->reset.size(), 1u);
  EXPECT_EQ(finished->reset[0].service_number, "A-2");
  EXPECT_EQ(Status(2), "pending_activation");
  EXPECT_FALSE(Bar(2).contained);
  auto listed = Make().List(/*open_only=*/false);
  ASSERT_OK(listed);
  ASSERT_FALSE(listed->empty());
  EXPECT_EQ(listed->front().unreleased_count, 0);
  EXPECT_TRUE(Make().List(/*open_only=*/true)->empty());
}

// A release made while a containment still suspends its agents one by one
// (here as A-1 is suspended: a trigger lifts A-2's hold, as the release
// would) leaves A-2 as the release left it, not suspended by no incident.
TEST_F(ContainmentTest, AnAgentReleasedWhileTheContainmentRunsIsNotSuspendedAfter) {
  const std::string lift = "UPDATE incident_agent SET lifted_at = 1 WHERE agent_id = 2";
  ASSERT_OK(db_->ExecuteScript(
      db_->dialect() == store::Dialect::kSqlite
          ? "CREATE TRIGGER released_meanwhile AFTER UPDATE OF status ON agent "
            "WHEN NEW.id = 1 AND NEW.status = 'suspended' BEGIN " +
                lift + "; END;"
          : "CREATE FUNCTION released_meanwhile() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN " +
                lift +
                "; RETURN NEW; END $$;"
                "CREATE TRIGGER released_meanwhile AFTER UPDATE OF status ON agent FOR EACH ROW "
                "WHEN (NEW.id = 1 AND NEW.status = 'suspended') "
                "EXECUTE FUNCTION released_meanwhile();"));
  auto contained = Make().Contain(
      {.scope = {.service_numbers = {"A-1", "A-2"}}, .reason = "false alarm", .by = "SO-1"});
  ASSERT_OK(contained);
  EXPECT_EQ(Status(1), "suspended");
  EXPECT_EQ(Status(2), "active");
  EXPECT_TRUE(contained->not_suspended.empty());
  EXPECT_EQ(contained->released_meanwhile, (std::vector<std::string>{"A-2"}));
  EXPECT_FALSE(Bar(2).contained);
}

// Released before the mode was recorded (migration 14): the first release
// run again sets the mode, which the rest must then use.
TEST_F(ContainmentTest, AnIncidentReleasedBeforeModesWereRecordedTakesTheModeThatFinishesIt) {
  auto contained =
      Make().Contain({.scope = {.service_numbers = {"A-1", "A-2"}}, .reason = "r", .by = "SO-1"});
  ASSERT_OK(contained);
  const int64_t id = contained->incident.id;
  const auto refuse_a2 = [](const identity::Agent& agent) -> Result<void> {
    if (agent.service_number == "A-2") return Fail(ErrorCode::kUnavailable, "audit log down");
    return {};
  };
  ASSERT_OK(Make().Release(id, "SO-1", ReleaseMode::kReset, refuse_a2));
  ASSERT_OK(db_->ExecuteScript("UPDATE incident SET release_mode = NULL"));
  auto finishing = Make().Release(id, "SO-2", ReleaseMode::kReinstate, {}, refuse_a2);
  ASSERT_OK(finishing);
  EXPECT_EQ(finishing->not_released, (std::vector<std::string>{"A-2"}));
  EXPECT_EQ(finishing->incident.release_mode, ReleaseMode::kReinstate);
  EXPECT_THAT(Make().Release(id, "SO-1", ReleaseMode::kReset), ErrorCodeIs(ErrorCode::kConflict));
  ASSERT_OK(Make().Release(id, "SO-2", ReleaseMode::kReinstate));
  EXPECT_EQ(Status(2), "active");
}

std::vector<std::string> ResetAgents(const Released& released) {
  std::vector<std::string> reset;
  for (const identity::Agent& agent : released.reset) reset.push_back(agent.service_number);
  return reset;
}

// A reset gives every agent it holds new credentials; one suspended before
// the incident swept it in stays suspended (lifting that is a decision of
// its own), its old credentials gone all the same.
TEST_F(ContainmentTest, AResetLeavesAnAgentSuspendedBeforeTheIncidentSuspendedWithNewCredentials) {
  auto contained = Make().Contain({.scope = {.unit_code = "BR-75"}, .reason = "r", .by = "SO-1"});
  ASSERT_OK(contained);
  auto released = Make().Release(contained->incident.id, "SO-1", ReleaseMode::kReset);
  ASSERT_OK(released);
  EXPECT_EQ(ResetAgents(*released), (std::vector<std::string>{"A-1", "A-2", "A-4"}));
  EXPECT_EQ(Status(1), "pending_activation");
  EXPECT_EQ(Status(4), "suspended");
  EXPECT_TRUE(released->reinstated.empty());
  ASSERT_EQ(released->kept_suspended.size(), 1u);
  EXPECT_EQ(released->kept_suspended[0].service_number, "A-4");
  // Reinstated later, it comes back to activate, not with what it had.
  ASSERT_OK(identity::AgentDirectory(*db_, clock_).Reinstate("A-4"));
  EXPECT_EQ(Status(4), "pending_activation");
}

// Suspended before the incident, made active while held (by a change no
// command allows): a reset still erases its credentials, and the release
// names it to be checked.
TEST_F(ContainmentTest, AResetReachesAnAgentSuspendedBeforeAndActiveSince) {
  auto contained = Make().Contain({.scope = {.unit_code = "BR-75"}, .reason = "r", .by = "SO-1"});
  ASSERT_OK(contained);
  ASSERT_OK(db_->ExecuteScript("UPDATE agent SET status = 'active' WHERE id = 4;"));
  auto released = Make().Release(contained->incident.id, "SO-1", ReleaseMode::kReset);
  ASSERT_OK(released);
  EXPECT_EQ(ResetAgents(*released), (std::vector<std::string>{"A-1", "A-2", "A-4"}));
  EXPECT_EQ(released->not_released, (std::vector<std::string>{"A-4"}));
  EXPECT_NE(Status(4), "active");
}

// The reset a release orders reaches an agent another incident still
// holds: when that incident is released as a false alarm, the agent does
// not come back with the credentials the first incident was about.
TEST_F(ContainmentTest, AResetReachesAnAgentStillHeldByAnotherIncident) {
  auto first = Make().Contain({.scope = {.unit_code = "BR-75"}, .reason = "r", .by = "SO-1"});
  auto second = Make().Contain({.scope = {.everyone = true}, .reason = "r2", .by = "SO-1"});
  ASSERT_OK(first);
  ASSERT_OK(second);
  auto reset = Make().Release(first->incident.id, "SO-1", ReleaseMode::kReset);
  ASSERT_OK(reset);
  EXPECT_EQ(reset->still_contained, (std::vector<std::string>{"A-1", "A-2", "A-4"}));
  EXPECT_EQ(ResetAgents(*reset), (std::vector<std::string>{"A-1", "A-2", "A-4"}));
  EXPECT_EQ(Status(2), "suspended");
  EXPECT_TRUE(Bar(2).contained);
  auto false_alarm = Make().Release(second->incident.id, "SO-1", ReleaseMode::kReinstate);
  ASSERT_OK(false_alarm);
  EXPECT_EQ(Status(2), "pending_activation");
  EXPECT_EQ(Status(5), "active") << "held by the second incident alone";
}

// Suspended by an administrator (or detection) while the incident holds
// it: that suspension is not the incident's to lift.
TEST_F(ContainmentTest, ASuspensionDuringTheIncidentOutlivesItsRelease) {
  auto contained =
      Make().Contain({.scope = {.service_numbers = {"A-1", "A-2"}}, .reason = "r", .by = "SO-1"});
  ASSERT_OK(contained);
  ASSERT_OK(KeepSuspendedAfterRelease(*db_, 1));  // what suspending A-1 now does
  auto released = Make().Release(contained->incident.id, "SO-1", ReleaseMode::kReinstate);
  ASSERT_OK(released);
  EXPECT_EQ(Status(1), "suspended");
  EXPECT_EQ(Status(2), "active");
  ASSERT_EQ(released->kept_suspended.size(), 1u);
  EXPECT_EQ(released->kept_suspended[0].service_number, "A-1");
}

// What a release's first step leaves when the rest is cut short (or has
// not run yet): the incident marked released, its holds not yet lifted.
void MarkReleasedOnly(store::Connection& db, int64_t incident_id) {
  ASSERT_OK(
      db.ExecuteScript("UPDATE incident SET released_at = 1, released_by = 'SO-1' "
                       "WHERE id = " +
                       std::to_string(incident_id)));
}

// Released, not yet lifted: the agents stay barred, and releasing again
// lifts what is left; once everything is lifted a release is refused.
TEST_F(ContainmentTest, AReleaseCutShortIsFinishedByReleasingAgain) {
  auto contained =
      Make().Contain({.scope = {.service_numbers = {"A-1", "A-2"}}, .reason = "r", .by = "SO-1"});
  ASSERT_OK(contained);
  ASSERT_NO_FATAL_FAILURE(MarkReleasedOnly(*db_, contained->incident.id));
  EXPECT_TRUE(Bar(1).contained) << "barred until its hold is lifted";
  auto finished = Make().Release(contained->incident.id, "SO-2", ReleaseMode::kReinstate);
  ASSERT_OK(finished);
  EXPECT_EQ(finished->reinstated.size(), 2u);
  EXPECT_EQ(Status(1), "active");
  EXPECT_FALSE(Bar(1).contained);
  EXPECT_EQ(finished->incident.released_by, "SO-1") << "the first release's, kept";
  EXPECT_THAT(Make().Release(contained->incident.id, "SO-1", ReleaseMode::kReinstate),
              ErrorCodeIs(ErrorCode::kConflict));
}

// A containment landing between a release's first step and the lifting of
// its holds takes the status the first incident kept (active), not the
// suspension it finds: released in turn, the agent comes back. The first
// release then leaves it to the second.
TEST_F(ContainmentTest, AContainmentDuringAReleaseKeepsWhatTheAgentWasBeforeEither) {
  auto first = Make().Contain({.scope = {.service_numbers = {"A-1"}}, .reason = "r", .by = "SO-1"});
  ASSERT_OK(first);
  ASSERT_NO_FATAL_FAILURE(MarkReleasedOnly(*db_, first->incident.id));
  auto second =
      Make().Contain({.scope = {.service_numbers = {"A-1"}}, .reason = "r2", .by = "SO-1"});
  ASSERT_OK(second);
  auto released = Make().Release(first->incident.id, "SO-1", ReleaseMode::kReinstate);
  ASSERT_OK(released);
  EXPECT_EQ(released->still_contained, (std::vector<std::string>{"A-1"}));
  EXPECT_EQ(Status(1), "suspended");
  EXPECT_TRUE(Bar(1).contained);
  auto last = Make().Release(second->incident.id, "SO-1", ReleaseMode::kReinstate);
  ASSERT_OK(last);
  EXPECT_TRUE(last->kept_suspended.empty());
  EXPECT_EQ(Status(1), "active");
  EXPECT_FALSE(Bar(1).contained);
}

// A suspension (by an administrator, by detection) landing in the same gap
// is one the release does not lift.
TEST_F(ContainmentTest, ASuspensionDuringAReleaseOutlivesIt) {
  auto contained =
      Make().Contain({.scope = {.service_numbers = {"A-1", "A-2"}}, .reason = "r", .by = "SO-1"});
  ASSERT_OK(contained);
  ASSERT_NO_FATAL_FAILURE(MarkReleasedOnly(*db_, contained->incident.id));
  ASSERT_OK(KeepSuspendedAfterRelease(*db_, 1));  // what suspending A-1 now does, first
  auto released = Make().Release(contained->incident.id, "SO-1", ReleaseMode::kReset);
  ASSERT_OK(released);
  EXPECT_EQ(Status(1), "suspended");
  ASSERT_EQ(released->kept_suspended.size(), 1u);
  EXPECT_EQ(released->kept_suspended[0].service_number, "A-1");
  EXPECT_EQ(ResetAgents(*released), (std::vector<std::string>{"A-1", "A-2"}));
}

// Migration 9 counts the holds of incidents released before it as lifted,
// and those of open ones as holding; migration 11 writes down how many
// agents each holds.
TEST(ContainmentMigrationTest, IncidentsOpenedBeforeMigrations9And11AreUpgraded) {
  store::testing::SuiteDatabase database;
  auto opened = store::Open(database.url());
  ASSERT_TRUE(opened.has_value());
  store::Connection& db = **opened;
  const auto schema = store::VigieSchema(db.dialect());
  ASSERT_OK(store::Migrate(db, schema.first(8)));
  const std::string sealed = store::testing::BytesLiteral(db.dialect(), "00");
  ASSERT_OK(db.ExecuteScript(
      "INSERT INTO unit (id, code, name, kind, created_at) VALUES (1, 'BR-75', 'B', 'police', 0);"
      "INSERT INTO agent (id, service_number, display_name, unit_id, roles, status, "
      "password_hash, totp_key_id, totp_sealed, created_at, updated_at) VALUES "
      "(1, 'A-1', 'One', 1, 'agent', 'active', 'x', 1, " +
      sealed +
      ", 0, 0),"
      "(2, 'A-2', 'Two', 1, 'agent', 'suspended', 'x', 1, " +
      sealed +
      ", 0, 0);"
      "INSERT INTO incident (id, opened_at, opened_by, reason, scope, lockdown, released_at, "
      "released_by) VALUES (1, 1, 'SO-1', 'r', 'agents A-1', 0, 2, 'SO-1'), "
      "(2, 3, 'SO-1', 'r', 'agents A-2', 0, NULL, NULL), "
      "(3, 4, 'SO-1', 'r', 'lockdown', 1, 5, 'SO-1');"
      "INSERT INTO incident_agent (incident_id, agent_id, prior_status) VALUES "
      "(1, 1, 'active'), (1, 2, 'active'), (2, 2, 'active');"));
  ASSERT_OK(store::Migrate(db, schema));
  auto released = AccessBarred(db, 1);
  auto open = AccessBarred(db, 2);
  ASSERT_TRUE(released.has_value() && open.has_value());
  EXPECT_FALSE(released->contained);
  EXPECT_TRUE(open->contained);
  auto counts = db.Prepare("SELECT id, agent_count FROM incident ORDER BY id");
  ASSERT_TRUE(counts.has_value());
  std::vector<std::pair<int64_t, int64_t>> read;
  while ((*counts)->Step().value_or(false)) {
    read.emplace_back((*counts)->ColumnInt(0), (*counts)->ColumnInt(1));
  }
  EXPECT_EQ(read, (std::vector<std::pair<int64_t, int64_t>>{{1, 2}, {2, 1}, {3, 0}}));
  // A node of the release before, still running during the upgrade, opens
  // an incident without the count: it is counted when read.
  ASSERT_OK(db.ExecuteScript(
      "INSERT INTO incident (id, opened_at, opened_by, reason, scope, lockdown) "
      "VALUES (4, 6, 'SO-1', 'r', 'agents A-1', 0);"
      "INSERT INTO incident_agent (incident_id, agent_id, prior_status) VALUES (4, 1, 'active');"));
  FakeClock clock(std::chrono::sys_days{std::chrono::year{2026} / 11 / 27});
  auto left_by_old_node = Containment(db, clock, {}, {}).Get(4);
  ASSERT_OK(left_by_old_node);
  EXPECT_EQ(left_by_old_node->agent_count, 1);
}

// Writes to the status of agents `ids` ("1, 2") fail, as a failing disk or
// a held row would make their suspension fail.
std::string RefuseSuspendingSql(store::Dialect dialect, const std::string& ids) {
  if (dialect == store::Dialect::kPostgres) {
    return "CREATE FUNCTION refuse_suspend() RETURNS trigger AS 'BEGIN IF OLD.id IN (" + ids +
           ") AND NEW.status = ''suspended'' THEN RAISE EXCEPTION ''disk trouble''; END IF; "
           "RETURN NEW; END' LANGUAGE plpgsql; CREATE TRIGGER refuse_suspend BEFORE UPDATE ON "
           "agent FOR EACH ROW EXECUTE FUNCTION refuse_suspend();";
  }
  return "CREATE TRIGGER refuse_suspend BEFORE UPDATE ON agent WHEN OLD.id IN (" + ids +
         ") AND NEW.status = 'suspended' BEGIN SELECT RAISE(ABORT, 'disk trouble'); END;";
}

// Its suspension failed, but its sessions end all the same: the incident
// alone would only refuse them until the release.
TEST_F(ContainmentTest, AnAgentWhoseSuspensionFailedLosesItsSessionsAllTheSame) {
  auto session = Sessions().Create(1, Jkt("k1"));
  ASSERT_OK(session);
  ASSERT_OK(db_->ExecuteScript(RefuseSuspendingSql(db_->dialect(), "1")));
  auto contained =
      Make().Contain({.scope = {.service_numbers = {"A-1"}}, .reason = "r", .by = "SO-1"});
  ASSERT_OK(contained);
  EXPECT_EQ(contained->not_suspended, (std::vector<std::string>{"A-1"}));
  EXPECT_EQ(contained->sessions_revoked, 1);
  EXPECT_EQ(Status(1), "active");
  EXPECT_THAT(Sessions().Authenticate(session->access_token.reveal(), Jkt("k1")),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
}

// Those whose suspension failed are listed as the incident's agents are,
// not in the order the request named them.
TEST_F(ContainmentTest, AgentsNotSuspendedAreListedByServiceNumber) {
  ASSERT_OK(db_->ExecuteScript(RefuseSuspendingSql(db_->dialect(), "1, 2")));
  auto contained =
      Make().Contain({.scope = {.service_numbers = {"A-2", "A-1"}}, .reason = "r", .by = "SO-1"});
  ASSERT_OK(contained);
  EXPECT_EQ(contained->not_suspended, (std::vector<std::string>{"A-1", "A-2"}));
  EXPECT_EQ(contained->incident.agents, (std::vector<std::string>{"A-1", "A-2"}));
}

// A session that slipped in during the incident (a login racing the
// containment) does not outlive a reset: the agent's next activation must
// not bring it back.
TEST_F(ContainmentTest, AReleaseThatResetsEndsTheAgentsSessions) {
  auto contained =
      Make().Contain({.scope = {.service_numbers = {"A-1"}}, .reason = "r", .by = "SO-1"});
  ASSERT_OK(contained);
  auto slipped = Sessions().Create(1, Jkt("k1"));
  ASSERT_OK(slipped);
  ASSERT_OK(Make().Release(contained->incident.id, "SO-1", ReleaseMode::kReset));
  EXPECT_EQ(Status(1), "pending_activation");
  EXPECT_THAT(Sessions().Authenticate(slipped->access_token.reveal(), Jkt("k1")),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
}

// The same when the release reinstates: a session live at the release
// predates the containment (its revocation failed, or a login raced it)
// and does not come back with the agent.
TEST_F(ContainmentTest, AReleaseThatReinstatesEndsTheSessionsLeftOver) {
  auto contained =
      Make().Contain({.scope = {.service_numbers = {"A-1"}}, .reason = "r", .by = "SO-1"});
  ASSERT_OK(contained);
  auto slipped = Sessions().Create(1, Jkt("k1"));
  ASSERT_OK(slipped);
  auto released = Make().Release(contained->incident.id, "SO-1", ReleaseMode::kReinstate);
  ASSERT_OK(released);
  EXPECT_EQ(Status(1), "active");
  EXPECT_THAT(Sessions().Authenticate(slipped->access_token.reveal(), Jkt("k1")),
              ErrorCodeIs(ErrorCode::kUnauthenticated));
}

// Ending that session and lifting the hold are one transaction: when the
// session cannot be ended, the agent is not released (still suspended,
// still held, the session still barred), and releasing again finishes.
TEST_F(ContainmentTest, AReleaseThatCannotEndASessionLeftOverDoesNotReleaseTheAgent) {
  // One incident per mode (an incident is finished in the mode it was
  // released in): A-1 reinstated, A-2 reset.
  const std::array<ReleaseMode, 2> modes = {ReleaseMode::kReinstate, ReleaseMode::kReset};
  std::vector<int64_t> incidents;
  std::vector<session::IssuedTokens> slipped;
  for (const char* agent : {"A-1", "A-2"}) {
    auto contained =
        Make().Contain({.scope = {.service_numbers = {agent}}, .reason = "r", .by = "SO-1"});
    ASSERT_OK(contained);
    incidents.push_back(contained->incident.id);
  }
  for (int64_t agent : {1, 2}) {
    auto tokens = Sessions().Create(agent, Jkt("k" + std::to_string(agent)));
    ASSERT_OK(tokens);
    slipped.push_back(std::move(*tokens));
  }
  const bool postgres = db_->dialect() == store::Dialect::kPostgres;
  ASSERT_OK(db_->ExecuteScript(
      postgres ? "CREATE FUNCTION refuse_end() RETURNS trigger AS 'BEGIN RAISE EXCEPTION ''disk "
                 "trouble''; END' LANGUAGE plpgsql; CREATE TRIGGER refuse_end BEFORE UPDATE ON "
                 "session FOR EACH ROW EXECUTE FUNCTION refuse_end();"
               : "CREATE TRIGGER refuse_end BEFORE UPDATE ON session "
                 "BEGIN SELECT RAISE(ABORT, 'disk trouble'); END;"));
  for (size_t i = 0; i < modes.size(); ++i) {
    ::testing::internal::CaptureStderr();
    auto refused = Make().Release(incidents[i], "SO-1", modes[i]);
    const std::string logged = ::testing::internal::GetCapturedStderr();
    // The session's own error, not a change of holds to go round for.
    EXPECT_NE(logged.find("disk trouble"), std::string::npos) << logged;
    EXPECT_EQ(logged.find("kept changing"), std::string::npos) << logged;
    ASSERT_OK(refused);
    const std::string agent = "A-" + std::to_string(i + 1);
    EXPECT_EQ(refused->not_released, (std::vector<std::string>{agent}));
    EXPECT_TRUE(refused->reinstated.empty());
    EXPECT_TRUE(refused->reset.empty());
    EXPECT_EQ(Status(static_cast<int64_t>(i) + 1), "suspended");
    EXPECT_TRUE(Bar(static_cast<int64_t>(i) + 1).contained) << "still held";
  }
  ASSERT_OK(db_->ExecuteScript(postgres ? "DROP TRIGGER refuse_end ON session;"
                                        : "DROP TRIGGER refuse_end;"));
  for (size_t i = 0; i < modes.size(); ++i) {
    ASSERT_OK(Make().Release(incidents[i], "SO-1", modes[i]));
    EXPECT_THAT(
        Sessions().Authenticate(slipped[i].access_token.reveal(), Jkt("k" + std::to_string(i + 1))),
        ErrorCodeIs(ErrorCode::kUnauthenticated));
  }
  EXPECT_EQ(Status(1), "active");
  EXPECT_EQ(Status(2), "pending_activation");
}

// A-5, `status` when contained, its suspension failing, found active at a
// reinstating release (`before_reinstate` passed to it).
Result<Released> ContainmentTest::ReleaseAfterFailedSuspension(
    std::string_view status, const identity::AgentDirectory::BeforeCommit& before_reinstate) {
  RETURN_IF_ERROR(
      db_->ExecuteScript("UPDATE agent SET status = '" + std::string(status) + "' WHERE id = 5;"));
  RETURN_IF_ERROR(db_->ExecuteScript(RefuseSuspendingSql(db_->dialect(), "5")));
  ASSIGN_OR_RETURN(
      Contained contained,
      Make().Contain({.scope = {.service_numbers = {"A-5"}}, .reason = "r", .by = "SO-1"}));
  EXPECT_EQ(contained.not_suspended, (std::vector<std::string>{"A-5"}));
  RETURN_IF_ERROR(db_->ExecuteScript(db_->dialect() == store::Dialect::kPostgres
                                         ? "DROP TRIGGER refuse_suspend ON agent;"
                                         : "DROP TRIGGER refuse_suspend;"));
  RETURN_IF_ERROR(db_->ExecuteScript("UPDATE agent SET status = 'active' WHERE id = 5;"));
  return Make().Release(contained.incident.id, "SO-1", ReleaseMode::kReinstate, {},
                        before_reinstate);
}

// Pending when contained, its suspension failed, then activated while held
// (by whoever had its code): the release neither counts it reinstated nor
// lets it back in: its hold gives way to a suspension, for an administrator.
TEST_F(ContainmentTest, AnAgentActivatedWhileHeldIsNotBlessedByTheRelease) {
  auto released = ReleaseAfterFailedSuspension("pending_activation");
  ASSERT_OK(released);
  EXPECT_TRUE(released->reinstated.empty());
  EXPECT_EQ(released->not_released, (std::vector<std::string>{"A-5"}));
  EXPECT_EQ(Status(5), "suspended");
  EXPECT_FALSE(Bar(5).contained);  // no longer held: an administrator may reinstate or reset it
}

// Locked out when held (its suspension failed), active again once the lock
// ran out: that is the agent as it was, reinstated by the release.
TEST_F(ContainmentTest, AnAgentLockedWhenHeldAndActiveSinceIsReinstated) {
  auto released = ReleaseAfterFailedSuspension("locked");
  ASSERT_OK(released);
  EXPECT_TRUE(released->not_released.empty());
  ASSERT_EQ(released->reinstated.size(), 1u);
  EXPECT_EQ(released->reinstated[0].service_number, "A-5");
}

// The same agent, its reinstatement refused by the audit log: back in
// service only once that is recorded, so still held.
TEST_F(ContainmentTest, AnAgentFoundActiveIsNotLetInUnlessItsReinstatementIsRecorded) {
  auto released = ReleaseAfterFailedSuspension("locked", [](const identity::Agent&) {
    return Result<void>(Fail(ErrorCode::kUnavailable, "the audit log is down"));
  });
  ASSERT_OK(released);
  EXPECT_TRUE(released->reinstated.empty());
  EXPECT_EQ(released->not_released, (std::vector<std::string>{"A-5"}));
  EXPECT_TRUE(Bar(5).contained);
}

TEST_F(ContainmentTest, BadRequestsChangeNothing) {
  EXPECT_THAT(Make().Contain({.scope = {.unit_code = "BR-75"}, .reason = "  ", .by = "x"}),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(Make().Contain({.scope = {.unit_code = "BR-75"}, .reason = "bad \xc3", .by = "x"}),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(Make().Contain({.scope = {.unit_code = "BR-75"}, .reason = std::string(501, 'r'),
                              .by = "x"}),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(Make().Contain({.scope = {.service_numbers = {"A-1", "NOBODY"}}, .reason = "r",
                              .by = "x"}),
              ErrorCodeIs(ErrorCode::kNotFound));
  EXPECT_THAT(Make().Contain({.scope = {.unit_code = "NOPE"}, .reason = "r", .by = "x"}),
              ErrorCodeIs(ErrorCode::kNotFound));
  EXPECT_THAT(Make().Contain({.scope = {.unit_code = "BR-75", .everyone = true}, .reason = "r",
                              .by = "x"}),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(Make().Contain({.reason = "r", .by = "x"}), ErrorCodeIs(ErrorCode::kInvalidArgument));
  // Only a disabled agent named: no incident holding nobody.
  auto disabled_only =
      Make().Contain({.scope = {.service_numbers = {"A-6"}}, .reason = "r", .by = "x"});
  ASSERT_THAT(disabled_only, ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_NE(disabled_only.error().message().find("disabled"), std::string::npos);
  EXPECT_THAT(Make().Release(99, "x", ReleaseMode::kReset), ErrorCodeIs(ErrorCode::kNotFound));
  auto none = Make().List(false);
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(Status(1), "active");
  EXPECT_FALSE(Bar(1).contained);
}

TEST_F(ContainmentTest, ListsOpenAndAllNewestFirst) {
  auto a = Make().Contain({.scope = {.service_numbers = {"A-1"}}, .reason = "a", .by = "x"});
  auto b = Make().Contain({.scope = {.service_numbers = {"A-5"}}, .reason = "b", .by = "x"});
  ASSERT_OK(a);
  ASSERT_OK(b);
  ASSERT_OK(Make().Release(a->incident.id, "x", ReleaseMode::kReinstate));
  auto open = Make().List(true);
  ASSERT_OK(open);
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].reason, "b");
  auto all = Make().List(false);
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].reason, "b");
}

// An open incident stays on the list however many were opened (and
// released) since: off it, the officer could not find it to release it.
TEST_F(ContainmentTest, AnOldOpenIncidentStaysListedBehindAHundredNewerOnes) {
  auto old = Make().Contain({.scope = {.service_numbers = {"A-1"}}, .reason = "old", .by = "x"});
  ASSERT_OK(old);
  std::string released;
  for (int i = 0; i < 120; ++i) {
    released += std::string(released.empty() ? "" : ",") + "(" + std::to_string(1000 + i) +
                ", 1, 'x', 'r', 'agents A-5', 0, 2, 'x', 1)";
  }
  ASSERT_OK(db_->ExecuteScript(
      "INSERT INTO incident (id, opened_at, opened_by, reason, scope, lockdown, released_at, "
      "released_by, agent_count) VALUES " +
      released + ";"));
  ASSERT_OK(store::SyncIdentityColumns(*db_));
  auto all = Make().List(false);
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), kListedIncidents + 1);
  EXPECT_EQ(all->front().id, 1119);
  EXPECT_EQ(all->back().id, old->incident.id);
  auto open = Make().List(true);
  ASSERT_OK(open);
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ(open->front().id, old->incident.id);
}

// An "everyone" incident holds every agent: a list names the first few and
// says how many; the rest are read a page at a time.
TEST_F(ContainmentTest, ListsNameTheFirstAgentsAndPagesGoThroughAll) {
  const std::string sealed = store::testing::BytesLiteral(db_->dialect(), "00");
  std::string agents;
  for (int i = 0; i < 30; ++i) {
    // Ids run opposite to service numbers: pages follow ids.
    agents += std::string(agents.empty() ? "" : ",") + "(" + std::to_string(100 + i) + ", 'B-" +
              std::to_string(129 - i) + "', 'B', 1, 'agent', 'active', 'x', 1, " + sealed +
              ", 0, 0)";
  }
  ASSERT_OK(
      db_->ExecuteScript("INSERT INTO agent (id, service_number, display_name, unit_id, "
                         "roles, status, password_hash, totp_key_id, totp_sealed, "
                         "created_at, updated_at) VALUES " +
                         agents + ";"));
  ASSERT_OK(store::SyncIdentityColumns(*db_));
  auto everyone = Make().Contain({.scope = {.everyone = true}, .reason = "sweep", .by = "SO-1"});
  ASSERT_OK(everyone);
  EXPECT_EQ(everyone->incident.agents.size(), 34u) << "the contain answer names them all";
  EXPECT_EQ(everyone->incident.agent_count, 34);

  auto listed = Make().List(false);
  ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 1u);
  const Incident& incident = (*listed)[0];
  EXPECT_EQ(incident.agent_count, 34);
  // The first 20 by id, then B-129 (id 100) down to B-114.
  std::vector<std::string> by_id = {"A-1", "A-2", "A-4", "A-5"};
  for (int i = 0; i < 30; ++i) by_id.push_back("B-" + std::to_string(129 - i));
  EXPECT_EQ(incident.agents,
            std::vector<std::string>(by_id.begin(), by_id.begin() + kListedAgents));

  std::vector<std::string> paged;
  int64_t after = 0;
  for (int round = 0; round < 10; ++round) {
    auto page = Make().HeldAgents(incident.id, after, 8);
    ASSERT_OK(page);
    for (const HeldAgent& agent : *page) {
      EXPECT_GT(agent.agent_id, after);
      paged.push_back(agent.service_number);
      EXPECT_FALSE(agent.lifted);
    }
    if (page->size() < 8) break;
    after = page->back().agent_id;
  }
  EXPECT_EQ(paged, by_id);
  EXPECT_NE(paged, everyone->incident.agents) << "the contain answer is by service number";

  ASSERT_OK(Make().Release(incident.id, "SO-1", ReleaseMode::kReinstate));
  auto lifted = Make().HeldAgents(incident.id, 0, 1000);
  ASSERT_OK(lifted);
  ASSERT_EQ(lifted->size(), 34u);
  EXPECT_TRUE(std::ranges::all_of(*lifted, [](const HeldAgent& a) { return a.lifted; }));

  EXPECT_THAT(Make().HeldAgents(incident.id + 1, 0, 10), ErrorCodeIs(ErrorCode::kNotFound));
  EXPECT_THAT(Make().HeldAgents(incident.id, 0, 0), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(Make().HeldAgents(incident.id, 0, 1001), ErrorCodeIs(ErrorCode::kInvalidArgument));
  auto past_the_end = Make().HeldAgents(incident.id, 129, 10);
  ASSERT_OK(past_the_end);
  EXPECT_TRUE(past_the_end->empty());
}

}  // namespace
}  // namespace vigie::incident
