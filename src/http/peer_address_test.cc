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
