#include "webauthn/internal/cbor_item.h"

#include <gtest/gtest.h>

#include <vector>

namespace vigie::webauthn::internal {
namespace {

using Bytes = std::vector<uint8_t>;

std::optional<size_t> SizeOf(const Bytes& bytes) {
  auto decoded = DecodeCborPrefix(bytes);
  if (!decoded) {
    EXPECT_EQ(decoded.error().code(), ErrorCode::kInvalidArgument);
    return std::nullopt;
  }
  return decoded->size;
}

TEST(CborItemTest, FindsWhereTheFirstItemEnds) {
  EXPECT_EQ(SizeOf({0x00, 0xff, 0xff}), 1u);
  EXPECT_EQ(SizeOf({0x18, 0x64, 0x01}), 2u);              // 100, then 1
  EXPECT_EQ(SizeOf({0x43, 1, 2, 3, 0x00}), 4u);           // h'010203'
  EXPECT_EQ(SizeOf({0xa1, 0x01, 0x82, 0x20, 0x21}), 5u);  // {1: [-1, -2]}
  EXPECT_EQ(SizeOf({0xc1, 0x1a, 0, 0, 0, 1}), 6u);        // tag 1 (epoch time)
  EXPECT_EQ(SizeOf({0xf9, 0x3c, 0x00}), 3u);              // half float 1.0
  EXPECT_EQ(SizeOf({0xf5}), 1u);                          // true
}

TEST(CborItemTest, RefusesMalformedAndHostileItems) {
  EXPECT_EQ(SizeOf({}), std::nullopt);
  EXPECT_EQ(SizeOf({0x18}), std::nullopt);           // argument missing
  EXPECT_EQ(SizeOf({0x44, 1, 2, 3}), std::nullopt);  // 4-byte string, 3 bytes
  EXPECT_EQ(SizeOf({0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}), std::nullopt);
  EXPECT_EQ(SizeOf({0x9b, 0, 0, 0, 0x10, 0, 0, 0, 0}), std::nullopt);  // 2^36 items declared
  EXPECT_EQ(SizeOf({0xa2, 0x01, 0x02, 0x03}), std::nullopt);           // second pair cut
  EXPECT_EQ(SizeOf({0x9f, 0x01, 0xff}), std::nullopt);                 // indefinite array
  EXPECT_EQ(SizeOf({0x5f, 0x41, 0x00, 0xff}), std::nullopt);           // indefinite byte string
  EXPECT_EQ(SizeOf({0xff}), std::nullopt);                             // lone break
  EXPECT_EQ(SizeOf({0x1c}), std::nullopt);                             // reserved additional info
  EXPECT_EQ(SizeOf({0xf8, 0x10}), std::nullopt);  // simple value < 32 in two bytes
  EXPECT_EQ(SizeOf({0xc1}), std::nullopt);        // tag without content
  Bytes deep(kMaxCborDepth, 0x81);
  deep.push_back(0x00);
  EXPECT_EQ(SizeOf(deep), deep.size());
  deep.insert(deep.begin(), 0x81);
  EXPECT_EQ(SizeOf(deep), std::nullopt);
}

TEST(CborItemTest, TypedViews) {
  auto map = DecodeCborPrefix(Bytes{0xa3, 0x20, 0x42, 0xab, 0xcd, 0x61, 'k',  0x3b, 0xff,
                                    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1b, 0x7f,
                                    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x40});
  ASSERT_TRUE(map.has_value());
  auto entries = MapEntries(map->item.get());
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(IntegerOf(entries[0].key), -1);
  EXPECT_EQ(BytesOf(entries[0].value)->size(), 2u);
  EXPECT_EQ(TextOf(entries[1].key), "k");
  EXPECT_EQ(IntegerOf(entries[1].value), std::nullopt);  // -2^64 does not fit
  EXPECT_EQ(IntegerOf(entries[2].key), INT64_MAX);
  EXPECT_TRUE(BytesOf(entries[2].value)->empty());
  EXPECT_EQ(TextOf(entries[0].value), std::nullopt);
  EXPECT_TRUE(MapEntries(entries[0].value).empty());
}

}  // namespace
}  // namespace vigie::webauthn::internal
