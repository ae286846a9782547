// The PROXY protocol over real sockets: a trusted balancer's header names
// the client every request of the connection is attributed to; a trusted
// peer without one, or an untrusted peer with one, gets nothing.
// The parser itself is tested in proxy_header_test.cc; TLS in tls_test.cc.
#include <gtest/gtest.h>

#include <string>

#include "http/server.h"
#include "http/testing/server_fixture.h"
#include "http/testing/test_client.h"

namespace vigie::http {
namespace {

using testing::Fetch;
using testing::RequestText;
using testing::TestClient;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

class ProxyProtocolTest : public testing::ServerFixture {
 protected:
  // The server trusts `balancers`; its handler answers with the address it
  // was given for the request.
  void Start(std::vector<std::string> balancers, size_t max_connections_per_address = 512) {
    ServerOptions o = BaseOptions();
    o.proxy_protocol_from = std::move(balancers);
    o.max_connections_per_address = max_connections_per_address;
    o.metrics = MetricsListenerOptions{};
    StartServer(o, [this](const Request& request) {
      ++handler_calls_;
      return Response{.status = 200, .content_type = "text/plain", .body = request.remote_address};
    });
  }

  std::unique_ptr<TestClient> Connect() {
    auto client = TestClient::Connect(server_->port());
    EXPECT_OK(client);
    return client ? std::move(*client) : nullptr;
  }

  std::string Metrics() {
    auto r = Fetch(*server_->metrics_port(), "GET", "/metrics");
    return r ? r->body : "";
  }

  std::atomic<int> handler_calls_{0};
};

TEST_F(ProxyProtocolTest, TheBalancersHeaderNamesTheClientOfEveryRequest) {
  Start({"127.0.0.0/8"});
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  ASSERT_OK(client->Send("PROXY TCP4 192.0.2.7 127.0.0.1 56324 443\r\n" + RequestText("GET", "/a")));
  auto first = client->ReadResponse();
  ASSERT_OK(first);
  EXPECT_EQ(first->body, "192.0.2.7");
  // Kept alive: the next request on the connection comes from the same client.
  ASSERT_OK(client->Send(RequestText("GET", "/b")));
  auto second = client->ReadResponse();
  ASSERT_OK(second);
  EXPECT_EQ(second->body, "192.0.2.7");
  ASSERT_TRUE(Eventually([&] { return LogLines().size() == 2; }));
  EXPECT_THAT(LogLines()[0], HasSubstr("\"remote\":\"192.0.2.7\""));
}

// Behind a balancer every connection comes from its address: the cap counts
// the client its header names, so one client is capped and not the others.
TEST_F(ProxyProtocolTest, TheConnectionCapPerAddressCountsTheClientTheHeaderNames) {
  Start({"127.0.0.1"}, 1);
  auto open_for = [&](std::string_view client) {
    auto c = Connect();
    EXPECT_NE(c, nullptr);
    EXPECT_OK(c->Send("PROXY TCP4 " + std::string(client) + " 127.0.0.1 56324 443\r\n" +
                      RequestText("GET", "/a")));
    return c;
  };
  auto first = open_for("192.0.2.7");
  auto served = first->ReadResponse();
  ASSERT_OK(served);
  EXPECT_EQ(served->body, "192.0.2.7");
  auto second = open_for("192.0.2.7");
  EXPECT_TRUE(second->WaitForClose(3s));
  auto other = open_for("192.0.2.8");
  auto answered = other->ReadResponse();
  ASSERT_OK(answered);
  EXPECT_EQ(answered->body, "192.0.2.8");
  EXPECT_THAT(Metrics(), HasSubstr("vigie_http_rejected_connections_per_address_total 1\n"));
  EXPECT_EQ(handler_calls_.load(), 2);
}

TEST_F(ProxyProtocolTest, AHealthCheckOnTheBalancersOwnBehalfKeepsItsAddress) {
  Start({"127.0.0.1"});
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  ASSERT_OK(client->Send("PROXY UNKNOWN\r\n" + RequestText("GET", "/healthz")));
  auto r = client->ReadResponse();
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
  // The address the handlers see is the balancer's own, not an empty one.
  auto handled = Connect();
  ASSERT_NE(handled, nullptr);
  ASSERT_OK(handled->Send("PROXY UNKNOWN\r\n" + RequestText("GET", "/a")));
  auto echoed = handled->ReadResponse();
  ASSERT_OK(echoed);
  EXPECT_EQ(echoed->body, "127.0.0.1");
}

TEST_F(ProxyProtocolTest, ATrustedPeerWithoutAHeaderGetsNothing) {
  Start({"127.0.0.1"});
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  ASSERT_OK(client->Send(RequestText("GET", "/a")));
  EXPECT_TRUE(client->WaitForClose(5s));
  EXPECT_EQ(handler_calls_.load(), 0);
  EXPECT_THAT(Metrics(), HasSubstr("vigie_http_proxy_header_refusals_total 1\n"));
}

TEST_F(ProxyProtocolTest, AMalformedHeaderGetsNothing) {
  Start({"127.0.0.1"});
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  ASSERT_OK(client->Send("PROXY TCP4 192.0.2.7 127.0.0.1 99999 443\r\n" + RequestText("GET", "/a")));
  EXPECT_TRUE(client->WaitForClose(5s));
  EXPECT_EQ(handler_calls_.load(), 0);
}

TEST_F(ProxyProtocolTest, AnUntrustedPeerCannotChooseItsAddress) {
  Start({"10.0.0.0/8"});
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  ASSERT_OK(client->Send("PROXY TCP4 192.0.2.7 127.0.0.1 56324 443\r\n" + RequestText("GET", "/a")));
  auto r = client->ReadResponse();
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 400) << "the header is not HTTP from a client that is not a balancer";
  EXPECT_EQ(handler_calls_.load(), 0);

  auto plain = Fetch(server_->port(), "GET", "/a");
  ASSERT_OK(plain);
  EXPECT_EQ(plain->body, "127.0.0.1");
}

TEST_F(ProxyProtocolTest, ABadSourceListStopsTheServerFromStarting) {
  ServerOptions o = BaseOptions();
  o.proxy_protocol_from = {"10.0.0.0/40"};
  Server server(o, [](const Request&) { return Response{}; });
  auto started = server.Start();
  ASSERT_FALSE(started.has_value());
  EXPECT_THAT(started.error().message(), HasSubstr("proxy_protocol_from"));
}

}  // namespace
}  // namespace vigie::http
