// The server over real sockets, plain HTTP on loopback: built-in routes,
// security headers, size limits, the idle timeout, pipelining, access log and
// metrics listener. Uploads and 100-continue are in server_upload_test.cc,
// read timeouts and connection caps in connection_limits_test.cc, handlers
// failing or blocking and the graceful stop in server_handler_test.cc, TLS
// in tls_test.cc.
#include "http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "http/testing/server_test_fixture.h"

namespace vigie::http {
namespace {

using testing::ClientResponse;
using testing::Fetch;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ProblemBody;
using testing::RequestText;
using testing::ServerTest;
using testing::TestClient;
using ::vigie::testing::ErrorCodeIs;
using namespace std::chrono_literals;

void ExpectSecurityHeaders(const ClientResponse& r) {
  EXPECT_EQ(r.Header("Content-Security-Policy"),
            "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  EXPECT_EQ(r.Header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r.Header("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(r.Header("X-Frame-Options"), "DENY");
  EXPECT_EQ(r.Header("Cache-Control"), "no-store");
  auto id = r.Header("X-Request-Id");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->size(), 32u);
  EXPECT_EQ(id->find_first_not_of("0123456789abcdef"), std::string::npos);
  // Plain HTTP (loopback): HSTS is meaningless there.
  EXPECT_FALSE(r.Header("Strict-Transport-Security").has_value());
}

TEST_F(ServerTest, PlainHttpOnANonLoopbackAddressIsRefusedAtStart) {
  ServerOptions o = BaseOptions();
  o.listen_address = "0.0.0.0";
  Server server(o, TestHandler());
  auto started = server.Start();
  EXPECT_THAT(started, ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(started.error().message(), HasSubstr("loopback"));
}

TEST_F(ServerTest, AnAddressInUseIsUnavailable) {
  Start();
  ServerOptions o = BaseOptions();
  o.port = port();
  Server second(o, TestHandler());
  EXPECT_THAT(second.Start(), ErrorCodeIs(ErrorCode::kUnavailable));
}

TEST_F(ServerTest, HealthzIsAnsweredByTheServerItself) {
  Start();
  auto r = Fetch(port(), "GET", "/healthz");
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"status":"ok"})");
  ExpectSecurityHeaders(*r);
  EXPECT_EQ(handler_calls_, 0);

  auto head = Fetch(port(), "HEAD", "/healthz");
  ASSERT_OK(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->body, "");
  EXPECT_EQ(head->Header("Content-Length"), "15");

  auto post = Fetch(port(), "POST", "/healthz");
  ASSERT_OK(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->Header("Allow"), "GET, HEAD");
}

// A load balancer's check: /readyz follows the readiness the owner gives
// (e.g. the audit log writable), without saying why, and never reaches the
// handler.
TEST_F(ServerTest, ReadyzFollowsTheOwnersReadinessAndSaysNoWhy) {
  std::atomic<bool> ready{true};
  ServerOptions options = BaseOptions();
  options.readiness = [&] { return ready.load(); };
  Start(options);
  auto r = Fetch(port(), "GET", "/readyz");
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"status":"ready"})");
  ExpectSecurityHeaders(*r);

  ready = false;
  auto down = Fetch(port(), "GET", "/readyz");
  ASSERT_OK(down);
  EXPECT_EQ(down->status, 503);
  EXPECT_EQ(down->Header("Content-Type"), "application/problem+json");
  EXPECT_THAT(down->body, HasSubstr("This node cannot serve now."));
  auto head = Fetch(port(), "HEAD", "/readyz");
  ASSERT_OK(head);
  EXPECT_EQ(head->status, 503);
  // Liveness is another question: the process still answers.
  EXPECT_EQ(Fetch(port(), "GET", "/healthz")->status, 200);

  ready = true;
  EXPECT_EQ(Fetch(port(), "GET", "/readyz")->status, 200);
  EXPECT_EQ(Fetch(port(), "POST", "/readyz")->status, 405);
  EXPECT_EQ(handler_calls_, 0);
}

// A readiness check that throws says "not ready", with an answer.
TEST_F(ServerTest, AReadinessCheckThatThrowsAnswersNotReady) {
  std::atomic<bool> throws{true};
  ServerOptions options = BaseOptions();
  options.readiness = [&] {
    if (throws.load()) throw std::runtime_error("store unreachable");
    return true;
  };
  Start(options);
  auto down = Fetch(port(), "GET", "/readyz");
  ASSERT_OK(down);
  EXPECT_EQ(down->status, 503);
  throws = false;
  EXPECT_EQ(Fetch(port(), "GET", "/readyz")->status, 200);
}

