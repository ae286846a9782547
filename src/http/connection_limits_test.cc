// The server's limits on what one client holds, over real sockets: slow
// and silent clients cut at the read timeout (a new connection's first
// request included), and the connection caps, overall and per client.
#include <gtest/gtest.h>

#include <thread>

#include "http/internal/connection_registry.h"
#include "http/server.h"
#include "http/testing/server_test_fixture.h"

namespace vigie::http {
namespace {

using testing::Fetch;
using ::testing::HasSubstr;
using testing::RequestText;
using testing::ServerTest;
using testing::TestClient;
using namespace std::chrono_literals;

// Starts a request and sends its header one byte every 50 ms (the wait for
// the close paces it) for at most 5 s; true once the server closed.
bool TrickleUntilClosed(TestClient& client) {
  if (!client.Send("GET /echo HTTP/1.1\r\nHost: x\r\nX-Slow: ")) return true;
  for (int i = 0; i < 100; ++i) {
    if (!client.Send("a") || client.WaitForClose(50ms)) return true;
  }
  return false;
}

TEST_F(ServerTest, ASlowClientIsCutAtTheReadTimeout) {
  ServerOptions o = BaseOptions();
  o.read_timeout = 200ms;
  Start(o);
  auto client = TestClient::Connect(port());
  ASSERT_OK(client);
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(TrickleUntilClosed(**client));
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, 150ms);  // cut by the timeout, not by anything else
  EXPECT_LT(elapsed, 2s);
  EXPECT_EQ(handler_calls_, 0);
}

TEST_F(ServerTest, ASilentConnectionIsCutAtTheReadTimeout) {
  ServerOptions o = BaseOptions();
  o.read_timeout = 200ms;
  Start(o);
  auto client = TestClient::Connect(port());
  ASSERT_OK(client);
  EXPECT_TRUE((*client)->WaitForClose(3s));
}

// The first request's time counts from the connection: silence first, then
// a request trickled in, does not earn a second read_timeout.
TEST_F(ServerTest, ANewConnectionHasOneReadTimeoutForItsFirstRequest) {
  ServerOptions o = BaseOptions();
  o.read_timeout = 2s;
  Start(o);
  auto client = TestClient::Connect(port());
  ASSERT_OK(client);
  auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(1500ms);
  EXPECT_TRUE(TrickleUntilClosed(**client));
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, 1900ms);
  EXPECT_LT(elapsed, 3s);  // not 1.5 s + a whole read_timeout again (3.5 s)
  EXPECT_EQ(handler_calls_, 0);
}

// Connections from this client, each served once and then waiting (idle)
// or in the middle of a request head never ended (busy).
std::vector<std::unique_ptr<TestClient>> HoldConnections(uint16_t port, int count, bool busy) {
  std::vector<std::unique_ptr<TestClient>> held;
  for (int i = 0; i < count; ++i) {
    auto c = TestClient::Connect(port);
    EXPECT_OK(c);
    if (!c) break;
    EXPECT_OK((*c)->Send(RequestText("GET", "/echo")));
    EXPECT_OK((*c)->ReadResponse());  // served: surely counted
    if (busy) EXPECT_OK((*c)->Send(RequestText("GET", "/slow")));  // its handler waits
    held.push_back(std::move(*c));
    std::this_thread::sleep_for(20ms);  // the earlier ones have waited longer
  }
  // The server has called the handlers of the unfinished requests: the
  // connections are busy.
  if (busy) std::this_thread::sleep_for(250ms);
  return held;
}

// Sends `bytes` (a request, or the rest of one) and expects it answered.
void ExpectAnswered(TestClient& client, std::string_view bytes) {
  ASSERT_OK(client.Send(bytes));
  auto r = client.ReadResponse();
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
}

void ExpectStillServed(TestClient& client) { ExpectAnswered(client, RequestText("GET", "/echo")); }

class ConnectionCapTest : public ServerTest {
 protected:
  // Holds two served connections from this client, then checks that a third
  // is closed at once and counted under `counter` alone, and that a place
  // given back serves again (the per-address cap).
  void ExpectAThirdConnectionClosed(std::string_view counter, std::string_view other_counter);
  // Two connections at the cap each send `started`, the start of a request:
  // a newcomer takes the place of the one that has waited longest, and the
  // other, sent `rest`, is answered.
  void ExpectTheLongestWaitingGivesItsPlace(std::string_view started, std::string_view rest);
};

