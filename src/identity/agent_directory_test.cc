#include "identity/agent_directory.h"

#include <gtest/gtest.h>

#include "identity/internal/identity_testing.h"

namespace vigie::identity {
namespace {

using testing::IdentityDb;
using ::vigie::testing::ErrorCodeIs;

TEST(AgentDirectoryTest, AddsAndListsUnits) {
  IdentityDb t;
  AgentDirectory directory = t.Directory();
  auto unit =
      directory.AddUnit({.code = "gn-44", .name = " Brigade de Nantes ", .kind = "gendarmerie"});
  ASSERT_OK(unit);
  EXPECT_EQ(unit->code, "GN-44");  // upper-cased
  EXPECT_EQ(unit->name, "Brigade de Nantes");
  EXPECT_EQ(unit->kind, UnitKind::kGendarmerie);
  EXPECT_EQ(unit->created_at, testing::kStart);
  ASSERT_OK(directory.AddUnit({.code = "DOUANE-1", .name = "Douane Roissy", .kind = "customs"}));
  auto units = directory.ListUnits();
  ASSERT_OK(units);
  ASSERT_EQ(units->size(), 2u);
  EXPECT_EQ((*units)[0].code, "DOUANE-1");
  EXPECT_EQ((*units)[1].code, "GN-44");
}

TEST(AgentDirectoryTest, RefusesBadOrDuplicateUnits) {
  IdentityDb t;
  AgentDirectory directory = t.Directory();
  ASSERT_OK(directory.AddUnit({.code = "U1", .name = "One", .kind = "police"}));
  EXPECT_THAT(directory.AddUnit({.code = "U1", .name = "Again", .kind = "police"}),
              ErrorCodeIs(ErrorCode::kConflict));
  EXPECT_THAT(directory.AddUnit({.code = "U 2", .name = "Two", .kind = "police"}),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(directory.AddUnit({.code = "U2", .name = "", .kind = "police"}),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(directory.AddUnit({.code = "U2", .name = "Two", .kind = "army"}),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_EQ(directory.ListUnits()->size(), 1u);
}

TEST(AgentDirectoryTest, AddsAnAgentPendingActivationWithACode) {
  IdentityDb t;
  AgentWithCode added = t.AddAgent("pn-1001");
  EXPECT_EQ(added.agent.service_number, "PN-1001");
  EXPECT_EQ(added.agent.display_name, "Hélène Moreau");
  EXPECT_EQ(added.agent.unit_code, "U1");
  EXPECT_EQ(added.agent.roles, (RoleSet{Role::kAgent, Role::kInvestigator}));
  EXPECT_EQ(added.agent.status, AgentStatus::kPendingActivation);
  EXPECT_FALSE(added.agent.totp_enrolled);
  EXPECT_EQ(added.activation.code.size(), 34u);
  EXPECT_EQ(added.activation.expires_at, testing::kStart + 72 * 3600);

  AgentDirectory directory = t.Directory();
  auto found = directory.FindAgent("PN-1001");
  ASSERT_OK(found);
  EXPECT_EQ(found->id, added.agent.id);
  EXPECT_EQ(directory.GetAgent(added.agent.id)->service_number, "PN-1001");
  EXPECT_THAT(directory.FindAgent("PN-9999"), ErrorCodeIs(ErrorCode::kNotFound));
  // Bytes from a URL's path that no service number holds: not found, on
  // every database (PostgreSQL would refuse to bind them, with its own words).
  EXPECT_THAT(directory.FindAgent("PN-\xff"), ErrorCodeIs(ErrorCode::kNotFound));
  EXPECT_THAT(directory.FindAgent(std::string("PN\0-1", 5)), ErrorCodeIs(ErrorCode::kNotFound));
  EXPECT_THAT(directory.GetAgent(999), ErrorCodeIs(ErrorCode::kNotFound));
}

TEST(AgentDirectoryTest, ValidatesNewAgents) {
  IdentityDb t;
  t.AddAgent("PN-1");
  AgentDirectory directory = t.Directory();
  auto add = [&](NewAgent a) { return directory.AddAgent(a); };
  NewAgent good{.service_number = "PN-2",
                .display_name = "Jean Dupont",
                .unit_code = "U1",
                .roles = {"agent"}};
  NewAgent a = good;
  a.service_number = "PN_2";
  EXPECT_THAT(add(a), ErrorCodeIs(ErrorCode::kInvalidArgument));
  a = good;
  a.service_number = std::string(33, 'A');
  EXPECT_THAT(add(a), ErrorCodeIs(ErrorCode::kInvalidArgument));
  a = good;
  a.display_name = "Jean\xFF";
  EXPECT_THAT(add(a), ErrorCodeIs(ErrorCode::kInvalidArgument));
  a = good;
  a.unit_code = "NOPE";
  auto unknown_unit = add(a);
  ASSERT_THAT(unknown_unit, ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_NE(unknown_unit.error().message().find("unknown unit"), std::string::npos);
  a = good;
  a.roles = {};
  EXPECT_THAT(add(a), ErrorCodeIs(ErrorCode::kInvalidArgument));
  a = good;
  a.roles = {"agent", "superuser"};
  EXPECT_THAT(add(a), ErrorCodeIs(ErrorCode::kInvalidArgument));
  a = good;
  a.service_number = "pn-1";  // the same as PN-1
  EXPECT_THAT(add(a), ErrorCodeIs(ErrorCode::kConflict));
  // Nothing changed.
  EXPECT_EQ(directory.ListAgents()->size(), 1u);
  EXPECT_OK(add(good));
}

TEST(AgentDirectoryTest, ListsAgentsByPageAndUnit) {
  IdentityDb t;
  for (int i = 1; i <= 5; ++i) t.AddAgent("PN-" + std::to_string(i));
  AgentDirectory directory = t.Directory();
  ASSERT_OK(directory.AddUnit({.code = "U2", .name = "Two", .kind = "prefecture"}));
  ASSERT_OK(directory.AddAgent({.service_number = "PR-1",
                                .display_name = "Paul Martin",
                                .unit_code = "U2",
                                .roles = {"administrator"}}));
  auto first = directory.ListAgents({.limit = 4});
  ASSERT_OK(first);
  ASSERT_EQ(first->size(), 4u);
  auto rest = directory.ListAgents({.after_id = first->back().id, .limit = 4});
  ASSERT_EQ(rest->size(), 2u);
  EXPECT_EQ(rest->back().service_number, "PR-1");
  auto u2 = directory.ListAgents({.unit_code = "U2"});
  ASSERT_EQ(u2->size(), 1u);
  EXPECT_TRUE(u2->front().roles.Has(Role::kAdministrator));
  EXPECT_THAT(directory.ListAgents({.unit_code = "U9"}), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(directory.ListAgents({.limit = 0}), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(directory.ListAgents({.limit = 1001}), ErrorCodeIs(ErrorCode::kInvalidArgument));
}

TEST(AgentDirectoryTest, SuspendReinstateDisableLifeCycle) {
  IdentityDb t;
  t.AddActiveAgent("PN-1");
  AgentDirectory directory = t.Directory();
  auto suspended = directory.Suspend("PN-1");
  ASSERT_OK(suspended);
  EXPECT_EQ(suspended->status, AgentStatus::kSuspended);
  EXPECT_OK(directory.Suspend("PN-1"));  // idempotent
  auto reinstated = directory.Reinstate("PN-1");
  ASSERT_OK(reinstated);
  EXPECT_EQ(reinstated->status, AgentStatus::kActive);
  EXPECT_THAT(directory.Reinstate("PN-1"), ErrorCodeIs(ErrorCode::kConflict));

  // The caller's sessions ending fails: the agent stays as it was.
  EXPECT_THAT(directory.Disable("PN-1",
                                [](const Agent&) -> Result<void> {
                                  return Fail(ErrorCode::kUnavailable, "sessions not ended");
                                }),
              ErrorCodeIs(ErrorCode::kUnavailable));
  EXPECT_EQ(directory.FindAgent("PN-1")->status, AgentStatus::kActive);
  int64_t ended_for = 0;
  auto disabled = directory.Disable("PN-1", [&](const Agent& agent) -> Result<void> {
    ended_for = agent.id;
    return {};
  });
  ASSERT_OK(disabled);
  EXPECT_EQ(ended_for, disabled->id);
  EXPECT_EQ(disabled->status, AgentStatus::kDisabled);
  EXPECT_FALSE(disabled->totp_enrolled);
  EXPECT_OK(directory.Disable("PN-1", {}));  // idempotent
  EXPECT_THAT(directory.Suspend("PN-1"), ErrorCodeIs(ErrorCode::kConflict));
  EXPECT_THAT(directory.Reinstate("PN-1"), ErrorCodeIs(ErrorCode::kConflict));
  EXPECT_THAT(directory.Reset("PN-1", AgentDirectory::OnSuspension::kKeep),
              ErrorCodeIs(ErrorCode::kConflict));
  EXPECT_THAT(directory.Suspend("PN-404"), ErrorCodeIs(ErrorCode::kNotFound));

  // Disabling erased the credentials.
  auto row = t.db->Prepare("SELECT password_hash IS NULL AND totp_sealed IS NULL FROM agent");
  ASSERT_TRUE(*(*row)->Step());
  EXPECT_EQ((*row)->ColumnInt(0), 1);
  ASSERT_OK((*row)->Run());
}

TEST(AgentDirectoryTest, ReinstatingANeverActivatedAgentLeavesItPending) {
  IdentityDb t;
  t.AddAgent("PN-1");
  AgentDirectory directory = t.Directory();
  ASSERT_OK(directory.Suspend("PN-1"));
  EXPECT_EQ(directory.Reinstate("PN-1")->status, AgentStatus::kPendingActivation);
}

TEST(AgentDirectoryTest, ResetErasesCredentialsAndIssuesANewCode) {
  IdentityDb t;
  t.AddActiveAgent("PN-1");
  AgentDirectory directory = t.Directory();
  t.clock.Advance(std::chrono::hours(1));
  auto reset = directory.Reset("PN-1", AgentDirectory::OnSuspension::kKeep);
  ASSERT_OK(reset);
  EXPECT_EQ(reset->agent.status, AgentStatus::kPendingActivation);
  EXPECT_FALSE(reset->agent.totp_enrolled);
  EXPECT_EQ(reset->activation.expires_at, t.Now() + 72 * 3600);
  auto row = t.db->Prepare(
      "SELECT password_hash IS NULL, totp_sealed IS NULL, totp_last_step "
      "FROM agent");
  ASSERT_TRUE(*(*row)->Step());
  EXPECT_EQ((*row)->ColumnInt(0), 1);
  EXPECT_EQ((*row)->ColumnInt(1), 1);
  EXPECT_EQ((*row)->ColumnInt(2), 0);
  ASSERT_OK((*row)->Run());
  // And the new code activates the agent again.
  EXPECT_OK(t.Activator().Activate(crypto::AsText(reset->activation.code.view()),
                                   "another-Lantern-99-Orbit"));
}

// "Forgot my password" must not undo a suspension: the new code activates
// only once someone reinstates the agent, as an act of its own.
TEST(AgentDirectoryTest, ResetKeepsASuspension) {
  IdentityDb t;
  t.AddActiveAgent("PN-1");
  AgentDirectory directory = t.Directory();
  ASSERT_OK(directory.Suspend("PN-1"));
  auto reset = directory.Reset("PN-1", AgentDirectory::OnSuspension::kKeep);
  ASSERT_OK(reset);
  EXPECT_EQ(reset->agent.status, AgentStatus::kSuspended);
  EXPECT_FALSE(reset->agent.totp_enrolled);
  const std::string code(crypto::AsText(reset->activation.code.view()));
  EXPECT_THAT(t.Activator().Activate(code, "another-Lantern-99-Orbit"),
              ErrorCodeIs(ErrorCode::kUnauthenticated));  // as an unknown code is
  auto reinstated = directory.Reinstate("PN-1");
  ASSERT_OK(reinstated);
  EXPECT_EQ(reinstated->status, AgentStatus::kPendingActivation) << "its credentials are gone";
  EXPECT_OK(t.Activator().Activate(code, "another-Lantern-99-Orbit"));

  // A containment's release by reset is the act that lifts it.
  t.AddActiveAgent("PN-2");
  ASSERT_OK(directory.Suspend("PN-2"));
  auto released = directory.Reset("PN-2", AgentDirectory::OnSuspension::kLift);
  ASSERT_OK(released);
  EXPECT_EQ(released->agent.status, AgentStatus::kPendingActivation);
}

}  // namespace
}  // namespace vigie::identity
