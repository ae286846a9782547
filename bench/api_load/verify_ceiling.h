#pragma once
// The floor of the server's work per authenticated request: one ES256
// signature verification (OpenSSL, through crypto::Es256PublicKey), timed
// in a loop on one thread. Times the machine's cores, it is the ceiling of
// authenticated requests per second.
// Thread-safety: blocks the calling thread for about `duration`.

#include <chrono>
#include <cstddef>

namespace vigie::bench {

struct VerifyCeiling {
  double single_core_per_second = 0;
  size_t cores = 1;
  double per_second() const { return single_core_per_second * static_cast<double>(cores); }
};

VerifyCeiling MeasureVerifyCeiling(std::chrono::milliseconds duration);

}  // namespace vigie::bench
