#include "audit/person_chunk.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <vector>

namespace vigie::audit {
namespace {

std::vector<uint64_t> Lookup(const std::vector<PersonChunk>& chunks, uint64_t segment,
                             int64_t person) {
  std::vector<uint64_t> found;
  for (const PersonChunk& chunk : chunks) {
    EXPECT_TRUE(AccessesOf(chunk.View(), segment, person, found).has_value());
  }
  return found;
}

TEST(PersonChunkTest, EveryAccessIsFoundInTheOneChunkThatCanHoldItsPerson) {
  const uint64_t segment = 1'000'000;
  std::vector<PersonAccess> accesses;
  std::map<int64_t, std::vector<uint64_t>> expected;
  for (uint64_t event = 0; event < 500; ++event) {
    for (int64_t k = 0; k < 7; ++k) {
      const int64_t person = (static_cast<int64_t>(event) * 7919 + k * 104'729) % 3000 + 1;
      accesses.push_back({person, segment + event});
    }
  }
  accesses.push_back({std::numeric_limits<int64_t>::min(), segment});  // any id encodes
  accesses.push_back({std::numeric_limits<int64_t>::max(), segment + 499});
  std::sort(accesses.begin(), accesses.end());
  accesses.erase(std::unique(accesses.begin(), accesses.end()), accesses.end());
  for (const PersonAccess& a : accesses) expected[a.person_id].push_back(a.sequence);

  const std::vector<PersonChunk> chunks = ChunkAccesses(accesses, segment);
  ASSERT_GT(chunks.size(), 10u);
  for (size_t i = 0; i < chunks.size(); ++i) {
    EXPECT_LE(chunks[i].first_person, chunks[i].last_person);
    if (i > 0) {
      EXPECT_GT(chunks[i].first_person, chunks[i - 1].last_person) << "no straddling";
    }
  }
  for (const auto& [person, sequences] : expected) {
    // As the query does: the chunk with the largest first person not above.
    const PersonChunk* holder = nullptr;
    for (const PersonChunk& chunk : chunks) {
      if (chunk.first_person <= person) holder = &chunk;
    }
    ASSERT_NE(holder, nullptr);
    std::vector<uint64_t> found;
    ASSERT_TRUE(AccessesOf(holder->View(), segment, person, found).has_value());
    EXPECT_EQ(found, sequences) << person;
  }
  EXPECT_TRUE(Lookup(chunks, segment, 3001).empty());
  EXPECT_TRUE(Lookup(chunks, segment, 0).empty());
}

TEST(PersonChunkTest, APersonWithManyAccessesStaysInOneChunk) {
  std::vector<PersonAccess> accesses;
  for (uint64_t s = 0; s < 3 * kAccessesPerChunk; ++s) accesses.push_back({42, s});
  accesses.push_back({43, 7});
  const auto chunks = ChunkAccesses(accesses, 0);
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].first_person, 42);
  EXPECT_EQ(chunks[0].last_person, 42);
  EXPECT_EQ(Lookup(chunks, 0, 42).size(), 3 * kAccessesPerChunk);
  EXPECT_EQ(Lookup(chunks, 0, 43), std::vector<uint64_t>{7});
}

TEST(PersonChunkTest, ADamagedChunkIsRefusedNotMisread) {
  const auto chunks = ChunkAccesses(std::vector<PersonAccess>{{5, 10}, {9, 11}}, 10);
  ASSERT_EQ(chunks.size(), 1u);
  std::vector<uint64_t> found;

  PersonChunk truncated = chunks[0];
  truncated.pairs.pop_back();
  EXPECT_EQ(AccessesOf(truncated.View(), 10, 9, found).error().code(), ErrorCode::kDataLoss);

  PersonChunk overlong = chunks[0];
  overlong.pairs.push_back(0x80);  // a varint continued as zero: not minimal
  overlong.pairs.push_back(0x00);
  overlong.pairs.push_back(0x00);
  EXPECT_EQ(AccessesOf(overlong.View(), 10, 9, found).error().code(), ErrorCode::kDataLoss);

  PersonChunk past_range = chunks[0];
  past_range.last_person = 8;  // the second pair's person (9) is beyond it
  EXPECT_EQ(AccessesOf(past_range.View(), 10, 9, found).error().code(), ErrorCode::kDataLoss);

  PersonChunk reversed = chunks[0];
  std::swap(reversed.first_person, reversed.last_person);
  EXPECT_EQ(AccessesOf(reversed.View(), 10, 9, found).error().code(), ErrorCode::kDataLoss);

  found.clear();
  ASSERT_TRUE(AccessesOf(chunks[0].View(), 10, 9, found).has_value());
  EXPECT_EQ(found, std::vector<uint64_t>{11}) << "the undamaged chunk reads";
}

// What verification holds a stored chunk to: exactly what ChunkAccesses
// writes, so a query's choice of chunk finds every pair.
TEST(PersonChunkTest, DecodeChunkGivesBackEveryPairAndRefusesWhatTheWriterNeverWrites) {
  const std::vector<PersonAccess> written = {{5, 10}, {5, 12}, {9, 11}};
  const auto chunks = ChunkAccesses(written, 10);
  ASSERT_EQ(chunks.size(), 1u);
  std::vector<PersonAccess> read;
  ASSERT_TRUE(DecodeChunk(chunks[0].View(), 10, read).has_value());
  EXPECT_EQ(read, written);

  auto refused = [](const PersonChunk& chunk) {
    std::vector<PersonAccess> pairs;
    auto decoded = DecodeChunk(chunk.View(), 10, pairs);
    return !decoded && decoded.error().code() == ErrorCode::kDataLoss;
  };
  PersonChunk empty = chunks[0];
  empty.pairs.clear();
  EXPECT_TRUE(refused(empty));

  // Its first pair steps away from first_person (delta 1): no pair of person 4.
  const PersonChunk starts_late{.first_person = 4, .last_person = 5, .pairs = {0x01, 0x00}};
  std::vector<PersonAccess> late_pairs;
  auto late = DecodeChunk(starts_late.View(), 10, late_pairs);
  ASSERT_FALSE(late.has_value());
  EXPECT_NE(late.error().message().find("starts past its first person"), std::string::npos)
      << late.error().message();

  PersonChunk ends_early = ChunkAccesses(written, 10)[0];
  ends_early.last_person = 12;  // no pair of person 12
  EXPECT_TRUE(refused(ends_early));

  // Person 5 at events 12 then 10: out of order (and the same pair twice).
  for (const auto& pairs :
       {std::vector<PersonAccess>{{5, 12}, {5, 10}}, std::vector<PersonAccess>{{5, 10}, {5, 10}}}) {
    EXPECT_TRUE(refused(ChunkAccesses(pairs, 10)[0]));
  }

  // Offset 2 from a segment one below the largest sequence.
  PersonChunk past_any_sequence = ChunkAccesses(std::vector<PersonAccess>{{5, 12}}, 10)[0];
  std::vector<PersonAccess> pairs;
  EXPECT_FALSE(DecodeChunk(past_any_sequence.View(), UINT64_MAX - 1, pairs).has_value());
}

}  // namespace
}  // namespace vigie::audit
