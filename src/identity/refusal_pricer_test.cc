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

TEST_F(RefusalPricerTest, NeverPricedIsPricedOnFirstUse) {
  AnotherNodeHashesAtRaisedParameters();
  EXPECT_TRUE(Same(pricer_.Current(*t_.db), kRaised));
}

}  // namespace
}  // namespace vigie::identity
