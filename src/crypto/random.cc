#include "crypto/random.h"

#include <sodium.h>

#include "crypto/secret_bytes.h"

namespace vigie::crypto {

void SystemRandom::Fill(std::span<uint8_t> out) {
  InitCrypto();
  if (!out.empty()) randombytes_buf(out.data(), out.size());
}

std::vector<uint8_t> RandomBytes(size_t n) {
  std::vector<uint8_t> out(n);
  SystemRandom().Fill(out);
  return out;
}

}  // namespace vigie::crypto
