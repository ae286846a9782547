#pragma once
// What the load generator knows of each simulated agent, kept between runs
// in a tab-separated file: service number, password, TOTP secret (base32)
// and the last TOTP time step used. The step is kept because the server
// accepts a code only for a step later than the last one used (a code works
// once), so successive runs must not reuse one.
// Security: the file holds benchmark-only secrets of a throw-away
// installation; it is written with mode 0600 all the same.
// Thread-safety: plain values and free functions.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

namespace vigie::bench {

struct AgentCredential {
  std::string service_number;
  std::string password;
  std::string totp_secret;  // base32, as returned by activation
  int64_t last_totp_step = 0;
};

// An activation code waiting to be used: "service_number<TAB>code" lines.
struct PendingActivation {
  std::string service_number;
  std::string code;
};

// Errors: NotFound when unreadable, InvalidArgument on a malformed line.
Result<std::vector<AgentCredential>> LoadCredentials(const std::filesystem::path& file);
// Replaces the file atomically (write to a temporary, then rename).
// Errors: Unavailable when it cannot be written.
Result<void> SaveCredentials(const std::filesystem::path& file,
                             const std::vector<AgentCredential>& agents);
// Errors: NotFound when unreadable, InvalidArgument on a malformed line.
Result<std::vector<PendingActivation>> LoadActivationCodes(const std::filesystem::path& file);

// The TOTP code for the earliest step the server will still take from this
// agent at `unix_now`: max(now's step, last used + 1), as long as it is within
// the server's window (now + 1 step); nullopt when the agent has to wait for
// the clock. On success the step is recorded as used.
std::optional<std::string> TakeTotpCode(AgentCredential& agent, int64_t unix_now);

}  // namespace vigie::bench
