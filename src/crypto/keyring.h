#pragma once
// Keyring: Vigie's keys in memory. One 32-byte master key, and per-purpose data
// keys ("records" for field encryption, "search-index" for blind indexes,
// "audit-signing" ...), each with a key id unique within the keyring.
//
// Data keys are what the rest of Vigie uses; the master key only wraps them in
// the key file (see key_file.h and docs/formats/key-file.md), so it can later
// move into an HSM or KMS without touching any data encrypted under data keys.
//
// Rotation: AddDataKey() adds a newer key for a purpose; Current() returns the
// newest, ById() still finds every older one, so data written under an old key
// stays readable. Save() then persists the keyring atomically.
// Without downtime on several nodes, in two steps: StageDataKey() adds a key
// every node can read with (ById) but none writes with yet (Current skips
// it); once every node has it, ActivateStagedKeys() makes it current.
//
// Ownership and thread-safety: the Keyring owns all key material (zeroed on
// destruction). It is movable, not copyable. Const methods may run concurrently;
// AddDataKey and anything concurrent with it need external synchronisation.
// Pointers returned by Current/ById stay valid for the Keyring's lifetime
// (AddDataKey does not invalidate them).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "core/error.h"
#include "core/random.h"
#include "crypto/secret_bytes.h"

namespace vigie::crypto {

inline constexpr size_t kMasterKeySize = 32;
inline constexpr size_t kDataKeySize = 32;
inline constexpr size_t kMaxDataKeys = 4096;

inline constexpr std::string_view kPurposeRecords = "records";
inline constexpr std::string_view kPurposeSearchIndex = "search-index";
inline constexpr std::string_view kPurposeAuditSigning = "audit-signing";  // Ed25519 seed
// Keys the hash of query terms in audit events and seals the terms.
inline constexpr std::string_view kPurposeAuditTerms = "audit-terms";

struct DataKey {
  uint32_t id = 0;
  std::string purpose;
  SecretBytes key;  // always kDataKeySize bytes
  // Readable (ById) but not yet Current: the first step of a rotation.
  bool staged = false;
  // Retired (`vigie keys retire`, audit-signing keys): the largest tree size
  // it signed before a newer key took over. A checkpoint it signs beyond that
  // size is a forgery made with a leaked old key.
  std::optional<uint64_t> retired_after;

  // The key as the fixed-size span Seal/Open/KeyedBlake2b take.
  std::span<const uint8_t, kDataKeySize> bytes() const { return key.view().first<kDataKeySize>(); }
  // The first 16 bytes, for SearchKeyHasher (SipHash-2-4).
  std::span<const uint8_t, 16> siphash_key() const { return key.view().first<16>(); }
};

// A purpose is 1..32 characters of [a-z0-9-], starting with a letter (it is
// written into the key file and the key-wrapping associated data).
bool IsValidKeyPurpose(std::string_view purpose);

class Keyring;
SecretBytes EncodeKeyFile(const Keyring& keyring);
Result<Keyring> DecodeKeyFile(std::string_view text);

class Keyring {
 public:
  // Creates a new key file at `path` holding a fresh master key and one data
  // key each for "records" (id 1) and "search-index" (id 2). The file is created
  // with mode 0600 and never overwrites anything.
  // Security: `random` must be a SystemRandom outside tests.
  // Conflict: something already exists at `path`. PermissionDenied / NotFound:
  // the directory is not writable / does not exist. Internal: other I/O errors.
  static Result<Keyring> CreateKeyFile(const std::filesystem::path& path, RandomSource& random);
  static Result<Keyring> CreateKeyFile(const std::filesystem::path& path);  // SystemRandom

  // Loads and unwraps the key file at `path`.
  // NotFound: no file. PermissionDenied: the file is accessible to group or
  // others (st_mode & 077), owned by another non-root user, or unreadable.
  // InvalidArgument: not a regular file. DataLoss: malformed, truncated, or a
  // data key fails to unwrap (wrong master key or modified file).
  static Result<Keyring> LoadKeyFile(const std::filesystem::path& path);

  // The keys CreateKeyFile would write, without a file (for tests and tools).
  static Keyring CreateInMemory(RandomSource& random);

  Keyring(Keyring&&) noexcept = default;
  Keyring& operator=(Keyring&&) noexcept = default;
  Keyring(const Keyring&) = delete;
  Keyring& operator=(const Keyring&) = delete;

  // The newest data key for `purpose` that is neither staged nor retired.
  // NotFound if none.
  Result<const DataKey*> Current(std::string_view purpose) const;
  // The data key with this id, whatever its age. NotFound if unknown.
  Result<const DataKey*> ById(uint32_t id) const;

  // Adds a new data key for `purpose` (which becomes its Current) and returns
  // its id. Only in memory: call Save() to persist it.
  // InvalidArgument: bad purpose. ResourceExhausted: kMaxDataKeys reached.
  Result<uint32_t> AddDataKey(std::string_view purpose, RandomSource& random);
  Result<uint32_t> AddDataKey(std::string_view purpose);  // SystemRandom
  // As AddDataKey, but the key is staged: found by ById, not yet Current.
  Result<uint32_t> StageDataKey(std::string_view purpose, RandomSource& random);
  // Makes every staged key current for its purpose; returns how many.
  size_t ActivateStagedKeys();
  // Records that key `id` signs nothing beyond `last_size` (DataKey::retired_after).
  // NotFound: unknown id. Conflict: the key is current, staged or retired already.
  Result<void> Retire(uint32_t id, uint64_t last_size);

  // Writes the keyring to `path` atomically (temp file with mode 0600 in the
  // same directory, fsync, rename, fsync of the directory), replacing any
  // existing file. PermissionDenied / NotFound / Internal on I/O failure.
  Result<void> Save(const std::filesystem::path& path) const;

  // All data keys, ascending by id.
  const std::deque<DataKey>& data_keys() const { return keys_; }

 private:
  friend SecretBytes EncodeKeyFile(const Keyring& keyring);
  friend Result<Keyring> DecodeKeyFile(std::string_view text);

  explicit Keyring(SecretBytes master_key) : master_key_(std::move(master_key)) {}
  // REQUIRES: valid purpose, room for one more key; `key` is kDataKeySize bytes.
  uint32_t AppendKey(std::string_view purpose, SecretBytes key, bool staged = false);

  // Security: never exposed. Only EncodeKeyFile/DecodeKeyFile use it, to wrap
  // and unwrap data keys; that is the seam where an HSM/KMS would plug in.
  SecretBytes master_key_;
  std::deque<DataKey> keys_;  // ascending id
};

}  // namespace vigie::crypto