TEST_F(ServerTest, WithoutAReadinessCheckARunningServerIsReady) {
  Start();
  auto r = Fetch(port(), "GET", "/readyz");
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, SecurityHeadersOnSuccessNotFoundAndProblems) {
  Start();
  for (const char* target : {"/echo/x", "/nowhere", "/problem"}) {
    auto r = Fetch(port(), "GET", target);
    ASSERT_OK(r);
    SCOPED_TRACE(target);
    ExpectSecurityHeaders(*r);
  }
  auto problem = Fetch(port(), "GET", "/problem");
  ASSERT_OK(problem);
  EXPECT_EQ(problem->status, 409);
  auto body = ProblemBody(*problem);
  EXPECT_EQ(body["code"], "Conflict");
  EXPECT_THAT(problem->body, Not(HasSubstr("internal detail")));
}

TEST_F(ServerTest, TheClientsRequestIdIsNeverTrusted) {
  Start();
  auto r = Fetch(port(), "GET", "/echo/id", std::nullopt, "X-Request-Id: forged-id\r\n");
  ASSERT_OK(r);
  EXPECT_NE(r->Header("X-Request-Id"), "forged-id");
  EXPECT_EQ(r->Header("X-Request-Id"), r->Header("X-Seen-Request-Id"));
  auto again = Fetch(port(), "GET", "/echo/id");
  ASSERT_OK(again);
  EXPECT_NE(again->Header("X-Request-Id"), r->Header("X-Request-Id"));
}

TEST_F(ServerTest, AMalformedRequestLineGetsA400ProblemAndTheConnectionCloses) {
  Start();
  for (std::string_view bad :
       {"GET /\r\n\r\n", "G@T / HTTP/1.1\r\nHost: x\r\n\r\n", "GET / HTTP/9.9\r\nHost: x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"}) {
    auto client = TestClient::Connect(port());
    ASSERT_OK(client);
    ASSERT_OK((*client)->Send(bad));
    auto r = (*client)->ReadResponse();
    ASSERT_OK(r);
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_EQ(ProblemBody(*r)["status"], 400);
    ExpectSecurityHeaders(*r);
    EXPECT_FALSE(r->keep_alive);
    EXPECT_TRUE((*client)->WaitForClose(5s));
  }
  EXPECT_EQ(handler_calls_, 0);
}

