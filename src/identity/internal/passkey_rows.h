#pragma once
// The passkey and passkey_challenge rows (migration 5), shared by the
// registry (registration, listing, removal) and the authenticator (login).
// Thread-safety: as store::Connection. Writers hold a write transaction.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/error.h"
#include "identity/passkeys.h"
#include "store/store.h"

namespace vigie::identity::internal {

Result<std::vector<Passkey>> LoadPasskeys(store::Connection& db, int64_t agent_id);

// A passkey with what an assertion is checked against.
struct StoredPasskey {
  Passkey passkey;
  std::vector<uint8_t> public_key_cose;
  uint32_t sign_count = 0;
};
// The agent's passkey with this credential id, or nullopt.
Result<std::optional<StoredPasskey>> FindPasskey(store::Connection& db, int64_t agent_id,
                                                 std::span<const uint8_t> credential_id);
Result<bool> CredentialExists(store::Connection& db, std::span<const uint8_t> credential_id);

// Returns the new row's id.
Result<int64_t> InsertPasskey(store::Connection& db, const Passkey& passkey,
                              std::span<const uint8_t> public_key_cose, uint32_t sign_count);
// After a good assertion: the new counter and backup state, the time of use.
Result<void> RecordPasskeyUse(store::Connection& db, int64_t passkey_id, uint32_t sign_count,
                              bool backup_state, int64_t now);

// The agent's live registration challenge, deleted as it is read (spent);
// nullopt when none or expired.
Result<std::optional<std::vector<uint8_t>>> TakeRegistrationChallenge(store::Connection& db,
                                                                      int64_t agent_id,
                                                                      int64_t now);

// The WebAuthn transports (AuthenticatorTransport) among `given`, without
// repeats; anything else is dropped (they are hints, never trusted).
std::vector<std::string> KnownTransports(std::span<const std::string> given);

}  // namespace vigie::identity::internal
