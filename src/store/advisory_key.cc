#include "store/advisory_key.h"

#include "crypto/hash.h"

namespace vigie::store {

int64_t AdvisoryKey(std::string_view space, std::string_view name) {
  crypto::Sha256Hasher hasher;
  hasher.Update(std::string_view("vigie/advisory-lock/v1\n"));
  hasher.Update(space);
  hasher.Update(std::string_view("\n"));
  hasher.Update(name);
  const crypto::Sha256Digest digest = hasher.Final();
  uint64_t key = 0;
  for (int i = 0; i < 8; ++i) key = (key << 8) | digest[i];
  return static_cast<int64_t>(key);
}

}  // namespace vigie::store