void ConnectionCapTest::ExpectTheLongestWaitingGivesItsPlace(std::string_view started,
                                                             std::string_view rest) {
  ServerOptions o = BaseOptions();
  o.max_connections = 2;
  Start(o);
  auto held = HoldConnections(port(), 2, /*busy=*/false);
  for (auto& client : held) ASSERT_OK(client->Send(started));
  std::this_thread::sleep_for(250ms);  // the server is reading those requests
  auto newcomer = TestClient::Connect(port());
  ASSERT_OK(newcomer);
  ExpectAnswered(**newcomer, RequestText("GET", "/echo"));
  EXPECT_TRUE(held[0]->WaitForClose(3s)) << "the longest waiting gave its place";
  ExpectAnswered(*held[1], rest);
}

void ConnectionCapTest::ExpectAThirdConnectionClosed(std::string_view counter,
                                                     std::string_view other_counter) {
  Server& server = *server_;
  auto held = HoldConnections(server.port(), 2, /*busy=*/false);
  auto extra = TestClient::Connect(server.port());
  ASSERT_OK(extra);  // the kernel accepts; the server closes it
  EXPECT_TRUE((*extra)->WaitForClose(3s));
  // Closed by the server, counted out once its coroutine ends.
  EXPECT_TRUE(Eventually([&] { return server.metrics().open_connections() == 2; }));
  auto metrics = Fetch(*server.metrics_port(), "GET", "/metrics");
  ASSERT_OK(metrics);
  EXPECT_THAT(metrics->body, HasSubstr(std::string(counter) + " 1\n"));
  EXPECT_THAT(metrics->body, HasSubstr(std::string(other_counter) + " 0\n"));

  held.pop_back();  // a place frees up once the server sees the close
  EXPECT_TRUE(Eventually([&] { return server.metrics().open_connections() == 1; }));
  auto r = Fetch(server.port(), "GET", "/echo");
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
}

// A few addresses that open connections and keep them quiet must not hold
// every place: at the cap, a new client that sends a request takes the
// place of the connection that has waited longest for one.
TEST_F(ConnectionCapTest, AtTheCapANewClientTakesThePlaceOfTheLongestIdle) {
  ServerOptions o = BaseOptions();
  o.max_connections = 2;
  o.metrics = MetricsListenerOptions{};
  Start(o);
  auto held = HoldConnections(port(), 2, /*busy=*/false);
  auto newcomer = TestClient::Connect(port());
  ASSERT_OK(newcomer);
  ASSERT_OK((*newcomer)->Send(RequestText("GET", "/echo")));
  auto served = (*newcomer)->ReadResponse();
  ASSERT_OK(served);
  EXPECT_EQ(served->status, 200);
  EXPECT_TRUE(held[0]->WaitForClose(3s)) << "the longest idle gave its place";
  ExpectStillServed(*held[1]);
  ExpectStillServed(**newcomer);
  EXPECT_TRUE(Eventually([&] { return server_->metrics().open_connections() == 2; }));
  auto metrics = Fetch(*server_->metrics_port(), "GET", "/metrics");
  ASSERT_OK(metrics);
  EXPECT_THAT(metrics->body, HasSubstr("vigie_http_rejected_connections_total 0\n"));
}

// A connection the server is closing (its response sent, the client's
// last bytes drained) serves nobody again: at the cap it is the first whose
// place a newcomer takes, before any client's idle connection.
TEST_F(ConnectionCapTest, AtTheCapAConnectionBeingClosedGivesItsPlaceFirst) {
  ServerOptions o = BaseOptions();
  o.max_connections = 2;
  Start(o);
  auto held = HoldConnections(port(), 1, /*busy=*/false);
  auto closing = TestClient::Connect(port());
  ASSERT_OK(closing);
  ExpectAnswered(**closing, RequestText("GET", "/echo", "Connection: close\r\n"));
  // The server has shut its side; the client keeps its own open, so the
  // server lingers, up to a second.
  ASSERT_TRUE((*closing)->WaitForClose(3s));
  auto newcomer = TestClient::Connect(port());
  ASSERT_OK(newcomer);
  ExpectAnswered(**newcomer, RequestText("GET", "/echo"));
  ExpectStillServed(*held[0]);
}

