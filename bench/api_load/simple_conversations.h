#pragma once
// The one-request conversations: an authenticated search from a signed
// stock, a fixed request (nginx's static file), a failed login of an
// unknown agent (the login flood) and an account activation.
// Thread-safety: see Conversation; shared counters are atomic.

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "bench/api_load/agent_credentials.h"
#include "bench/api_load/api_session.h"
#include "bench/api_load/conversation.h"
#include "bench/api_load/search_requests.h"

namespace vigie::bench {

// Searches until the run ends. Success: 200. When the stock is spent it
// signs in line (counted in `signed_in_line`: the client then competes
// with the server for the CPU, and the report says so).
class SearchConversation final : public Conversation {
 public:
  // REQUIRES: every argument outlives the conversation.
  SearchConversation(const ApiSession& session, const ApiEndpoint& endpoint,
                     SearchRequestStock& stock, const std::vector<std::string>& bodies,
                     size_t first_body, std::atomic<uint64_t>& signed_in_line);
  NextStep Next() override;
  Verdict OnResponse(int status, std::string_view body, std::string_view retry_after) override;

 private:
  const ApiSession& session_;
  const ApiEndpoint& endpoint_;
  SearchRequestStock& stock_;
  const std::vector<std::string>& bodies_;
  size_t next_body_;
  std::atomic<uint64_t>& signed_in_line_;
  std::string request_;
};

// The same request again and again; success: `expected_status`.
class FixedRequestConversation final : public Conversation {
 public:
  FixedRequestConversation(std::string request, int expected_status);
  NextStep Next() override { return NextStep::Send(request_); }
  Verdict OnResponse(int status, std::string_view body, std::string_view retry_after) override;

 private:
  const std::string request_;
  const int expected_status_;
};

// Step 1 of a login for service numbers that do not exist, back to back: an
// attacker's flood. Each attempt the server admits costs it one Argon2id
// hash (the answer must not tell unknown agents apart). Success: 401; 429
// counts as refused and is retried after `refused_pause` (zero: at once).
class LoginFloodConversation final : public Conversation {
 public:
  // REQUIRES: `endpoint` outlives the conversation.
  LoginFloodConversation(const ApiEndpoint& endpoint, size_t connection_index,
                         std::chrono::milliseconds refused_pause, size_t group = 0);
  NextStep Next() override;
  Verdict OnResponse(int status, std::string_view body, std::string_view retry_after) override;
  size_t group() const override { return group_; }

 private:
  const ApiEndpoint& endpoint_;
  const size_t connection_index_;
  const std::chrono::milliseconds refused_pause_;
  const size_t group_;
  uint64_t attempt_ = 0;
  std::string request_;
};

// Activates accounts with codes from a shared list: POST /auth/activate
// with a new random password; each activation yields a credential.
class ActivationConversation final : public Conversation {
 public:
  using CredentialSink = std::function<void(AgentCredential)>;
  // REQUIRES: `endpoint`, `pending` and `next_pending` outlive the conversation.
  ActivationConversation(const ApiEndpoint& endpoint, const std::vector<PendingActivation>& pending,
                         std::atomic<size_t>& next_pending, CredentialSink sink);
  NextStep Next() override;
  Verdict OnResponse(int status, std::string_view body, std::string_view retry_after) override;

 private:
  const ApiEndpoint& endpoint_;
  const std::vector<PendingActivation>& pending_;
  std::atomic<size_t>& next_pending_;
  CredentialSink sink_;
  const PendingActivation* current_ = nullptr;
  std::string password_;
  std::string request_;
};

}  // namespace vigie::bench
