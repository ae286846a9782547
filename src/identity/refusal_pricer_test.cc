#include "identity/refusal_pricer.h"

#include <gtest/gtest.h>

#include "identity/internal/identity_testing.h"

namespace vigie::identity {
namespace {

using testing::IdentityDb;

constexpr crypto::Argon2Params kCurrent{.t_cost = 1, .m_cost_kib = 8};
constexpr crypto::Argon2Params kRaised{.t_cost = 3, .m_cost_kib = 16};
constexpr crypto::Argon2Params kCeiling{.t_cost = 10, .m_cost_kib = 1u << 20};

bool Same(const crypto::Argon2Params& a, const crypto::Argon2Params& b) {
  return a.t_cost == b.t_cost && a.m_cost_kib == b.m_cost_kib;
}

class RefusalPricerTest : public ::testing::Test {
 protected:
  RefusalPricerTest() { t_.AddActiveAgent("PN-1001"); }

  // Another node, its parameters raised, hashes an agent's password: a
  // stored hash costlier than this node prices its refusals at.
  void AnotherNodeHashesAtRaisedParameters() {
    t_.options.argon2 = kRaised;
    t_.AddActiveAgent("PN-2002");
    t_.options.argon2 = kCurrent;
  }

  // What someone with write access to the database stores as an agent's hash.
  void PlantHash(std::string_view service_number, std::string_view phc) {
    auto statement =
        t_.db->Prepare("UPDATE agent SET password_hash = $1 WHERE service_number = $2");
    ASSERT_OK(statement);
    (*statement)->BindText(1, phc).BindText(2, service_number);
    ASSERT_OK((*statement)->Run());
  }

  IdentityDb t_;
  RefusalPricer pricer_{t_.clock, kCurrent, kCeiling, std::chrono::seconds(60)};
};

TEST_F(RefusalPricerTest, ACostlierHashWrittenElsewhereRepricesRefusalsWithinTheInterval) {
  auto priced = pricer_.Refresh(*t_.db);
  ASSERT_TRUE(priced.has_value()) << priced.error().message();
  EXPECT_TRUE(Same(*priced, kCurrent));
  AnotherNodeHashesAtRaisedParameters();
  t_.clock.Advance(std::chrono::seconds(59));
  EXPECT_TRUE(Same(pricer_.Current(*t_.db), kCurrent)) << "repriced at most once a minute";
  t_.clock.Advance(std::chrono::seconds(1));
  EXPECT_TRUE(Same(pricer_.Current(*t_.db), kRaised));
}

TEST_F(RefusalPricerTest, ThePriceFallsOnceTheCostlyHashCannotBeVerified) {
  AnotherNodeHashesAtRaisedParameters();
  ASSERT_TRUE(pricer_.Refresh(*t_.db).has_value());
  EXPECT_TRUE(Same(pricer_.Current(*t_.db), kRaised));
  ASSERT_TRUE(t_.Directory().Suspend("PN-2002").has_value());
  t_.clock.Advance(std::chrono::seconds(60));
  EXPECT_TRUE(Same(pricer_.Current(*t_.db), kCurrent));
}

TEST_F(RefusalPricerTest, AClockSteppedBackRepricesAtOnce) {
  ASSERT_TRUE(pricer_.Refresh(*t_.db).has_value());
  AnotherNodeHashesAtRaisedParameters();
  t_.clock.Advance(-std::chrono::seconds(10));
  EXPECT_TRUE(Same(pricer_.Current(*t_.db), kRaised));
}

TEST_F(RefusalPricerTest, AStalePriceIsTakenAgainAtOnce) {
  ASSERT_TRUE(pricer_.Refresh(*t_.db).has_value());
  AnotherNodeHashesAtRaisedParameters();  // as a reinstated agent's older hash
  EXPECT_TRUE(Same(pricer_.Current(*t_.db), kCurrent));
  pricer_.Stale();
  EXPECT_TRUE(Same(pricer_.Current(*t_.db), kRaised));
}

TEST_F(RefusalPricerTest, NeverPricedIsPricedOnFirstUse) {
  AnotherNodeHashesAtRaisedParameters();
  EXPECT_TRUE(Same(pricer_.Current(*t_.db), kRaised));
}

TEST_F(RefusalPricerTest, TheCostliestParametersIgnoreCheaperAndUnreadableHashes) {
  const crypto::Argon2Params current{.t_cost = 2, .m_cost_kib = 16};
  auto alone = CostliestPasswordParams(*t_.db, current, kCeiling);  // PN-1001's is cheaper
  ASSERT_OK(alone);
  EXPECT_EQ(alone->params.t_cost, 2u);
  EXPECT_EQ(alone->params.m_cost_kib, 16u);
  t_.AddActiveAgent("PN-2002");
  PlantHash("PN-2002", "$argon2id$v=19$m=1048576,t=64,p=1$garbled");
  auto with_garbage = CostliestPasswordParams(*t_.db, current, kCeiling);
  ASSERT_OK(with_garbage);
  EXPECT_EQ(with_garbage->params.t_cost, 2u);
  EXPECT_EQ(with_garbage->params.m_cost_kib, 16u);
  EXPECT_TRUE(with_garbage->beyond_ceiling.empty());
}

// Only hashes login may verify set the price, and none beyond what any
// setting allows: a planted or corrupted row must not make every refusal
// exhaust the hashers. Its agent is named instead.
TEST_F(RefusalPricerTest, TheCostliestParametersSkipSuspendedAgentsAndNameHashesBeyondTheCeiling) {
  const crypto::Argon2Params current{.t_cost = 1, .m_cost_kib = 8};
  t_.options.argon2 = {.t_cost = 3, .m_cost_kib = 16};
  t_.AddActiveAgent("PN-2002");
  ASSERT_OK(t_.Directory().Suspend("PN-2002"));
  auto suspended = CostliestPasswordParams(*t_.db, current, kCeiling);
  ASSERT_OK(suspended);
  EXPECT_EQ(suspended->params.t_cost, 1u) << "a suspended agent's hash is never verified";
  t_.AddActiveAgent("PN-3003");
  PlantHash("PN-3003",
            "$argon2id$v=19$m=1048576,t=64,p=1$c2FsdHNhbHRzYWx0c2FsdA"
            "$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g");
  auto planted = CostliestPasswordParams(*t_.db, current, kCeiling);
  ASSERT_OK(planted);
  EXPECT_EQ(planted->params.t_cost, 1u);
  EXPECT_EQ(planted->params.m_cost_kib, 8u);
  EXPECT_EQ(planted->beyond_ceiling, std::vector<std::string>{"PN-3003"});
}

}  // namespace
}  // namespace vigie::identity
