#include "bench/api_load/simple_conversations.h"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "bench/api_load/request_text.h"
#include "crypto/hash.h"
#include "crypto/random.h"

namespace vigie::bench {
namespace {

namespace json = boost::json;

// Activation retries a 429 (the hashing pool is full) after this at most.
constexpr std::chrono::milliseconds kActivationBackoff{100};
constexpr size_t kPasswordLetters = 28;

// A password the server's policy accepts: 28 letters drawn from 17 (about
// 114 bits) — never a common password, and with no digit and none of the
// letters b, c, e it cannot contain a service number's parts ("L-123": the
// policy refuses "123") or a name part like "Bench". (Hex digits could, and
// did: 2 of 200 activations in one run.)
std::string RandomPassword() {
  constexpr std::string_view kLetters = "fghjkmnpqrstvwxyz";
  std::vector<uint8_t> random = crypto::RandomBytes(kPasswordLetters);
  std::string password;
  for (uint8_t byte : random) password += kLetters[byte % kLetters.size()];
  return password;
}

}  // namespace

SearchConversation::SearchConversation(const ApiSession& session, const ApiEndpoint& endpoint,
                                       SearchRequestStock& stock,
                                       const std::vector<std::string>& bodies, size_t first_body,
                                       std::atomic<uint64_t>& signed_in_line)
    : session_(session),
      endpoint_(endpoint),
      stock_(stock),
      bodies_(bodies),
      next_body_(first_body),
      signed_in_line_(signed_in_line) {}

NextStep SearchConversation::Next() {
  std::string_view presigned = stock_.Take();
  if (!presigned.empty()) return NextStep::Send(presigned);
  signed_in_line_.fetch_add(1, std::memory_order_relaxed);
  request_ = SearchRequest(session_, endpoint_, bodies_[next_body_++ % bodies_.size()]);
  return NextStep::Send(request_);
}

Verdict SearchConversation::OnResponse(int status, std::string_view, std::string_view) {
  return {.outcome = status == 200 ? Outcome::kSuccess : Outcome::kFailure};
}

FixedRequestConversation::FixedRequestConversation(std::string request, int expected_status)
    : request_(std::move(request)), expected_status_(expected_status) {}

Verdict FixedRequestConversation::OnResponse(int status, std::string_view, std::string_view) {
  return {.outcome = status == expected_status_ ? Outcome::kSuccess : Outcome::kFailure};
}

LoginFloodConversation::LoginFloodConversation(const ApiEndpoint& endpoint, size_t connection_index,
                                               std::chrono::milliseconds refused_pause,
                                               size_t group)
    : endpoint_(endpoint),
      connection_index_(connection_index),
      refused_pause_(refused_pause),
      group_(group) {}

NextStep LoginFloodConversation::Next() {
  json::object body{{"service_number", "FLOOD-" + std::to_string(connection_index_) + "-" +
                                           std::to_string(attempt_++)},
                    {"password", "not the password of anyone"}};
  request_ = RequestText("POST", kLoginPath, endpoint_.host_header, {}, json::serialize(body));
  return NextStep::Send(request_);
}

Verdict LoginFloodConversation::OnResponse(int status, std::string_view, std::string_view) {
  if (status == 429) return {.outcome = Outcome::kRefused, .pause = refused_pause_};
  return {.outcome = status == 401 ? Outcome::kSuccess : Outcome::kFailure};
}

ActivationConversation::ActivationConversation(const ApiEndpoint& endpoint,
                                               const std::vector<PendingActivation>& pending,
                                               std::atomic<size_t>& next_pending,
                                               CredentialSink sink)
    : endpoint_(endpoint), pending_(pending), next_pending_(next_pending), sink_(std::move(sink)) {}

NextStep ActivationConversation::Next() {
  if (current_ == nullptr) {
    size_t index = next_pending_.fetch_add(1);
    if (index >= pending_.size()) return NextStep::End();
    current_ = &pending_[index];
    password_ = RandomPassword();
  }
  json::object body{{"activation_code", current_->code}, {"password", password_}};
  request_ = RequestText("POST", kActivatePath, endpoint_.host_header, {}, json::serialize(body));
  return NextStep::Send(request_);
}

Verdict ActivationConversation::OnResponse(int status, std::string_view body,
                                           std::string_view retry_after) {
  if (status == 429) {
    return {.outcome = Outcome::kRefused,
            .completes_operation = false,
            .pause = BackoffFor(retry_after, kActivationBackoff)};
  }
  const PendingActivation* done = current_;
  current_ = nullptr;
  if (status != 200) return {.outcome = Outcome::kFailure};
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  const json::value* secret =
      !ec && parsed.is_object() ? parsed.as_object().if_contains("totp_secret") : nullptr;
  if (secret == nullptr || !secret->is_string()) return {.outcome = Outcome::kFailure};
  sink_(AgentCredential{.service_number = done->service_number,
                        .password = password_,
                        .totp_secret = std::string(secret->as_string()),
                        .last_totp_step = 0});
  return {.outcome = Outcome::kSuccess};
}

}  // namespace vigie::bench
