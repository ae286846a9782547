#include "records/internal/key_set.h"

#include <gtest/gtest.h>

#include <unordered_set>

#include "core/random.h"

namespace vigie::records::internal {
namespace {

TEST(KeySetTest, AgreesWithAStandardSetThroughGrowth) {
  KeySet set;  // starts small: grows many times
  std::unordered_set<uint64_t> reference;
  SeededRandom rng(3);
  for (int i = 0; i < 50000; ++i) {
    uint64_t key = rng.Below(4) == 0 ? rng.Below(100) : rng.Next();  // many repeats, and 0
    set.Insert(key);
    reference.insert(key);
  }
  EXPECT_EQ(set.size(), reference.size());
  auto keys = set.Keys();
  EXPECT_EQ(std::unordered_set<uint64_t>(keys.begin(), keys.end()), reference);
  for (uint64_t key : reference) EXPECT_TRUE(set.Contains(key));
  int false_hits = 0;
  for (int i = 0; i < 50000; ++i) {
    uint64_t key = rng.Next();
    false_hits += set.Contains(key) != reference.contains(key);
  }
  EXPECT_EQ(false_hits, 0);
}

}  // namespace
}  // namespace vigie::records::internal
