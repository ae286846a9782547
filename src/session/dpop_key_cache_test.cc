#include "session/dpop_key_cache.h"

#include <gtest/gtest.h>

#include <span>
#include <vector>

#include "crypto/crypto.h"
#include "session/dpop.h"
#include "tests/support/matchers.h"

namespace vigie::session {
namespace {

using ::vigie::testing::ErrorCodeIs;

TEST(DpopKeyCacheTest, KeepsAKeyOnceRememberedAndGivesItsThumbprint) {
  DpopKeyCache cache;
  auto key = crypto::Es256PrivateKey::Generate();
  const auto& pub = key.public_key();
  auto first = cache.Get(pub.x(), pub.y());
  ASSERT_OK(first);
  EXPECT_EQ(cache.size(), 0u);  // parsed, not kept until its signature checked
  cache.Remember(*first);
  bool kept = false;
  auto second = cache.Get(pub.x(), pub.y(), &kept);
  EXPECT_TRUE(kept);
  ASSERT_OK(second);
  EXPECT_EQ(first->get(), second->get());  // the same parsed key
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ((*first)->jkt,
            JwkThumbprint(crypto::Base64UrlEncode(pub.x()), crypto::Base64UrlEncode(pub.y())));
  auto message = crypto::AsBytes("signed");
  EXPECT_TRUE((*first)->key.Verify(message, key.Sign(message)));
}

TEST(DpopKeyCacheTest, RefusesPointsOffTheCurveAndDoesNotRememberThem) {
  DpopKeyCache cache;
  crypto::P256Coordinate x{}, y{};
  x[31] = 1;
  y[31] = 1;
  EXPECT_THAT(cache.Get(x, y), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_EQ(cache.size(), 0u);
}

// The cache is keyed by x || y: the same 64 bytes split otherwise are not
// the cached key, they are refused as the coordinates' check refuses them.
TEST(DpopKeyCacheTest, AKeyKeptIsNotFoundUnderCoordinatesOfAnotherLength) {
  DpopKeyCache cache;
  auto key = crypto::Es256PrivateKey::Generate();
  const auto& pub = key.public_key();
  auto parsed = cache.Get(pub.x(), pub.y());
  ASSERT_OK(parsed);
  cache.Remember(*parsed);
  std::vector<uint8_t> joined(pub.x().begin(), pub.x().end());
  joined.insert(joined.end(), pub.y().begin(), pub.y().end());
  const std::span<const uint8_t> all(joined);
  bool kept = true;
  EXPECT_THAT(cache.Get(all.first(31), all.subspan(31), &kept),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_FALSE(kept);
  EXPECT_THAT(cache.Get(all.first(33), all.subspan(33)), ErrorCodeIs(ErrorCode::kInvalidArgument));
}

TEST(DpopKeyCacheTest, StaysWithinItsCapacity) {
  DpopKeyCache cache(3);
  for (int i = 0; i < 10; ++i) {
    auto key = crypto::Es256PrivateKey::Generate();
    auto parsed = cache.Get(key.public_key().x(), key.public_key().y());
    ASSERT_OK(parsed);
    cache.Remember(*parsed);
    EXPECT_LE(cache.size(), 3u);
  }
}

}  // namespace
}  // namespace vigie::session