// Beast lets any byte from 0x21 through in a target; only origin-form is
// served, so a route and a DPoP proof's htu read the same path.
TEST_F(ServerTest, ATargetOutsideRfc3986OrWithAFragmentGetsA400) {
  Start();
  for (std::string_view bad :
       {"/echo/A|B", "/echo#x", "/echo/\xc3\xa9", "/echo/%zz", "*", "http://x/echo"}) {
    auto client = TestClient::Connect(port());
    ASSERT_OK(client);
    ASSERT_OK((*client)->Send("GET " + std::string(bad) + " HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto r = (*client)->ReadResponse();
    ASSERT_OK(r);
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_EQ(ProblemBody(*r)["status"], 400);
    EXPECT_TRUE((*client)->WaitForClose(5s)) << bad;
  }
  EXPECT_EQ(handler_calls_, 0);
  auto encoded = Fetch(port(), "GET", "/echo/A%7C?q=1");
  ASSERT_OK(encoded);
  EXPECT_EQ(encoded->status, 200);
}

// RFC 9112 §6.1: a body framed by anything but Content-Length or "chunked"
// alone cannot be delimited; read as "no body", its bytes would be served as
// a second, smuggled request.
TEST_F(ServerTest, TransferCodingsOtherThanChunkedAloneAre400AndNothingIsSmuggled) {
  Start();
  const std::string smuggled = "GET /echo/smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
  for (std::string_view coding :
       {"HTTP/1.1\r\nTransfer-Encoding: gzip", "HTTP/1.1\r\nTransfer-Encoding: identity",
        "HTTP/1.1\r\nTransfer-Encoding: xchunked", "HTTP/1.1\r\nTransfer-Encoding: chunked, identity",
        "HTTP/1.1\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked",
        "HTTP/1.0\r\nTransfer-Encoding: chunked"}) {
    auto client = TestClient::Connect(port());
    ASSERT_OK(client);
    ASSERT_OK((*client)->Send("POST /echo " + std::string(coding) + "\r\nHost: x\r\n\r\n" +
                              (coding.ends_with("chunked") ? "0\r\n\r\n" : "") + smuggled));
    auto r = (*client)->ReadResponse();
    ASSERT_OK(r);
    EXPECT_EQ(r->status, 400) << coding;
    EXPECT_FALSE(r->keep_alive) << coding;
    EXPECT_TRUE((*client)->WaitForClose(5s)) << coding;
  }
  EXPECT_EQ(handler_calls_, 0);

  // "chunked" alone (any case, padded) still frames a body.
  auto client = TestClient::Connect(port());
  ASSERT_OK(client);
  ASSERT_OK((*client)->Send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:  Chunked \r\n\r\n3\r\nabc\r\n0\r\n\r\n"));
  auto ok = (*client)->ReadResponse();
  ASSERT_OK(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, "/echo|abc");
}

// RFC 9110 §6.5.1: trailer fields are not headers. Beast would add them to
// the head, where a Content-Type or Authorization no proxy saw would pass for
// one; no request needs them, so a body with trailers is refused.
TEST_F(ServerTest, AChunkedBodyWithTrailerFieldsIs400) {
  Start();
  auto client = TestClient::Connect(port());
  ASSERT_OK(client);
  ASSERT_OK(
      (*client)->Send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "3\r\nabc\r\n0\r\nContent-Type: application/json\r\n\r\n"));
  auto r = (*client)->ReadResponse();
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_FALSE(r->keep_alive);
  EXPECT_EQ(handler_calls_, 0);
}

// A chunk line longer than the read buffer overflows it after the head was
// read whole: a malformed body, not headers too large.
TEST_F(ServerTest, AnOverlongChunkLineIs400NotHeadersTooLarge) {
  Start();
  auto client = TestClient::Connect(port());
  ASSERT_OK(client);
  ASSERT_OK(
      (*client)->Send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;" +
                      std::string(20000, 'a') + "\r\nx\r\n0\r\n\r\n"));
  auto r = (*client)->ReadResponse();
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_FALSE(r->keep_alive);
  EXPECT_EQ(handler_calls_, 0);
}

TEST_F(ServerTest, NonOriginFormTargetsAndMissingHostAre400) {
  Start();
  auto client = TestClient::Connect(port());
  ASSERT_OK(client);
  ASSERT_OK((*client)->Send("GET http://evil.example/echo HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = (*client)->ReadResponse();
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 400);

  auto no_host = TestClient::Connect(port());
  ASSERT_OK(no_host);
  ASSERT_OK((*no_host)->Send("GET /echo HTTP/1.1\r\n\r\n"));
  auto r2 = (*no_host)->ReadResponse();
  ASSERT_OK(r2);
  EXPECT_EQ(r2->status, 400);
  EXPECT_EQ(handler_calls_, 0);
}

TEST_F(ServerTest, OversizedHeadersGet431AndNeverReachTheHandler) {
  ServerOptions o = BaseOptions();
  o.max_header_bytes = 1024;
  Start(o);
  auto client = TestClient::Connect(port());
  ASSERT_OK(client);
  ASSERT_OK(
      (*client)->Send(RequestText("GET", "/echo", "X-Big: " + std::string(2000, 'a') + "\r\n")));
  auto r = (*client)->ReadResponse();
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 431);
  ExpectSecurityHeaders(*r);
  EXPECT_EQ(ProblemBody(*r)["status"], 431);
  EXPECT_EQ(handler_calls_, 0);

  // Just under the cap is fine.
  auto ok = Fetch(port(), "GET", "/echo", std::nullopt, "X-Big: " + std::string(800, 'a') + "\r\n");
  ASSERT_OK(ok);
  EXPECT_EQ(ok->status, 200);

  // A target longer than the cap is the target's fault (RFC 9112 §3): 414.
  auto long_target = TestClient::Connect(port());
  ASSERT_OK(long_target);
  ASSERT_OK((*long_target)->Send(RequestText("GET", "/echo?q=" + std::string(2000, 'a'), "")));
  auto too_long = (*long_target)->ReadResponse();
  ASSERT_OK(too_long);
  EXPECT_EQ(too_long->status, 414);
  EXPECT_EQ(ProblemBody(*too_long)["status"], 414);
  EXPECT_EQ(handler_calls_, 1) << "the request just under the cap only";
}

TEST_F(ServerTest, OversizedBodiesGet413AndNeverReachTheHandler) {
  ServerOptions o = BaseOptions();
  o.max_body_bytes = 1000;
  Start(o);
  // Declared too large: refused from the header alone.
  auto client = TestClient::Connect(port());
  ASSERT_OK(client);
  ASSERT_OK((*client)->Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" +
                            std::string(500, 'a')));
  auto r = (*client)->ReadResponse();
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 413);
  ExpectSecurityHeaders(*r);

  // Chunked, growing past the cap while streaming.
  auto chunked = TestClient::Connect(port());
  ASSERT_OK(chunked);
  std::string chunk = std::string("800\r\n") + std::string(0x800, 'b') + "\r\n";
  ASSERT_OK((*chunked)->Send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + chunk));
  auto r2 = (*chunked)->ReadResponse();
  ASSERT_OK(r2);
  EXPECT_EQ(r2->status, 413);
  EXPECT_EQ(handler_calls_, 0);

  auto ok = Fetch(port(), "POST", "/echo", std::nullopt, "", std::string(1000, 'c'));
  ASSERT_OK(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, "/echo|" + std::string(1000, 'c'));

  // Refused, a HEAD's answer still has no body (RFC 9110 §9.3.2): a reader
  // that expects the body its Content-Length announces finds none.
  for (bool expect_body : {false, true}) {
    auto head = TestClient::Connect(port());
    ASSERT_OK(head);
    ASSERT_OK((*head)->Send("HEAD /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"));
    auto answer = (*head)->ReadResponse(/*head=*/!expect_body);
    if (expect_body) {
      EXPECT_FALSE(answer.has_value()) << "a body followed the HEAD's answer";
    } else {
      ASSERT_OK(answer);
      EXPECT_EQ(answer->status, 413);
    }
  }
}

