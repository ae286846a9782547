#pragma once
// Passkeys: WebAuthn credentials an agent registers as a second factor, in
// place of a TOTP code at login (the TOTP stays enrolled: it is the fallback
// and what step-ups ask for).
//
//   registration (an agent with a recent second factor; the caller checks):
//     BeginRegistration -> challenge -> navigator.credentials.create() ->
//     FinishRegistration(answer) -> Passkey
//   login: Authenticator::PasskeyOptions / VerifyPasskey (identity/login.h)
//
// Security:
//   - One registration ceremony in flight per agent; its challenge (32
//     random bytes) lives kPasskeyChallengeSeconds and is spent by the first
//     answer checked, good or bad (a name refused before the check, or a
//     registration that cannot be recorded, leaves it for a retry).
//   - Only "none" attestation; user verification required; ES256 or EdDSA
//     (src/webauthn checks the answer).
//   - A credential id belongs to one agent; at most kMaxPasskeysPerAgent.
//   - A reset or a disabling of the agent erases its passkeys.
//
// Thread-safety: as store::Connection (one thread at a time).

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "store/store.h"
#include "webauthn/webauthn.h"

namespace vigie::identity {

inline constexpr int64_t kPasskeyChallengeSeconds = 300;
inline constexpr size_t kMaxPasskeysPerAgent = 10;
inline constexpr size_t kMaxPasskeyNameChars = 64;

struct Passkey {
  int64_t id = 0;
  int64_t agent_id = 0;
  std::vector<uint8_t> credential_id;
  std::string name;
  int64_t algorithm = 0;  // webauthn::kCoseEs256 or kCoseEdDsa
  bool backup_eligible = false;
  bool backup_state = false;  // synced to a cloud account ("backed up")
  std::vector<std::string> transports;  // hints for the browser: "internal", "usb", ...
  int64_t created_at = 0;
  std::optional<int64_t> last_used_at;
};

// What a browser's navigator.credentials.create() answered.
struct NewPasskey {
  std::vector<uint8_t> client_data_json;
  std::vector<uint8_t> attestation_object;
  std::string name;                     // "" = "passkey"
  std::vector<std::string> transports;  // unknown ones are dropped
};

class PasskeyRegistry {
 public:
  PasskeyRegistry(store::Connection& db, const Clock& clock) : db_(&db), clock_(&clock) {}

  // The agent's passkeys, oldest first.
  Result<std::vector<Passkey>> List(int64_t agent_id);

  // A fresh challenge, replacing any earlier one of the agent.
  // Conflict: the agent has kMaxPasskeysPerAgent passkeys already.
  Result<std::vector<uint8_t>> BeginRegistration(int64_t agent_id);

  // Run inside the act's transaction, before it commits (to make its audit
  // event durable first); an error undoes the act.
  using BeforeCommit = std::function<Result<void>(const Passkey&)>;

  // Checks the answer against the agent's challenge and stores the passkey.
  // The agent is signed in, so a refusal says why: InvalidArgument for a
  // malformed answer or name, or a WebAuthn check that failed (named);
  // Conflict when no challenge is live (none asked, expired or spent) or the
  // credential is registered already.
  Result<Passkey> FinishRegistration(int64_t agent_id, const webauthn::RelyingParty& rp,
                                     const NewPasskey& answer,
                                     const BeforeCommit& before_commit = {});

  // NotFound unless `passkey_id` is one of the agent's passkeys.
  Result<Passkey> Remove(int64_t agent_id, int64_t passkey_id,
                         const BeforeCommit& before_commit = {});

 private:
  store::Connection* db_;
  const Clock* clock_;
};

}  // namespace vigie::identity