// Nobody is closed for a newcomer that does not send a whole request head
// within its first read timeout: bare connects, or trickled heads, cannot
// empty the server of its clients.
TEST_F(ConnectionCapTest, ANewcomerWithoutARequestClosesNobody) {
  ServerOptions o = BaseOptions();
  o.max_connections = 2;
  o.read_timeout = 300ms;
  o.idle_timeout = 60s;
  Start(o);
  auto held = HoldConnections(port(), 2, /*busy=*/false);
  auto silent = TestClient::Connect(port());
  ASSERT_OK(silent);
  auto trickling = TestClient::Connect(port());
  ASSERT_OK(trickling);
  EXPECT_TRUE(TrickleUntilClosed(**trickling));
  EXPECT_TRUE((*silent)->WaitForClose(3s));
  for (auto& client : held) ExpectStillServed(*client);
}

// The per-address cap is checked before a place is made: a client already
// at its limit cannot close others' connections by connecting again.
TEST_F(ConnectionCapTest, AClientAtItsAddressLimitClosesNobody) {
  ServerOptions o = BaseOptions();
  o.max_connections = 2;
  o.max_connections_per_address = 2;
  Start(o);
  auto held = HoldConnections(port(), 2, /*busy=*/false);
  auto again = TestClient::Connect(port());
  ASSERT_OK(again);
  (void)(*again)->Send(RequestText("GET", "/echo"));  // may meet the close already
  EXPECT_TRUE((*again)->WaitForClose(3s));
  for (auto& client : held) ExpectStillServed(*client);
}

// With every connection busy there is no place to give: the newcomer's
// request gets a 503 and its connection ends; the busy ones go on.
TEST_F(ConnectionCapTest, AtTheCapWithEveryConnectionBusyANewcomerIsTurnedAway) {
  ServerOptions o = BaseOptions();
  o.max_connections = 2;
  o.metrics = MetricsListenerOptions{};
  Start(o);
  auto held = HoldConnections(port(), 2, /*busy=*/true);
  auto newcomer = TestClient::Connect(port());
  ASSERT_OK(newcomer);
  ASSERT_OK((*newcomer)->Send(RequestText("GET", "/echo")));
  auto refused = (*newcomer)->ReadResponse();
  ASSERT_OK(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->Header("Retry-After").value_or(""), "1");
  EXPECT_TRUE((*newcomer)->WaitForClose(3s));
  EXPECT_EQ(handler_calls_, 4) << "only the held connections' requests";
  auto metrics = Fetch(*server_->metrics_port(), "GET", "/metrics");
  ASSERT_OK(metrics);
  EXPECT_THAT(metrics->body, HasSubstr("vigie_http_rejected_connections_total 1\n"));
  EXPECT_THAT(metrics->body, HasSubstr("vigie_http_rejected_connections_per_address_total 0\n"));
  slow_gate_.Open();  // the busy ones finish their requests
  for (auto& client : held) {
    auto done = client->ReadResponse();
    ASSERT_OK(done);
    EXPECT_EQ(done->body, "done");
  }
}

