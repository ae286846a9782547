// The server's limits on what one client holds, over real sockets: slow
// and silent clients cut at the read timeout (a new connection's first
// request included), and the connection caps, overall and per client.
#include <gtest/gtest.h>

#include <thread>

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

class ConnectionCapTest : public ServerTest {
 protected:
  // Holds two served connections from this client, then checks that a third
  // is closed at once and counted under `counter` alone, and that a place
  // given back serves again.
  void ExpectAThirdConnectionClosed(std::string_view counter, std::string_view other_counter);
};

void ConnectionCapTest::ExpectAThirdConnectionClosed(std::string_view counter,
                                                     std::string_view other_counter) {
  Server& server = *server_;
  std::vector<std::unique_ptr<TestClient>> held;
  for (int i = 0; i < 2; ++i) {
    auto c = TestClient::Connect(server.port());
    ASSERT_OK(c);
    ASSERT_OK((*c)->Send(RequestText("GET", "/echo")));
    ASSERT_OK((*c)->ReadResponse());  // served: surely counted
    held.push_back(std::move(*c));
  }
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

TEST_F(ConnectionCapTest, ConnectionsBeyondTheCapAreClosedAtOnce) {
  ServerOptions o = BaseOptions();
  o.max_connections = 2;
  o.metrics = MetricsListenerOptions{};
  Start(o);
  ExpectAThirdConnectionClosed("vigie_http_rejected_connections_total",
                               "vigie_http_rejected_connections_per_address_total");
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
