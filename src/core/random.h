#pragma once
// Randomness as an injectable dependency. The production source (in `crypto`)
// is the OS CSPRNG; tests inject a deterministic one.
// Thread-safety: implementations document their own.

#include <cstddef>
#include <cstdint>
#include <span>

namespace vigie {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Fills `out` with random bytes. Never fails (a CSPRNG that cannot be read aborts).
  virtual void Fill(std::span<uint8_t> out) = 0;
};

// Deterministic, NOT cryptographic: splitmix64 stream. For tests and for the
// reproducible synthetic data generator only.
class SeededRandom final : public RandomSource {
 public:
  explicit SeededRandom(uint64_t seed) : state_(seed) {}
  void Fill(std::span<uint8_t> out) override;
  uint64_t Next();
  // Uniform in [0, bound); bound > 0.
  uint64_t Below(uint64_t bound);
  // Uniform in [0, 1).
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

}  // namespace vigie
