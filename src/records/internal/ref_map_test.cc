#include "records/internal/ref_map.h"

#include <gtest/gtest.h>

#include <array>

namespace vigie::records::internal {
namespace {

std::array<uint8_t, RefMap::kRefSize> Ref(uint32_t n, uint8_t tail = 0) {
  std::array<uint8_t, RefMap::kRefSize> ref{};
  for (int b = 0; b < 4; ++b) ref[b] = static_cast<uint8_t>(n >> (8 * b));
  ref[15] = tail;
  return ref;
}

TEST(RefMapTest, FindsWhatWasPutAndNothingElse) {
  RefMap map;
  EXPECT_FALSE(map.Find(Ref(1)).has_value());
  for (uint32_t i = 1; i <= 100000; ++i) map.Put(Ref(i), i * 3);  // grows many times
  EXPECT_EQ(map.size(), 100000u);
  for (uint32_t i = 1; i <= 100000; ++i) ASSERT_EQ(map.Find(Ref(i)), int64_t{i} * 3) << i;
  EXPECT_FALSE(map.Find(Ref(100001)).has_value());
  // Same leading bytes, different last byte: a different reference.
  EXPECT_FALSE(map.Find(Ref(5, 1)).has_value());
}

TEST(RefMapTest, PutReplacesTheIdOfAKnownReference) {
  RefMap map;
  map.Put(Ref(7), 1);
  map.Put(Ref(7), 2);
  EXPECT_EQ(map.size(), 1u);
  EXPECT_EQ(map.Find(Ref(7)), 2);
}

}  // namespace
}  // namespace vigie::records::internal
