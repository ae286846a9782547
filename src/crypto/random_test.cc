#include "crypto/random.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <thread>
#include <vector>

namespace vigie::crypto {
namespace {

bool AllZero(std::span<const uint8_t> b) {
  return std::all_of(b.begin(), b.end(), [](uint8_t x) { return x == 0; });
}

TEST(SystemRandomTest, FillsAndDiffers) {
  SystemRandom random;
  std::array<uint8_t, 64> a{};
  std::array<uint8_t, 64> b{};
  random.Fill(a);
  random.Fill(b);
  EXPECT_FALSE(AllZero(a));  // probability 2^-512 of a false failure
  EXPECT_NE(a, b);
}

TEST(SystemRandomTest, EmptyFillIsANoOp) {
  SystemRandom random;
  random.Fill(std::span<uint8_t>());
  SUCCEED();
}

TEST(SystemRandomTest, UsableThroughTheCoreInterface) {
  SystemRandom system;
  RandomSource& random = system;
  std::array<uint8_t, 32> out{};
  random.Fill(out);
  EXPECT_FALSE(AllZero(out));
}

TEST(SystemRandomTest, ThreadSafe) {
  std::vector<std::thread> threads;
  std::vector<std::array<uint8_t, 32>> outputs(8);
  for (auto& out : outputs) {
    threads.emplace_back([&out] {
      SystemRandom random;
      for (int i = 0; i < 100; ++i) random.Fill(out);
    });
  }
  for (auto& t : threads) t.join();
  for (size_t i = 1; i < outputs.size(); ++i) EXPECT_NE(outputs[0], outputs[i]);
}

TEST(RandomBytesTest, ReturnsRequestedSize) {
  EXPECT_EQ(RandomBytes(0).size(), 0u);
  std::vector<uint8_t> a = RandomBytes(33);
  EXPECT_EQ(a.size(), 33u);
  EXPECT_NE(a, RandomBytes(33));
}

}  // namespace
}  // namespace vigie::crypto
