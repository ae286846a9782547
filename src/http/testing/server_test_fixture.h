#pragma once
// The fixture of the server's socket tests (server_test.cc,
// server_handler_test.cc): a server on an ephemeral port whose handler
// echoes, answers a problem, throws or blocks on request; and the problem
// body of a response, checked for its content type and request id.

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <stdexcept>
#include <string>

#include "http/problem.h"
#include "http/testing/server_fixture.h"
#include "http/testing/test_client.h"

namespace vigie::http::testing {

class ServerTest : public ServerFixture {
 protected:
  // Answers /echo... with the path it saw; /problem with a 409 problem;
  // /throw by throwing; /slow after slow_gate_ opens; anything else 404.
  Handler TestHandler() {
    return [this](const Request& request) -> Response {
      ++handler_calls_;
      if (request.Path().starts_with("/echo")) {
        Response r;
        r.content_type = "text/plain";
        r.body = std::string(request.Path()) + "|" + request.body;
        r.log_route = "/echo/{rest}";
        r.log_agent_id = "A42";
        r.headers.emplace_back("X-Seen-Request-Id", request.request_id);
        return r;
      }
      if (request.Path() == "/problem") {
        return ProblemFor(Error(ErrorCode::kConflict, "internal detail"), request.request_id);
      }
      if (request.Path() == "/throw") throw std::runtime_error("secret-in-exception");
      if (request.Path() == "/slow") {
        slow_entered_.Open();
        slow_gate_.Wait();
        return Response{.status = 200, .content_type = "text/plain", .body = "done"};
      }
      return Problem(404, "Not Found", "", request.request_id);
    };
  }

  void Start(ServerOptions options) { StartServer(std::move(options), TestHandler()); }
  void Start() { Start(BaseOptions()); }
  uint16_t port() const { return server_->port(); }

  void TearDown() override {
    slow_gate_.Open();
    ServerFixture::TearDown();
  }

  std::atomic<int> handler_calls_{0};
  Gate slow_entered_, slow_gate_;
};

inline boost::json::object ProblemBody(const ClientResponse& r) {
  EXPECT_EQ(r.Header("Content-Type"), "application/problem+json");
  boost::system::error_code ec;
  auto v = boost::json::parse(r.body, ec);
  EXPECT_FALSE(ec) << r.body;
  if (ec || !v.is_object()) return {};
  EXPECT_EQ(v.as_object()["request_id"],
            boost::json::value(r.Header("X-Request-Id").value_or("?")));
  return v.as_object();
}

}  // namespace vigie::http::testing
