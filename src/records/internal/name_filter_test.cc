#include "records/internal/name_filter.h"

#include <gtest/gtest.h>

#include "core/random.h"

namespace vigie::records::internal {
namespace {

TEST(NameFilterTest, NoFalseNegativesAndFewFalsePositives) {
  SeededRandom rng(5);
  std::vector<uint64_t> keys;
  for (int i = 0; i < 100000; ++i) keys.push_back(rng.Next());
  NameFilter filter = NameFilter::Build(keys);
  for (uint64_t k : keys) ASSERT_TRUE(filter.MayContain(k));
  int false_positives = 0;
  for (int i = 0; i < 100000; ++i) false_positives += filter.MayContain(rng.Next());
  EXPECT_LT(false_positives, 2000);  // < 2 % at 12 bits per key
  EXPECT_LE(filter.MemoryBytes(), 100000u * 12 / 8 * 2);
}

TEST(NameFilterTest, EmptyAndTinyFilters) {
  EXPECT_FALSE(NameFilter().MayContain(1));
  NameFilter empty = NameFilter::Build({});
  EXPECT_FALSE(empty.MayContain(12345));
  NameFilter one = NameFilter::Build({42});
  EXPECT_TRUE(one.MayContain(42));
}

}  // namespace
}  // namespace vigie::records::internal
