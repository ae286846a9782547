#include "bench/api_load/verify_ceiling.h"

#include <string>
#include <thread>

#include "bench/api_load/dpop_signer.h"
#include "crypto/ecdsa.h"

namespace vigie::bench {
namespace {

// Verifications between two reads of the clock.
constexpr int kBatch = 64;

}  // namespace

VerifyCeiling MeasureVerifyCeiling(std::chrono::milliseconds duration) {
  crypto::Es256PrivateKey key = crypto::Es256PrivateKey::Generate();
  // A message the size of a real proof's signing input.
  DpopSigner shape;
  std::string message =
      shape.Proof("POST", "https://localhost:8443/api/v1/search", UnixNow(), std::string(43, 'a'));
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(message.data()), message.size());
  crypto::Es256Signature signature = key.Sign(bytes);
  const crypto::Es256PublicKey& public_key = key.public_key();

  uint64_t verified = 0;
  auto start = std::chrono::steady_clock::now();
  auto end = start + duration;
  auto now = start;
  while (now < end) {
    for (int i = 0; i < kBatch; ++i) {
      if (public_key.Verify(bytes, signature)) ++verified;
    }
    now = std::chrono::steady_clock::now();
  }
  double seconds = std::chrono::duration<double>(now - start).count();
  VerifyCeiling ceiling;
  ceiling.single_core_per_second = static_cast<double>(verified) / seconds;
  ceiling.cores = std::max(1u, std::thread::hardware_concurrency());
  return ceiling;
}

}  // namespace vigie::bench
