#include "bench/api_load/login_conversation.h"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "bench/api_load/request_text.h"

namespace vigie::bench {
namespace {

namespace json = boost::json;

constexpr std::chrono::milliseconds kClockWait{200};

// The string `key` of a JSON object body, or "" when absent.
std::string StringField(std::string_view body, std::string_view key) {
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec || !parsed.is_object()) return {};
  const json::value* value = parsed.as_object().if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}

std::string NoticeVersion(std::string_view body) {
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec || !parsed.is_object()) return {};
  const json::value* notice = parsed.as_object().if_contains("use_notice");
  if (notice == nullptr || !notice->is_object()) return {};
  const json::value* version = notice->as_object().if_contains("version");
  return version != nullptr && version->is_string() ? std::string(version->as_string())
                                                     : std::string();
}

}  // namespace

LoginConversation::LoginConversation(const ApiEndpoint& endpoint, AgentPool& pool,
                                     LoginOptions options, SessionSink sink)
    : endpoint_(endpoint), pool_(pool), options_(options), sink_(std::move(sink)) {}

NextStep LoginConversation::Next() {
  if (!lease_.has_value()) {
    auto taken = pool_.Take(UnixNow());
    if (std::holds_alternative<AgentPool::Finished>(taken)) return NextStep::End();
    if (std::holds_alternative<AgentPool::Wait>(taken)) return NextStep::WaitFor(kClockWait);
    lease_ = std::get<AgentPool::Lease>(std::move(taken));
    step_ = Step::kPassword;
  }
  switch (step_) {
    case Step::kPassword: {
      json::object body{{"service_number", lease_->service_number},
                        {"password", lease_->password}};
      request_ = RequestText("POST", kLoginPath, endpoint_.host_header, {}, json::serialize(body));
      break;
    }
    case Step::kSecondFactor: {
      // Security: a new key per session, as a real client makes one.
      signer_ = std::make_shared<const DpopSigner>();
      std::string proof =
          signer_->Proof("POST", endpoint_.Htu(kSecondFactorPath), UnixNow(), std::nullopt);
      json::object body{{"login_challenge", challenge_}, {"code", lease_->totp_code}};
      request_ = RequestText("POST", kSecondFactorPath, endpoint_.host_header, {{"DPoP", proof}},
                             json::serialize(body));
      break;
    }
    case Step::kNotice: {
      std::string proof = signer_->Proof("POST", endpoint_.Htu(kUseNoticePath), UnixNow(),
                                         AccessTokenHash(access_token_));
      std::string authorization = "DPoP " + access_token_;
      json::object body{{"version", notice_version_}};
      request_ = RequestText("POST", kUseNoticePath, endpoint_.host_header,
                             DpopHeaders(authorization, proof), json::serialize(body));
      break;
    }
  }
  return NextStep::Send(request_);
}

Verdict LoginConversation::OnResponse(int status, std::string_view body,
                                      std::string_view retry_after) {
  if (status == 429) {
    // The same step again once the server has room (a TOTP code stays
    // valid for a step or more; a challenge for minutes).
    return {.outcome = Outcome::kRefused,
            .completes_operation = false,
            .pause = BackoffFor(retry_after, options_.max_backoff)};
  }
  bool expected = step_ == Step::kNotice ? status == 204 : status == 200;
  if (!expected) {
    Abandon();
    return {.outcome = Outcome::kFailure, .completes_operation = false};
  }
  return Advance(body);
}

Verdict LoginConversation::Advance(std::string_view body) {
  switch (step_) {
    case Step::kPassword:
      challenge_ = StringField(body, "login_challenge");
      if (challenge_.empty()) break;
      step_ = Step::kSecondFactor;
      return {.outcome = Outcome::kSuccess, .completes_operation = false};
    case Step::kSecondFactor:
      access_token_ = StringField(body, "access_token");
      notice_version_ = NoticeVersion(body);
      if (access_token_.empty() || notice_version_.empty()) break;
      if (options_.acknowledge_notice) {
        step_ = Step::kNotice;
        return {.outcome = Outcome::kSuccess, .completes_operation = false};
      }
      [[fallthrough]];
    case Step::kNotice:
      if (sink_) sink_(ApiSession{lease_->service_number, access_token_, signer_});
      pool_.Release(lease_->index);
      lease_.reset();
      transport_retries_ = 0;
      return {.outcome = Outcome::kSuccess, .completes_operation = true};
  }
  Abandon();  // a 2xx without the fields the API documents
  return {.outcome = Outcome::kFailure, .completes_operation = false};
}

void LoginConversation::OnTransportError() {
  // The server closes a connection idle past its read timeout, which one
  // waiting for a fresh TOTP step (up to 30 s) can be: the same step again
  // on the new connection, a few times, rather than losing the agent.
  if (lease_.has_value() && ++transport_retries_ <= kTransportRetries) return;
  Abandon();
}

void LoginConversation::Abandon() {
  if (lease_.has_value()) pool_.Release(lease_->index);
  lease_.reset();
  transport_retries_ = 0;
}

}  // namespace vigie::bench
