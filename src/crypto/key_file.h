#pragma once
// The key file's text form, specified in docs/formats/key-file.md:
//
//   vigie-keyfile v1
//   master <base64 of the 32-byte master key>
//   datakey <id> <purpose> <base64 of nonce || wrapped key || tag>
//   ...
//   end
//
// Each data key is sealed with XChaCha20-Poly1305 under the master key, with
// associated data KeyWrapAssociatedData(purpose, id), so a wrapped key cannot
// be moved to another id or purpose without failing to unwrap.
//
// Keyring::CreateKeyFile / LoadKeyFile / Save (keyring.h) do the file I/O and
// permission checks; these functions are the pure encoder and parser, exposed
// for tests and the fuzz target.
// Thread-safety: thread-safe.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "crypto/keyring.h"
#include "crypto/secret_bytes.h"

namespace vigie::crypto {

// Security: the parser reads untrusted bytes; it refuses anything larger.
inline constexpr size_t kMaxKeyFileBytes = 1 << 20;

// "vigie-key-v1|<purpose>|<id>"
std::string KeyWrapAssociatedData(std::string_view purpose, uint32_t id);

// The text of a key file (it contains the master key, hence SecretBytes).
// Each call wraps the data keys under fresh random nonces.
SecretBytes EncodeKeyFile(const Keyring& keyring);

// Parses and unwraps a key file. Blank lines and lines starting with '#' are
// ignored. DataLoss: not a v1 key file, malformed or truncated (no "end"), ids
// not strictly ascending, too large, or a data key that fails to unwrap.
Result<Keyring> DecodeKeyFile(std::string_view text);

}  // namespace vigie::crypto
