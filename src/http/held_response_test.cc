// Responses held until a confirmation (a consultation's audit event being
// durable, DESIGN invariant 1), over real sockets: nothing leaves before the
// confirmation, no worker is held meanwhile, a refusal or a missed deadline
// is answered with a problem instead, and the confirmation's step runs first.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "core/confirmation.h"
#include "http/server.h"
#include "http/testing/server_test_fixture.h"

namespace vigie::http {
namespace {

using testing::Fetch;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ProblemBody;
using testing::RequestText;
using testing::ServerFixture;
using testing::TestClient;
using namespace std::chrono_literals;

class HeldResponseTest : public ServerFixture {
 protected:
  // /held answers "secret-answer", held until the confirmation the test
  // settles (taken with Held()); /echo answers at once.
  void Start(std::chrono::milliseconds deadline = 10s) {
    ServerOptions options = BaseOptions();
    options.worker_threads = 1;  // a held response must not keep it
    StartServer(std::move(options), [this, deadline](const Request& request) {
      Response response{.status = 200, .content_type = "text/plain"};
      if (request.Path() != "/held") {
        response.body = "echo";
        return response;
      }
      response.body = "secret-answer";
      response.log_route = "/held";
      response.log_agent_id = "A7";
      response.hold_until =
          std::make_shared<Confirmation>(std::chrono::steady_clock::now() + deadline);
      std::lock_guard lock(mutex_);
      held_ = response.hold_until;
      return response;
    });
  }

  std::shared_ptr<Confirmation> Held() {
    std::shared_ptr<Confirmation> held;
    EXPECT_TRUE(Eventually([&] {
      std::lock_guard lock(mutex_);
      held = held_;
      return held != nullptr;
    }));
    return held;
  }

  // A connection whose GET /held the server now holds; its confirmation in `held`.
  std::unique_ptr<TestClient> RequestHeld(std::shared_ptr<Confirmation>& held) {
    auto client = TestClient::Connect(server_->port());
    EXPECT_TRUE(client.has_value());
    if (!client || !(*client)->Send(RequestText("GET", "/held"))) return nullptr;
    held = Held();
    return std::move(*client);
  }

  std::mutex mutex_;
  std::shared_ptr<Confirmation> held_;  // guarded by mutex_
};

TEST_F(HeldResponseTest, LeavesOnlyOnceConfirmedAndHoldsNoWorkerMeanwhile) {
  Start();
  std::shared_ptr<Confirmation> held;
  std::unique_ptr<TestClient> client = RequestHeld(held);
  ASSERT_NE(client, nullptr);
  ASSERT_NE(held, nullptr);

  // The only worker is free: another request is answered meanwhile.
  auto echo = Fetch(server_->port(), "GET", "/echo");
  ASSERT_OK(echo);
  EXPECT_EQ(echo->body, "echo");

  std::atomic<bool> confirmed = false;
  std::thread confirmer([&] {
    std::this_thread::sleep_for(100ms);
    confirmed = true;
    held->Confirm();
  });
  auto r = client->ReadResponse();
  const bool confirmed_before_the_answer = confirmed;
  confirmer.join();
  ASSERT_OK(r);
  EXPECT_TRUE(confirmed_before_the_answer);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "secret-answer");
  EXPECT_TRUE(r->keep_alive);
}

TEST_F(HeldResponseTest, ARefusalIsAnsweredInsteadAndNothingOfTheAnswerLeaves) {
  Start();
  std::shared_ptr<Confirmation> held;
  std::unique_ptr<TestClient> client = RequestHeld(held);
  ASSERT_NE(client, nullptr);
  ASSERT_NE(held, nullptr);
  held->Refuse(Error(ErrorCode::kUnavailable, "disk full on /var/lib/vigie"));
  auto r = client->ReadResponse();
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_THAT(r->body, Not(HasSubstr("secret-answer")));
  EXPECT_THAT(r->body, Not(HasSubstr("disk full")));
  EXPECT_EQ(ProblemBody(*r)["code"], "Unavailable");
  // The access log still names the route and the agent.
  EXPECT_TRUE(Eventually([&] {
    for (const std::string& line : LogLines()) {
      if (line.find("\"/held\"") != std::string::npos &&
          line.find("\"status\":503") != std::string::npos &&
          line.find("A7") != std::string::npos) {
        return true;
      }
    }
    return false;
  }));
}

TEST_F(HeldResponseTest, NoConfirmationByTheDeadlineIsA503AndALateOneChangesNothing) {
  Start(150ms);
  const auto start = std::chrono::steady_clock::now();
  auto r = Fetch(server_->port(), "GET", "/held");
  ASSERT_OK(r);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 140ms);
  EXPECT_EQ(r->status, 503);
  EXPECT_THAT(r->body, Not(HasSubstr("secret-answer")));
  std::shared_ptr<Confirmation> held = Held();
  ASSERT_NE(held, nullptr);
  held->Confirm();
  std::function<void()> step;
  EXPECT_FALSE(held->Conclude(step).has_value());
}

TEST_F(HeldResponseTest, TheStepRunsBeforeTheAnswerLeaves) {
  Start();
  std::shared_ptr<Confirmation> held;
  std::unique_ptr<TestClient> client = RequestHeld(held);
  ASSERT_NE(client, nullptr);
  ASSERT_NE(held, nullptr);
  std::atomic<bool> stepped = false;
  held->Confirm([&] {
    std::this_thread::sleep_for(50ms);
    stepped = true;
  });
  auto r = client->ReadResponse();
  ASSERT_OK(r);
  EXPECT_TRUE(stepped);
  EXPECT_EQ(r->body, "secret-answer");
}

TEST_F(HeldResponseTest, AStepThatThrowsBecomesABare500) {
  Start();
  std::shared_ptr<Confirmation> held;
  std::unique_ptr<TestClient> client = RequestHeld(held);
  ASSERT_NE(client, nullptr);
  ASSERT_NE(held, nullptr);
  held->Confirm([] { throw std::runtime_error("secret-in-step"); });
  auto r = client->ReadResponse();
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_THAT(r->body, Not(HasSubstr("secret")));
}

}  // namespace
}  // namespace vigie::http
