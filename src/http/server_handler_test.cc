// How the server runs handlers, over real sockets: a handler's exception, a
// slow handler beside the I/O, and stopping (draining in-flight requests,
// cutting those that outlive the drain, SIGTERM, a second SIGTERM).
#include <gtest/gtest.h>

#include <csignal>
#include <future>

#include "http/server.h"
#include "http/testing/server_test_fixture.h"

namespace vigie::http {
namespace {

using testing::Fetch;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ProblemBody;
using testing::RequestText;
using testing::ServerTest;
using testing::TestClient;
using namespace std::chrono_literals;

TEST_F(ServerTest, AHandlerExceptionBecomesABare500) {
  Start();
  auto r = Fetch(port(), "GET", "/throw");
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_THAT(r->body, Not(HasSubstr("secret")));
  EXPECT_EQ(ProblemBody(*r)["code"], "Internal");
}

TEST_F(ServerTest, ASlowHandlerDoesNotBlockIo) {
  ServerOptions o = BaseOptions();
  o.io_threads = 1;
  o.worker_threads = 2;
  Start(o);
  auto slow = TestClient::Connect(port());
  ASSERT_OK(slow);
  ASSERT_OK((*slow)->Send(RequestText("GET", "/slow")));
  ASSERT_TRUE(slow_entered_.Wait());
  // The single I/O thread is free while a worker is blocked.
  auto health = Fetch(port(), "GET", "/healthz");
  ASSERT_OK(health);
  EXPECT_EQ(health->status, 200);
  auto echo = Fetch(port(), "GET", "/echo/while-slow");
  ASSERT_OK(echo);
  EXPECT_EQ(echo->status, 200);
  slow_gate_.Open();
  auto r = (*slow)->ReadResponse();
  ASSERT_OK(r);
  EXPECT_EQ(r->body, "done");
}

// A handler that waits (a login's password hash) runs on the waiting pool:
// with the one worker free, every other request is still served.
TEST_F(ServerTest, WaitingPathsRunOnTheirOwnPoolAndLeaveTheWorkersFree) {
  ServerOptions o = BaseOptions();
  o.worker_threads = 1;
  o.waiting_paths = {"/slow"};
  o.waiting_workers = 1;
  Start(o);
  auto slow = TestClient::Connect(port());
  ASSERT_OK(slow);
  ASSERT_OK((*slow)->Send(RequestText("GET", "/slow")));
  ASSERT_TRUE(slow_entered_.Wait());
  auto echo = Fetch(port(), "GET", "/echo/while-waiting");
  ASSERT_OK(echo);
  EXPECT_EQ(echo->status, 200);
  slow_gate_.Open();
  auto r = (*slow)->ReadResponse();
  ASSERT_OK(r);
  EXPECT_EQ(r->body, "done");
}

// Beyond the waiting pool's threads, a request is refused at once rather
// than queued without bound (a login flood from many addresses).
TEST_F(ServerTest, AWaitingPathBeyondItsThreadsIsRefusedAtOnce) {
  ServerOptions o = BaseOptions();
  o.waiting_paths = {"/slow"};
  o.waiting_workers = 1;
  Start(o);
  auto slow = TestClient::Connect(port());
  ASSERT_OK(slow);
  ASSERT_OK((*slow)->Send(RequestText("GET", "/slow")));
  ASSERT_TRUE(slow_entered_.Wait());
  auto refused = Fetch(port(), "GET", "/slow");
  ASSERT_OK(refused);
  EXPECT_EQ(refused->status, 429);
  EXPECT_EQ(refused->Header("Retry-After"), "1");
  slow_gate_.Open();
  auto r = (*slow)->ReadResponse();
  ASSERT_OK(r);
  EXPECT_EQ(r->body, "done");
  // The place is free again.
  auto again = Fetch(port(), "GET", "/slow");
  ASSERT_OK(again);
  EXPECT_EQ(again->status, 200);
}

TEST_F(ServerTest, StopLetsAnInFlightRequestFinishThenReturns) {
  Start();
  auto idle = TestClient::Connect(port());
  ASSERT_OK(idle);
  ASSERT_OK((*idle)->Send(RequestText("GET", "/echo")));
  ASSERT_OK((*idle)->ReadResponse());  // now idle, kept alive

  auto slow = TestClient::Connect(port());
  ASSERT_OK(slow);
  ASSERT_OK((*slow)->Send(RequestText("GET", "/slow")));
  ASSERT_TRUE(slow_entered_.Wait());

  server_->Stop();
  EXPECT_TRUE((*idle)->WaitForClose(3s));  // idle connections close at once
  // No new connection is served.
  EXPECT_TRUE(Eventually([&] {
    auto c = TestClient::Connect(port());
    return !c || (*c)->WaitForClose(1s);
  }));

  auto waited = std::async(std::launch::async, [this] { server_->Wait(); });
  EXPECT_EQ(waited.wait_for(50ms), std::future_status::timeout);  // still draining
  slow_gate_.Open();
  auto r = (*slow)->ReadResponse();
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "done");
  EXPECT_FALSE(r->keep_alive);  // Connection: close while stopping
  EXPECT_EQ(waited.wait_for(5s), std::future_status::ready);
}

TEST_F(ServerTest, StopCutsRequestsThatOutliveTheDrainTimeout) {
  ServerOptions o = BaseOptions();
  o.drain_timeout = 100ms;
  o.read_timeout = 10s;
  Start(o);
  auto partial = TestClient::Connect(port());
  ASSERT_OK(partial);
  ASSERT_OK((*partial)->Send("GET /echo HTTP/1.1\r\nHost: x\r\n"));  // mid-request: not idle
  ASSERT_TRUE(Eventually([&] { return server_->metrics().open_connections() == 1; }));
  server_->Stop();
  EXPECT_TRUE((*partial)->WaitForClose(3s));
  server_->Wait();
}

TEST_F(ServerTest, SigtermStopsAServerThatAskedForIt) {
  Start();
  server_->StopOnSignals();
  ASSERT_EQ(std::raise(SIGTERM), 0);  // caught by the server's signal set, not fatal
  auto waited = std::async(std::launch::async, [this] { server_->Wait(); });
  EXPECT_EQ(waited.wait_for(5s), std::future_status::ready);
  EXPECT_FALSE(TestClient::Connect(port()));
}

TEST_F(ServerTest, ASecondSigtermCutsTheDrain) {
  ServerOptions o = BaseOptions();
  o.drain_timeout = 20s;
  o.read_timeout = 30s;
  Start(o);
  server_->StopOnSignals();
  auto partial = TestClient::Connect(port());
  ASSERT_OK(partial);
  ASSERT_OK((*partial)->Send("GET /echo HTTP/1.1\r\nHost: x\r\n"));  // mid-request: drains
  ASSERT_TRUE(Eventually([&] { return server_->metrics().open_connections() == 1; }));

  ASSERT_EQ(std::raise(SIGTERM), 0);
  auto waited = std::async(std::launch::async, [this] { server_->Wait(); });
  EXPECT_EQ(waited.wait_for(300ms), std::future_status::timeout);  // draining, not cut
  ASSERT_EQ(std::raise(SIGTERM), 0);  // the operator will not wait 20 s
  EXPECT_TRUE((*partial)->WaitForClose(3s));
  EXPECT_EQ(waited.wait_for(5s), std::future_status::ready);
}

}  // namespace
}  // namespace vigie::http
