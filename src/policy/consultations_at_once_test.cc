#include "policy/consultations_at_once.h"

#include <gtest/gtest.h>

#include <optional>
#include <utility>
#include <vector>

#include "tests/support/matchers.h"

namespace vigie::policy {
namespace {

using ::vigie::testing::ErrorCodeIs;

// The bound is each agent's own; a slot given back (its answer gone) makes
// room again, once however often it was moved.
TEST(ConsultationsAtOnceTest, EachAgentHasTheBoundUntilASlotIsGivenBack) {
  ConsultationsAtOnce at_once(2);
  std::vector<ConsultationsAtOnce::Slot> held;
  for (int i = 0; i < 2; ++i) {
    auto slot = at_once.Take(7);
    ASSERT_OK(slot);
    held.push_back(std::move(*slot));
  }
  EXPECT_THAT(at_once.Take(7), ErrorCodeIs(ErrorCode::kResourceExhausted));
  auto other_agent = at_once.Take(8);
  ASSERT_OK(other_agent);
  {
    std::optional<ConsultationsAtOnce::Slot> moved(std::move(held.back()));
    held.pop_back();  // the moved-from slot counts for nothing
    EXPECT_THAT(at_once.Take(7), ErrorCodeIs(ErrorCode::kResourceExhausted));
  }
  auto again = at_once.Take(7);
  ASSERT_OK(again);
  EXPECT_THAT(at_once.Take(7), ErrorCodeIs(ErrorCode::kResourceExhausted));
}

// An answer may leave after the portal that counted it is gone (a server
// stopping): its slot is given back all the same.
TEST(ConsultationsAtOnceTest, ASlotOutlivesItsCounter) {
  std::optional<ConsultationsAtOnce> at_once(std::in_place, 1);
  auto slot = at_once->Take(1);
  ASSERT_OK(slot);
  at_once.reset();
  std::optional<ConsultationsAtOnce::Slot> kept(std::move(*slot));
  kept.reset();  // no use after free (ASan)
}

}  // namespace
}  // namespace vigie::policy
