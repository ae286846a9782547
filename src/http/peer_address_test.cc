#include "http/peer_address.h"

#include <gtest/gtest.h>

namespace vigie::http {
namespace {

TEST(PeerAddressTest, OneAddressHasOneText) {
  EXPECT_EQ(CanonicalPeerAddress("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(CanonicalPeerAddress("::ffff:127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(CanonicalPeerAddress("::FFFF:7f00:1"), "127.0.0.1");
  EXPECT_EQ(CanonicalPeerAddress("2001:DB8:0:0:0:0:0:7"), "2001:db8::7");
  EXPECT_EQ(CanonicalPeerAddress("::1"), "::1");
  EXPECT_EQ(CanonicalPeerAddress("0:0:0:0:0:0:0:1"), "::1");
  EXPECT_EQ(CanonicalPeerAddress("::127.0.0.1"), "::127.0.0.1");  // IPv4-compatible: stays IPv6
}

// One IPv6 host is given a /64: a per-client cap counts it once.
TEST(PeerAddressTest, AnIpv6ClientIsCountedByItsSlash64) {
  EXPECT_EQ(ClientNetwork("2001:db8:1:2::7"), "2001:db8:1:2::/64");
  EXPECT_EQ(ClientNetwork("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
  EXPECT_NE(ClientNetwork("2001:db8:1:3::7"), ClientNetwork("2001:db8:1:2::7"));
  EXPECT_EQ(ClientNetwork("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(ClientNetwork("::1"), "::/64");
  EXPECT_EQ(ClientNetwork("not an address"), "not an address");
}

TEST(PeerAddressTest, RefusesNetworksNamesAndLooseForms) {
  const std::string_view refused[] = {"127.000.000.001", "127.0.0.0/8",
                                      "2001:db8::/32",   " 127.0.0.1",
                                      "127.0.0.1 ",      "not-an-ip",
                                      "localhost",       "",
                                      "127.1",           "127.0.0.256",
                                      "0x7f.0.0.1",      "127.0.0.1:8443",
                                      "[::1]",           std::string_view("127.0.0.1\0x", 11)};
  for (std::string_view text : refused)
    EXPECT_FALSE(CanonicalPeerAddress(text).has_value()) << text;
}

}  // namespace
}  // namespace vigie::http
