#include "core/random.h"

#include <cstring>

namespace vigie {

uint64_t SeededRandom::Next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t SeededRandom::Below(uint64_t bound) {
  // Lemire's multiply-shift; the tiny bias is irrelevant for test data.
  __extension__ using Wide = unsigned __int128;
  return static_cast<uint64_t>((static_cast<Wide>(Next()) * bound) >> 64);
}

void SeededRandom::Fill(std::span<uint8_t> out) {
  size_t i = 0;
  while (i < out.size()) {
    uint64_t v = Next();
    size_t n = std::min(sizeof v, out.size() - i);
    std::memcpy(out.data() + i, &v, n);
    i += n;
  }
}

}  // namespace vigie
