#pragma once
// The production RandomSource: the operating system's CSPRNG via libsodium
// (getrandom(2) on Linux). Inject it wherever core/random.h's RandomSource is
// wanted; tests inject SeededRandom instead.
// Thread-safety: SystemRandom and RandomBytes are thread-safe.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/random.h"

namespace vigie::crypto {

class SystemRandom final : public vigie::RandomSource {
 public:
  // Never fails; aborts the process if the CSPRNG cannot be read.
  void Fill(std::span<uint8_t> out) override;
};

// `n` bytes from the OS CSPRNG. For secrets prefer SecretBytes::Random.
std::vector<uint8_t> RandomBytes(size_t n);

}  // namespace vigie::crypto
