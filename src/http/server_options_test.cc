#include "http/server_options.h"

#include <gtest/gtest.h>

#include "tests/support/matchers.h"

namespace vigie::http {
namespace {

using ::vigie::testing::ErrorCodeIs;

TEST(IsLoopbackAddressTest, CoversAll127AndV6Loopback) {
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackAddress("127.255.1.2"));
  EXPECT_TRUE(IsLoopbackAddress("::1"));
  EXPECT_FALSE(IsLoopbackAddress("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackAddress("::"));
  EXPECT_FALSE(IsLoopbackAddress("10.0.0.1"));
  EXPECT_FALSE(IsLoopbackAddress("128.0.0.1"));
  EXPECT_FALSE(IsLoopbackAddress("::ffff:127.0.0.1"));  // strict: mapped forms are not accepted
  EXPECT_FALSE(IsLoopbackAddress("localhost"));
  EXPECT_FALSE(IsLoopbackAddress(""));
}

TEST(ValidateServerOptionsTest, DefaultsAreValid) { EXPECT_OK(ValidateServerOptions({})); }

TEST(ValidateServerOptionsTest, PlainHttpOnlyOnLoopback) {
  ServerOptions o;
  for (const char* address : {"0.0.0.0", "::", "192.168.1.10", "2001:db8::1"}) {
    o.listen_address = address;
    EXPECT_THAT(ValidateServerOptions(o), ErrorCodeIs(ErrorCode::kInvalidArgument)) << address;
  }
  o.listen_address = "0.0.0.0";
  o.tls = TlsFiles{"cert.pem", "key.pem"};
  EXPECT_OK(ValidateServerOptions(o));
}

TEST(ValidateServerOptionsTest, ProxyProtocolSourcesMustBeAddressesOrBlocks) {
  ServerOptions o;
  o.proxy_protocol_from = {"10.10.1.0/24", "2001:db8::5"};
  EXPECT_OK(ValidateServerOptions(o));
  o.proxy_protocol_from.push_back("haproxy.internal");
  auto refused = ValidateServerOptions(o);
  EXPECT_THAT(refused, ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_NE(refused.error().message().find("proxy_protocol_from"), std::string::npos);
}

// A block that wide would let any client state its own address.
TEST(ValidateServerOptionsTest, ProxyProtocolSourcesAreNoWiderThanABalancerNetwork) {
  ServerOptions o;
  o.proxy_protocol_from = {"10.0.0.0/8", "2001:db8::/32"};
  EXPECT_OK(ValidateServerOptions(o));
  for (const char* wide : {"0.0.0.0/0", "10.0.0.0/7", "::/0", "2001:db8::/31"}) {
    o.proxy_protocol_from = {wide};
    auto refused = ValidateServerOptions(o);
    EXPECT_THAT(refused, ErrorCodeIs(ErrorCode::kInvalidArgument)) << wide;
    if (!refused) {
      EXPECT_NE(refused.error().message().find("too wide"), std::string::npos);
    }
  }
}

TEST(ValidateServerOptionsTest, RejectsNonNumericAndIncompleteSettings) {
  ServerOptions o;
  o.listen_address = "localhost";
  EXPECT_THAT(ValidateServerOptions(o), ErrorCodeIs(ErrorCode::kInvalidArgument));

  o = {};
  o.tls = TlsFiles{"cert.pem", ""};
  EXPECT_THAT(ValidateServerOptions(o), ErrorCodeIs(ErrorCode::kInvalidArgument));

  o = {};
  o.max_body_bytes = 0;
  EXPECT_THAT(ValidateServerOptions(o), ErrorCodeIs(ErrorCode::kInvalidArgument));

  o = {};
  o.read_timeout = std::chrono::milliseconds(0);
  EXPECT_THAT(ValidateServerOptions(o), ErrorCodeIs(ErrorCode::kInvalidArgument));

  o = {};
  o.worker_threads = 0;
  EXPECT_THAT(ValidateServerOptions(o), ErrorCodeIs(ErrorCode::kInvalidArgument));

  o = {};
  o.waiting_paths = {"/api/v1/auth/login"};  // a pool of no thread would never answer
  EXPECT_THAT(ValidateServerOptions(o), ErrorCodeIs(ErrorCode::kInvalidArgument));
  o.waiting_workers = 1;
  EXPECT_OK(ValidateServerOptions(o));
}

TEST(ValidateServerOptionsTest, MetricsListenerMustBeLoopback) {
  ServerOptions o;
  o.metrics = MetricsListenerOptions{"0.0.0.0", 0};
  EXPECT_THAT(ValidateServerOptions(o), ErrorCodeIs(ErrorCode::kInvalidArgument));
  o.metrics = MetricsListenerOptions{"::1", 0};
  EXPECT_OK(ValidateServerOptions(o));
}

}  // namespace
}  // namespace vigie::http
