#include "crypto/keyring.h"

#include <limits>
#include <utility>

#include "crypto/random.h"

namespace vigie::crypto {
namespace {

SecretBytes RandomKey(RandomSource& random, size_t n) {
  SecretBytes key(n);
  random.Fill(key.mutable_view());
  return key;
}

}  // namespace

bool IsValidKeyPurpose(std::string_view purpose) {
  if (purpose.empty() || purpose.size() > 32) return false;
  if (purpose[0] < 'a' || purpose[0] > 'z') return false;
  for (char c : purpose) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

Keyring Keyring::CreateInMemory(RandomSource& random) {
  Keyring ring(RandomKey(random, kMasterKeySize));
  ring.AppendKey(kPurposeRecords, RandomKey(random, kDataKeySize));
  ring.AppendKey(kPurposeSearchIndex, RandomKey(random, kDataKeySize));
  return ring;
}

uint32_t Keyring::AppendKey(std::string_view purpose, SecretBytes key, bool staged) {
  const uint32_t id = keys_.empty() ? 1 : keys_.back().id + 1;
  keys_.push_back(DataKey{id, std::string(purpose), std::move(key), staged});
  return id;
}

Result<const DataKey*> Keyring::Current(std::string_view purpose) const {
  for (auto it = keys_.rbegin(); it != keys_.rend(); ++it) {
    if (it->purpose == purpose && !it->staged && !it->retired_after) return &*it;
  }
  return Fail(ErrorCode::kNotFound, "no data key for purpose '" + std::string(purpose) + "'");
}

Result<const DataKey*> Keyring::ById(uint32_t id) const {
  // Ids ascend with position, so a binary search would do; key counts are tiny.
  for (const DataKey& key : keys_) {
    if (key.id == id) return &key;
  }
  return Fail(ErrorCode::kNotFound, "no data key with id " + std::to_string(id));
}

Result<uint32_t> Keyring::AddDataKey(std::string_view purpose, RandomSource& random) {
  ASSIGN_OR_RETURN(uint32_t id, StageDataKey(purpose, random));
  keys_.back().staged = false;
  return id;
}

size_t Keyring::ActivateStagedKeys() {
  size_t activated = 0;
  for (DataKey& key : keys_) {
    if (key.staged) {
      key.staged = false;
      ++activated;
    }
  }
  return activated;
}

Result<void> Keyring::Retire(uint32_t id, uint64_t last_size) {
  for (DataKey& key : keys_) {
    if (key.id != id) continue;
    auto current = Current(key.purpose);
    if (key.staged || (current && (*current)->id == id)) {
      return Fail(ErrorCode::kConflict, "key " + std::to_string(id) +
                                            " is still in use (current or staged): rotate first");
    }
    if (key.retired_after) {
      return Fail(ErrorCode::kConflict, "key " + std::to_string(id) + " is retired already");
    }
    key.retired_after = last_size;
    return {};
  }
  return Fail(ErrorCode::kNotFound, "no data key with id " + std::to_string(id));
}

Result<uint32_t> Keyring::StageDataKey(std::string_view purpose, RandomSource& random) {
  if (!IsValidKeyPurpose(purpose)) {
    return Fail(ErrorCode::kInvalidArgument,
                "key purpose must be 1-32 characters of [a-z0-9-] starting with a letter");
  }
  if (keys_.size() >= kMaxDataKeys ||
      (!keys_.empty() && keys_.back().id == std::numeric_limits<uint32_t>::max())) {
    return Fail(ErrorCode::kResourceExhausted, "keyring is full");
  }
  return AppendKey(purpose, RandomKey(random, kDataKeySize), /*staged=*/true);
}

Result<uint32_t> Keyring::AddDataKey(std::string_view purpose) {
  SystemRandom random;
  return AddDataKey(purpose, random);
}

}  // namespace vigie::crypto