// A body is waited for as a head is: keep-alive connections trickling
// bodies (most of a read timeout, the rest, again) must not hold every
// place either.
TEST_F(ConnectionCapTest, AtTheCapAConnectionTricklingABodyGivesItsPlace) {
  ExpectTheLongestWaitingGivesItsPlace(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\na", "b");
}

// An upload that holds one of the upload places is served as it comes (so
// bounded by max_concurrent_uploads): a newcomer does not take its place.
TEST_F(ConnectionCapTest, AtTheCapAnUploadsBodyKeepsItsPlace) {
  ServerOptions o = BaseOptions();
  o.max_connections = 1;
  o.max_body_bytes = 1000;
  o.max_upload_bytes = 5000;
  o.upload_paths = {"/echo/upload"};
  Start(o);
  auto held = HoldConnections(port(), 1, /*busy=*/false);
  ASSERT_OK(held[0]->Send("POST /echo/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3000\r\n\r\n"));
  std::this_thread::sleep_for(250ms);  // the server is reading that body
  auto newcomer = TestClient::Connect(port());
  ASSERT_OK(newcomer);
  ASSERT_OK((*newcomer)->Send(RequestText("GET", "/echo")));
  auto refused = (*newcomer)->ReadResponse();
  ASSERT_OK(refused);
  EXPECT_EQ(refused->status, 503);
  ExpectAnswered(*held[0], std::string(3000, 'u'));
}

// A connection still sending its next request's head is waiting, not busy:
// at the cap, a newcomer takes the place of the one that has waited longest.
// Keep-alive connections trickling heads (a byte, most of a read timeout,
// the rest) must not hold every place.
TEST_F(ConnectionCapTest, AtTheCapAConnectionTricklingAHeadGivesItsPlace) {
  ExpectTheLongestWaitingGivesItsPlace("GET /echo HTTP/1.1\r\nHost: x\r\n", "\r\n");
}

// A connection whose client does not take its response (a receive window
// kept shut; pipelined requests whose answers it reads one at a time, each
// just within the write timeout) waits on its client as one trickling a
// head does: at the cap, a newcomer takes its place.
TEST_F(ConnectionCapTest, AtTheCapAConnectionNotReadingItsResponseGivesItsPlace) {
  ServerOptions o = BaseOptions();
  o.max_connections = 1;
  o.max_body_bytes = 64 << 20;
  Start(o);
  auto held = HoldConnections(port(), 1, /*busy=*/false);
  // Echoed back, more than the sockets' buffers hold: the write waits.
  const std::string body(48 << 20, 'r');
  ASSERT_OK(held[0]->Send(RequestText("POST", "/echo", {}, body)));
  ASSERT_TRUE(Eventually([&] { return handler_calls_ == 2; }));
  // Newcomers until one is served: those that come before the write has
  // begun (the held connection then serving a request) get 503. Well
  // before the 10 s write timeout, which would free the place by itself.
  const auto served = [&] {
    auto newcomer = TestClient::Connect(port());
    if (!newcomer || !(*newcomer)->Send(RequestText("GET", "/echo"))) return false;
    auto answer = (*newcomer)->ReadResponse();
    return answer && answer->status == 200;
  };
  EXPECT_TRUE(Eventually(served, 5s));
  EXPECT_TRUE(held[0]->WaitForClose(5s));
}

// One waiting for its next request goes before one whose client is taking
// a response, even one taking it since before: that may be an agent's
// download under way.
TEST_F(ConnectionCapTest, AtTheCapAnIdleConnectionGivesItsPlaceBeforeOneTakingAResponse) {
  ServerOptions o = BaseOptions();
  o.max_connections = 2;
  o.max_body_bytes = 64 << 20;
  Start(o);
  auto taking = HoldConnections(port(), 1, /*busy=*/false);
  ASSERT_OK(taking[0]->Send(RequestText("POST", "/echo", {}, std::string(48 << 20, 't'))));
  ASSERT_TRUE(Eventually([&] { return handler_calls_ == 2; }));
  std::this_thread::sleep_for(500ms);                      // the server is writing the answer
  auto idle = HoldConnections(port(), 1, /*busy=*/false);  // idle since after that
  auto newcomer = TestClient::Connect(port());
  ASSERT_OK(newcomer);
  ExpectAnswered(**newcomer, RequestText("GET", "/echo"));
  EXPECT_TRUE(idle[0]->WaitForClose(3s)) << "the idle one gave its place";
  // The other's answer still comes whole.
  auto answer = taking[0]->ReadResponse();
  ASSERT_OK(answer);
  EXPECT_EQ(answer->body.size(), (48u << 20) + std::string_view("/echo|").size());
}

// One network holds at most kMaxOnProbationPerNetwork newcomers on
// probation: beyond, a new connection of its is closed at once.
TEST_F(ConnectionCapTest, ANetworkHoldsOnlySoManyNewcomersOnProbation) {
  ServerOptions o = BaseOptions();
  o.max_connections = 1;
  Start(o);
  auto held = HoldConnections(port(), 1, /*busy=*/false);
  constexpr size_t kPerNetwork = internal::ConnectionRegistry::kMaxOnProbationPerNetwork;
  std::vector<std::unique_ptr<TestClient>> waiting;
  for (size_t i = 0; i < kPerNetwork; ++i) {
    auto c = TestClient::ConnectFrom(port(), "127.0.0.2");
    ASSERT_OK(c);
    waiting.push_back(std::move(*c));
  }
  ASSERT_TRUE(Eventually([&] {
    return server_->metrics().open_connections() == static_cast<int64_t>(1 + kPerNetwork);
  }));
  auto refused = TestClient::ConnectFrom(port(), "127.0.0.2");
  ASSERT_OK(refused);  // the kernel accepts; the server closes it
  EXPECT_TRUE((*refused)->WaitForClose(1s)) << "well before the 10 s read timeout";
  auto other = TestClient::ConnectFrom(port(), "127.0.0.3");
  ASSERT_OK(other);
  EXPECT_FALSE((*other)->WaitForClose(200ms)) << "another network still waits on probation";
  ExpectStillServed(*held[0]);
}

// With kMaxOnProbation newcomers waiting, a new one closes the one waiting
// longest rather than being turned away: newcomers kept connecting cannot
// hold every place on probation.
TEST_F(ConnectionCapTest, BeyondTheNewcomersOnProbationTheOneWaitingLongestIsClosed) {
  ServerOptions o = BaseOptions();
  o.max_connections = 1;
  Start(o);
  auto held = HoldConnections(port(), 1, /*busy=*/false);
  constexpr size_t kOnProbation = internal::ConnectionRegistry::kMaxOnProbation;
  constexpr size_t kPerNetwork = internal::ConnectionRegistry::kMaxOnProbationPerNetwork;
  std::vector<std::unique_ptr<TestClient>> waiting;
  for (size_t i = 0; i < kOnProbation; ++i) {
    auto c = TestClient::ConnectFrom(port(), "127.0.1." + std::to_string(1 + i / kPerNetwork));
    ASSERT_OK(c);
    waiting.push_back(std::move(*c));
    // In order: the first is the one waiting longest.
    ASSERT_TRUE(Eventually(
        [&] { return server_->metrics().open_connections() == static_cast<int64_t>(2 + i); }));
  }
  // A client already at its limit closes nobody by connecting again.
  auto again = TestClient::ConnectFrom(port(), "127.0.1.1");
  ASSERT_OK(again);
  EXPECT_TRUE((*again)->WaitForClose(1s));
  EXPECT_FALSE(waiting[0]->WaitForClose(200ms));
  auto newcomer = TestClient::ConnectFrom(port(), "127.0.2.1");
  ASSERT_OK(newcomer);
  EXPECT_TRUE(waiting[0]->WaitForClose(1s)) << "the one waiting longest made room";
  ASSERT_OK((*newcomer)->Send(RequestText("GET", "/echo")));
  auto served = (*newcomer)->ReadResponse();
  ASSERT_OK(served);
  EXPECT_EQ(served->status, 200);
  EXPECT_TRUE(held[0]->WaitForClose(3s)) << "and took the idle connection's place";
}

// A newcomer whose request is not well formed (no Host) gets its 400 and
// closes nobody.
TEST_F(ConnectionCapTest, ANewcomerWithABadRequestClosesNobody) {
  ServerOptions o = BaseOptions();
  o.max_connections = 1;
  Start(o);
  auto held = HoldConnections(port(), 1, /*busy=*/false);
  auto newcomer = TestClient::Connect(port());
  ASSERT_OK(newcomer);
  ASSERT_OK((*newcomer)->Send("GET /echo HTTP/1.1\r\n\r\n"));
  auto refused = (*newcomer)->ReadResponse();
  ASSERT_OK(refused);
  EXPECT_EQ(refused->status, 400);
  EXPECT_TRUE((*newcomer)->WaitForClose(3s));
  ExpectStillServed(*held[0]);
}

TEST_F(ConnectionCapTest, OneClientCannotHoldEveryConnection) {
  ServerOptions o = BaseOptions();
  o.max_connections = 10;
  o.max_connections_per_address = 2;  // far below max_connections, yet the third is closed
  o.metrics = MetricsListenerOptions{};
  Start(o);
  ExpectAThirdConnectionClosed("vigie_http_rejected_connections_per_address_total",
                               "vigie_http_rejected_connections_total");
}

}  // namespace
}  // namespace vigie::http
