#include "records/internal/posting_index.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/random.h"

namespace vigie::records::internal {
namespace {

std::vector<uint32_t> Find(const PostingIndex& index, uint64_t key) {
  std::vector<uint32_t> out;
  index.Lookup(key, out);
  std::sort(out.begin(), out.end());
  return out;
}

TEST(PostingIndexTest, FindsEveryPostingAndNothingElse) {
  SeededRandom rng(7);
  std::vector<Posting> postings;
  std::vector<uint64_t> keys;
  for (uint32_t person = 1; person <= 20000; ++person) {
    uint64_t key = rng.Next();
    keys.push_back(key);
    postings.push_back({key, person});
    postings.push_back({key, person + 100000});  // a second person on the same key
  }
  PostingIndex index = PostingIndex::Build(postings);
  EXPECT_EQ(index.size(), 40000u);
  for (uint32_t person = 1; person <= 20000; ++person) {
    EXPECT_EQ(Find(index, keys[person - 1]), (std::vector<uint32_t>{person, person + 100000}));
  }
  int false_hits = 0;
  for (int i = 0; i < 20000; ++i) false_hits += !Find(index, rng.Next()).empty();
  EXPECT_EQ(false_hits, 0);
}

TEST(PostingIndexTest, EmptyIndexAndOverflowAdds) {
  PostingIndex empty = PostingIndex::Build({});
  EXPECT_TRUE(Find(empty, 42).empty());
  empty.Add(42, 9);
  EXPECT_EQ(Find(empty, 42), std::vector<uint32_t>{9});
  EXPECT_TRUE(Find(empty, 43).empty());
}

TEST(PostingIndexTest, KeysDifferingOnlyInLowBitsAreDistinct) {
  PostingIndex index = PostingIndex::Build({{0xAAAA000000000001ULL, 1}, {0xAAAA000000000002ULL, 2}});
  EXPECT_EQ(Find(index, 0xAAAA000000000001ULL), std::vector<uint32_t>{1});
  EXPECT_EQ(Find(index, 0xAAAA000000000002ULL), std::vector<uint32_t>{2});
}

}  // namespace
}  // namespace vigie::records::internal
