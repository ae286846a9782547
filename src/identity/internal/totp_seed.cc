#include "identity/internal/totp_seed.h"

#include <string.h>

#include <string>

#include "crypto/aead.h"
#include "crypto/bytes.h"

namespace vigie::identity::internal {
namespace {

std::string SeedContext(int64_t agent_id, uint32_t key_id) {
  return "vigie/v1/agent.totp_sealed|" + std::to_string(agent_id) + "|" + std::to_string(key_id);
}

}  // namespace

std::vector<uint8_t> SealTotpSeed(const crypto::DataKey& key, int64_t agent_id,
                                  const crypto::SecretBytes& seed) {
  return crypto::Seal(key.bytes(), seed.view(), crypto::AsBytes(SeedContext(agent_id, key.id)));
}

Result<crypto::SecretBytes> OpenTotpSeed(const crypto::DataKey& key, int64_t agent_id,
                                         uint32_t key_id, std::span<const uint8_t> sealed) {
  if (key_id != key.id) {
    return Fail(ErrorCode::kInternal, "TOTP seed of agent " + std::to_string(agent_id) +
                                          " is sealed under key " + std::to_string(key_id) +
                                          ", which was not provided");
  }
  auto opened = crypto::Open(key.bytes(), sealed, crypto::AsBytes(SeedContext(agent_id, key_id)));
  if (!opened) {
    return Fail(ErrorCode::kDataLoss,
                "TOTP seed of agent " + std::to_string(agent_id) + " fails to open");
  }
  crypto::SecretBytes seed(*opened);
  // Security: wipe the plain copy crypto::Open returned (explicit_bzero is
  // not optimised away).
  explicit_bzero(opened->data(), opened->size());
  return seed;
}

}  // namespace vigie::identity::internal
