#include "records/internal/sealed_rows.h"

#include <gtest/gtest.h>

#include <string>

namespace vigie::records::internal {
namespace {

std::vector<uint8_t> Bytes(const std::string& text) { return {text.begin(), text.end()}; }

TEST(SealedRowsTest, FindsWhatWasAddedByteForByte) {
  SealedRows rows;
  auto ref = Bytes("0123456789abcdef");
  auto sealed = Bytes("sealed bytes of person seven");
  rows.Add({.id = 7, .key_id = 42, .ref = ref, .sealed = sealed});

  auto found = rows.Find(7);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, 7);
  EXPECT_EQ(found->key_id, 42u);
  EXPECT_EQ(std::vector<uint8_t>(found->ref.begin(), found->ref.end()), ref);
  EXPECT_EQ(std::vector<uint8_t>(found->sealed.begin(), found->sealed.end()), sealed);
  EXPECT_EQ(rows.size(), 1u);
}

TEST(SealedRowsTest, UnknownIdsAreAbsent) {
  SealedRows rows;
  EXPECT_FALSE(rows.Find(1).has_value());
  auto ref = Bytes("r");
  rows.Add({.id = 5, .key_id = 1, .ref = ref, .sealed = ref});
  EXPECT_FALSE(rows.Find(0).has_value());
  EXPECT_FALSE(rows.Find(-3).has_value());
  EXPECT_FALSE(rows.Find(4).has_value());
  EXPECT_FALSE(rows.Find(6).has_value());
}

TEST(SealedRowsTest, PrefetchingAnyIdIsHarmless) {
  SealedRows rows;
  for (int64_t id : {-1, 0, 1, 5}) {  // nothing added yet
    rows.PrefetchSlot(id);
    rows.PrefetchRow(id);
  }
  auto ref = Bytes("r");
  rows.Add({.id = 5, .key_id = 1, .ref = ref, .sealed = ref});
  for (int64_t id : std::initializer_list<int64_t>{-1, 0, 4, 5, 6, int64_t{1} << 40}) {
    rows.PrefetchSlot(id);
    rows.PrefetchRow(id);
  }
  ASSERT_TRUE(rows.Find(5).has_value());
  EXPECT_EQ(rows.Find(5)->key_id, 1u);
}

TEST(SealedRowsTest, SpansChunksAndKeepsEveryRowIntact) {
  // ~90 bytes a row: 400 000 rows fill more than two 16 MiB chunks.
  SealedRows rows;
  constexpr int kRows = 400000;
  for (int id = 1; id <= kRows; ++id) {
    auto ref = Bytes("ref-" + std::to_string(id));
    auto sealed = Bytes(std::string(60 + id % 20, static_cast<char>('a' + id % 26)) +
                        std::to_string(id));
    rows.Add({.id = id, .key_id = static_cast<uint32_t>(id % 3), .ref = ref, .sealed = sealed});
  }
  EXPECT_EQ(rows.size(), static_cast<size_t>(kRows));
  EXPECT_GT(rows.MemoryBytes(), size_t{2} << 24);
  for (int id = 1; id <= kRows; id += 997) {
    auto found = rows.Find(id);
    ASSERT_TRUE(found.has_value()) << id;
    EXPECT_EQ(found->key_id, static_cast<uint32_t>(id % 3));
    EXPECT_EQ(std::string(found->ref.begin(), found->ref.end()), "ref-" + std::to_string(id));
    std::string sealed(found->sealed.begin(), found->sealed.end());
    EXPECT_EQ(sealed.size(), 60 + id % 20 + std::to_string(id).size());
    EXPECT_TRUE(sealed.ends_with(std::to_string(id)));
  }
}

TEST(SealedRowsTest, ALaterAddReplacesTheRow) {
  SealedRows rows;
  auto ref = Bytes("ref");
  auto first = Bytes("first");
  auto second = Bytes("second version");
  rows.Add({.id = 3, .key_id = 1, .ref = ref, .sealed = first});
  rows.Add({.id = 3, .key_id = 2, .ref = ref, .sealed = second});
  EXPECT_EQ(rows.size(), 1u);
  auto found = rows.Find(3);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->key_id, 2u);
  EXPECT_EQ(std::string(found->sealed.begin(), found->sealed.end()), "second version");
}

TEST(SealedRowsTest, ARowLargerThanAChunkGetsItsOwn) {
  SealedRows rows;
  std::vector<uint8_t> huge((size_t{1} << 24) + 100, 7);
  auto ref = Bytes("ref");
  auto small = Bytes("small");
  rows.Add({.id = 1, .key_id = 1, .ref = ref, .sealed = small});
  rows.Add({.id = 2, .key_id = 1, .ref = ref, .sealed = huge});
  rows.Add({.id = 3, .key_id = 1, .ref = ref, .sealed = small});
  ASSERT_TRUE(rows.Find(2).has_value());
  EXPECT_EQ(rows.Find(2)->sealed.size(), huge.size());
  EXPECT_EQ(rows.Find(2)->sealed.back(), 7);
  EXPECT_EQ(std::string(rows.Find(3)->sealed.begin(), rows.Find(3)->sealed.end()), "small");
  EXPECT_EQ(std::string(rows.Find(1)->sealed.begin(), rows.Find(1)->sealed.end()), "small");
}

TEST(SealedRowsTest, NonPositiveIdsAreIgnored) {
  SealedRows rows;
  auto ref = Bytes("ref");
  rows.Add({.id = 0, .key_id = 1, .ref = ref, .sealed = ref});
  rows.Add({.id = -1, .key_id = 1, .ref = ref, .sealed = ref});
  EXPECT_EQ(rows.size(), 0u);
}

}  // namespace
}  // namespace vigie::records::internal
