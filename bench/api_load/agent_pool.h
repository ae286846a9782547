#pragma once
// Hands simulated agents to concurrent login conversations, one
// conversation per agent at a time, each with the TOTP code it may use now.
// In the one-pass form every agent is handed out once (opening the sessions
// of a search run); in the cycling form agents come back for another login
// as soon as the server will take a new code from them (login throughput).
// Thread-safety: all members are thread-safe.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bench/api_load/agent_credentials.h"

namespace vigie::bench {

class AgentPool {
 public:
  // REQUIRES: `agents` outlives the pool and is not touched elsewhere meanwhile.
  AgentPool(std::vector<AgentCredential>& agents, bool cycle);

  struct Lease {
    size_t index;
    std::string service_number;
    std::string password;
    std::string totp_code;
  };
  struct Wait {};      // no agent may log in yet: try again shortly
  struct Finished {};  // one-pass pool: every agent has been handed out

  std::variant<Lease, Wait, Finished> Take(int64_t unix_now);
  void Release(size_t index);

 private:
  std::vector<AgentCredential>& agents_;
  const bool cycle_;
  std::mutex mutex_;
  std::vector<bool> busy_;
  size_t next_ = 0;
  size_t handed_out_ = 0;
};

}  // namespace vigie::bench