TEST_F(ServerTest, AnIdleKeptAliveConnectionIsClosedAtTheIdleTimeout) {
  ServerOptions o = BaseOptions();
  o.idle_timeout = 200ms;
  Start(o);
  auto client = TestClient::Connect(port());
  ASSERT_OK(client);
  ASSERT_OK((*client)->Send(RequestText("GET", "/echo")));
  auto r = (*client)->ReadResponse();
  ASSERT_OK(r);
  EXPECT_TRUE(r->keep_alive);
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE((*client)->WaitForClose(3s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  Start();
  auto client = TestClient::Connect(port());
  ASSERT_OK(client);
  std::string batch;
  for (int i = 0; i < 5; ++i) batch += RequestText("GET", "/echo/" + std::to_string(i));
  batch += RequestText("HEAD", "/healthz");
  batch += RequestText("POST", "/echo/last", "", "body");
  ASSERT_OK((*client)->Send(batch));
  std::set<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    auto r = (*client)->ReadResponse();
    ASSERT_OK(r);
    EXPECT_EQ(r->body, "/echo/" + std::to_string(i) + "|");
    ids.insert(r->Header("X-Request-Id").value_or(""));
  }
  auto head = (*client)->ReadResponse(/*head=*/true);
  ASSERT_OK(head);
  EXPECT_EQ(head->status, 200);
  auto last = (*client)->ReadResponse();
  ASSERT_OK(last);
  EXPECT_EQ(last->body, "/echo/last|body");
  EXPECT_EQ(ids.size(), 5u);
}

// A response the server closes after must reach a client that pipelined
// more behind it: closing with the client's bytes unread would make the
// kernel send RST, discarding what the response still had in flight.
TEST_F(ServerTest, AResponseBeforeACloseIsNotCutByWhatTheClientSentAfterIt) {
  ServerOptions o = BaseOptions();
  o.max_body_bytes = 8 << 20;
  Start(o);
  auto client = TestClient::Connect(port());
  ASSERT_OK(client);
  // Larger than the socket buffers: the end of its response is still in
  // the server's kernel when the server closes.
  const std::string body(4 << 20, 'a');
  ASSERT_OK((*client)->Send(RequestText("POST", "/echo", "Connection: close\r\n", body) +
                            RequestText("POST", "/echo/next", "", std::string(64 << 10, 'b'))));
  auto r = (*client)->ReadResponse();
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_FALSE(r->keep_alive);
  EXPECT_EQ(r->body.size(), body.size() + 6) << "the whole echo, \"/echo|\" and the body";
  EXPECT_TRUE((*client)->WaitForClose(3s));
  EXPECT_EQ(handler_calls_, 1) << "nothing after the close is served";
}

TEST_F(ServerTest, TheAccessLogHasOneLinePerRequestAndNoQueryString) {
  Start();
  ASSERT_OK(Fetch(port(), "GET", "/echo/x?name=DUPONT&token=s3cr3t", std::nullopt,
                  "Authorization: DPoP tok-SECRET\r\n"));
  ASSERT_OK(Fetch(port(), "GET", "/nowhere?q=MARTIN"));
  ASSERT_TRUE(Eventually([&] { return LogLines().size() == 2; }));
  auto lines = LogLines();
  for (const std::string& line : lines) {
    EXPECT_THAT(line, Not(HasSubstr("DUPONT")));
    EXPECT_THAT(line, Not(HasSubstr("MARTIN")));
    EXPECT_THAT(line, Not(HasSubstr("s3cr3t")));
    EXPECT_THAT(line, Not(HasSubstr("SECRET")));
    EXPECT_THAT(line, Not(HasSubstr("?")));
  }
  auto first = boost::json::parse(lines[0]).as_object();
  EXPECT_EQ(first["route"], "/echo/{rest}");
  EXPECT_EQ(first["agent"], "A42");
  EXPECT_EQ(first["method"], "GET");
  EXPECT_EQ(first["status"], 200);
  EXPECT_EQ(first["remote"], "127.0.0.1");
  EXPECT_EQ(first["request_id"].as_string().size(), 32u);
  auto second = boost::json::parse(lines[1]).as_object();
  EXPECT_EQ(second["route"], "(unrouted)");  // the handler named no pattern
  EXPECT_EQ(second["status"], 404);
}

// A request refused before any handler saw it is logged without its path,
// which may hold a person's id.
TEST_F(ServerTest, ARequestRefusedBeforeRoutingIsLoggedWithoutItsPath) {
  ServerOptions o = BaseOptions();
  o.max_body_bytes = 100;
  Start(o);
  auto client = TestClient::Connect(port());
  ASSERT_OK(client);
  ASSERT_OK((*client)->Send("POST /echo/persons/73519/file HTTP/1.1\r\nHost: x\r\n"
                            "Content-Length: 5000\r\n\r\n"));
  auto r = (*client)->ReadResponse();
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 413);
  ASSERT_TRUE(Eventually([&] { return LogLines().size() == 1; }));
  EXPECT_THAT(LogLines()[0], Not(HasSubstr("73519")));
  EXPECT_EQ(boost::json::parse(LogLines()[0]).as_object()["route"], "(unrouted)");
}

