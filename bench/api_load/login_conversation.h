#pragma once
// An agent logging in: POST /api/v1/auth/login (service number and
// password: one Argon2id hash on the server), then /auth/second-factor (the
// TOTP code, with a DPoP proof from a new key the session is bound to), and
// optionally /auth/use-notice (acknowledging the notice, as an agent must
// before consulting). Agents come from a shared AgentPool; a 429 is waited
// out (Retry-After, capped) and the step retried.
// Thread-safety: see Conversation; the pool and the sink are shared.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "bench/api_load/agent_pool.h"
#include "bench/api_load/api_session.h"
#include "bench/api_load/conversation.h"

namespace vigie::bench {

struct LoginOptions {
  bool acknowledge_notice = false;
  std::chrono::milliseconds max_backoff{50};  // cap on a 429's Retry-After
};

// Receives every session opened. Called from the engine's threads.
using SessionSink = std::function<void(ApiSession)>;

class LoginConversation final : public Conversation {
 public:
  // REQUIRES: `endpoint` and `pool` outlive the conversation.
  LoginConversation(const ApiEndpoint& endpoint, AgentPool& pool, LoginOptions options,
                    SessionSink sink);

  NextStep Next() override;
  Verdict OnResponse(int status, std::string_view body, std::string_view retry_after) override;
  void OnTransportError() override;

 private:
  enum class Step { kPassword, kSecondFactor, kNotice };

  void Abandon();  // gives the agent back and starts over with another
  Verdict Advance(std::string_view body);

  const ApiEndpoint& endpoint_;
  AgentPool& pool_;
  const LoginOptions options_;
  SessionSink sink_;
  std::optional<AgentPool::Lease> lease_;
  Step step_ = Step::kPassword;
  std::shared_ptr<const DpopSigner> signer_;
  std::string challenge_;
  std::string access_token_;
  std::string notice_version_;
  std::string request_;
  static constexpr int kTransportRetries = 3;
  int transport_retries_ = 0;  // of the agent being logged in
};

}  // namespace vigie::bench
