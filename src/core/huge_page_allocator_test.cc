#include "core/huge_page_allocator.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>

namespace vigie {
namespace {

// The VmFlags line of the mapping that contains `address`, from /proc/self/smaps.
std::string VmFlagsOf(const void* address) {
  auto at = reinterpret_cast<uintptr_t>(address);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    uintptr_t from = 0, to = 0;
    char dash = 0;
    std::istringstream range(line);
    if (range >> std::hex >> from >> dash >> to && dash == '-') {
      inside = from <= at && at < to;
    } else if (inside && line.starts_with("VmFlags:")) {
      return line;
    }
  }
  return "";
}

TEST(HugePageAllocatorTest, LargeArraysAreAlignedAndAdvisedForHugePages) {
  HugeVector<uint32_t> big(3'000'000);  // 12 MB
  std::iota(big.begin(), big.end(), 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(big.data()) % (size_t{2} << 20), 0u);
  EXPECT_EQ(big[2'999'999], 2'999'999u);
  EXPECT_NE(VmFlagsOf(big.data()).find(" hg"), std::string::npos) << VmFlagsOf(big.data());
}

TEST(HugePageAllocatorTest, SmallArraysUseTheHeapAndGrowingKeepsContents) {
  HugeVector<uint64_t> v;
  for (uint64_t i = 0; i < 1'000'000; ++i) v.push_back(i * 3);  // crosses the threshold
  for (uint64_t i = 0; i < v.size(); i += 4999) ASSERT_EQ(v[i], i * 3);
  HugeVector<uint8_t> small(100, 7);
  EXPECT_EQ(VmFlagsOf(small.data()).find(" hg"), std::string::npos);
  v.clear();
  v.shrink_to_fit();
  EXPECT_EQ(v.capacity(), 0u);
}

}  // namespace
}  // namespace vigie