// A start that fails on its metrics listener (its port taken) leaves no
// API listener behind: its backlog would take clients nobody serves.
TEST_F(ServerTest, AStartFailingOnItsMetricsListenerLeavesTheApiPortFree) {
  ServerOptions o = BaseOptions();
  o.metrics = MetricsListenerOptions{};
  Start(o);  // holds a metrics port
  uint16_t api_port = 0;
  {
    Server probe(BaseOptions(), TestHandler());
    ASSERT_OK(probe.Start());
    api_port = probe.port();
  }  // free again
  ServerOptions failing = BaseOptions();
  failing.port = api_port;
  failing.metrics = MetricsListenerOptions{.port = *server_->metrics_port()};
  Server refused(failing, TestHandler());
  EXPECT_FALSE(refused.Start().has_value());
  EXPECT_EQ(refused.port(), 0) << "no port it does not listen on";
  ServerOptions again = BaseOptions();
  again.port = api_port;
  Server retried(again, TestHandler());
  EXPECT_TRUE(retried.Start().has_value()) << "the refused start still holds port " << api_port;
}

TEST_F(ServerTest, MetricsAreServedOnlyOnTheLoopbackMetricsListener) {
  ServerOptions o = BaseOptions();
  o.metrics = MetricsListenerOptions{};
  Start(o);
  ASSERT_TRUE(server_->metrics_port().has_value());
  ASSERT_OK(Fetch(port(), "GET", "/echo"));

  auto on_api = Fetch(port(), "GET", "/metrics");
  ASSERT_OK(on_api);
  EXPECT_EQ(on_api->status, 404);
  EXPECT_EQ(handler_calls_, 1);  // the server refused it, not the handler

  auto r = Fetch(*server_->metrics_port(), "GET", "/metrics");
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_THAT(r->body, HasSubstr("# TYPE vigie_http_requests_total counter\n"));
  EXPECT_THAT(r->body, HasSubstr("vigie_http_requests_total{code=\"2xx\"} 1\n"));
  EXPECT_THAT(r->body, HasSubstr("vigie_http_requests_total{code=\"4xx\"} 1\n"));
  EXPECT_THAT(r->body, HasSubstr("# TYPE vigie_http_request_duration_seconds histogram\n"));
  EXPECT_THAT(r->body, HasSubstr("vigie_http_request_duration_seconds_count 2\n"));
  EXPECT_THAT(r->body, HasSubstr("vigie_http_requests_in_flight 0\n"));
  EXPECT_THAT(r->body, HasSubstr("vigie_http_open_connections "));
  ExpectSecurityHeaders(*r);

  auto elsewhere = Fetch(*server_->metrics_port(), "GET", "/echo");
  ASSERT_OK(elsewhere);
  EXPECT_EQ(elsewhere->status, 404);
  EXPECT_EQ(handler_calls_, 1);
}

}  // namespace
}  // namespace vigie::http
