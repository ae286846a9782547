// The PROXY protocol parser (HAProxy's specification, versions 1 and 2) and
// the address ranges that say which peers are balancers.
#include "http/proxy_header.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "http/address_range.h"

namespace vigie::http {
namespace {

using State = ProxyHeader::State;
using ::testing::HasSubstr;

const std::string kSignature("\r\n\r\n\0\r\nQUIT\n", 12);

// A version 2 header: command byte, family byte, then `addresses` (and TLVs).
std::string V2(uint8_t command, uint8_t family, const std::string& addresses) {
  std::string h = kSignature;
  h += static_cast<char>(command);
  h += static_cast<char>(family);
  h += static_cast<char>(addresses.size() >> 8);
  h += static_cast<char>(addresses.size() & 0xff);
  return h + addresses;
}

std::string Bytes(std::initializer_list<int> values) {
  std::string s;
  for (int v : values) s += static_cast<char>(v);
  return s;
}

// Feeds `stream` as a socket would: exactly the bytes asked for, each time.
// Returns the final state; `consumed` is how much of `stream` was read.
ProxyHeader ReadLikeTheServer(const std::string& stream, size_t& consumed) {
  std::string read;
  ProxyHeader h = ParseProxyHeader(read);
  while (h.state == State::kNeedMore) {
    if (read.size() + h.more > stream.size()) break;
    read += stream.substr(read.size(), h.more);
    h = ParseProxyHeader(read);
  }
  consumed = read.size();
  return h;
}

TEST(ProxyHeaderTest, Version1Tcp4NamesTheClient) {
  const std::string line = "PROXY TCP4 192.0.2.7 198.51.100.1 56324 443\r\n";
  size_t consumed = 0;
  ProxyHeader h = ReadLikeTheServer(line + "\x16\x03\x01 hello", consumed);
  ASSERT_EQ(h.state, State::kComplete) << h.error;
  EXPECT_EQ(h.source_address, "192.0.2.7");
  EXPECT_EQ(h.size, line.size());
  EXPECT_EQ(consumed, line.size()) << "not one byte of the client's own was read";
}

TEST(ProxyHeaderTest, Version1Tcp6IsCanonicalised) {
  ProxyHeader h = ParseProxyHeader("PROXY TCP6 2001:DB8:0:0::7 2001:db8::1 1 443\r\n");
  ASSERT_EQ(h.state, State::kComplete) << h.error;
  EXPECT_EQ(h.source_address, "2001:db8::7");
}

TEST(ProxyHeaderTest, Version1UnknownKeepsTheBalancersAddress) {
  for (std::string line : {"PROXY UNKNOWN\r\n", "PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n"}) {
    ProxyHeader h = ParseProxyHeader(line);
    ASSERT_EQ(h.state, State::kComplete) << line;
    EXPECT_EQ(h.size, line.size());
    EXPECT_EQ(h.source_address, "");
  }
}

TEST(ProxyHeaderTest, MalformedVersion1LinesAreRefused) {
  const char* bad[] = {
      "PROXY TCP4 192.0.2.7 198.51.100.1 56324\r\n",           // a port missing
      "PROXY TCP4 192.0.2.7 198.51.100.1 56324 443 x\r\n",     // a field too many
      "PROXY TCP4 2001:db8::7 198.51.100.1 1 443\r\n",          // IPv6 under TCP4
      "PROXY TCP6 192.0.2.7 2001:db8::1 1 443\r\n",             // IPv4 under TCP6
      "PROXY TCP4 192.0.2.7 198.51.100.1 65536 443\r\n",        // port out of range
      "PROXY TCP4 192.0.2.7 198.51.100.1 0443 443\r\n",         // leading zero
      "PROXY TCP4 192.0.2.7  198.51.100.1 1 443\r\n",           // two spaces
      "PROXY TCP4 192.0.2.007 198.51.100.1 1 443\r\n",          // not a dotted quad
      "PROXY UDP4 192.0.2.7 198.51.100.1 1 443\r\n",            // not TCP
      "PROXY TCP4 192.0.2.7\t198.51.100.1 1 443\r\n",           // control character
      "PROXY TCP4 192.0.2.7 198.51.100.1 1 443\n",              // LF without CR
  };
  for (const char* line : bad) {
    size_t consumed = 0;
    ProxyHeader h = ReadLikeTheServer(line, consumed);
    EXPECT_EQ(h.state, State::kInvalid) << line;
    EXPECT_THAT(h.error, HasSubstr("PROXY protocol header")) << line;
  }
}

TEST(ProxyHeaderTest, AVersion1LineWithoutEndStopsAt107Bytes) {
  std::string endless = "PROXY TCP4 " + std::string(200, '1');
  size_t consumed = 0;
  ProxyHeader h = ReadLikeTheServer(endless, consumed);
  EXPECT_EQ(h.state, State::kInvalid);
  EXPECT_LE(consumed, 107u);
}

TEST(ProxyHeaderTest, Version2Tcp4NamesTheClientAndSkipsTlvs) {
  const std::string addresses =
      Bytes({192, 0, 2, 7, 198, 51, 100, 1, 0xdc, 0x04, 0x01, 0xbb}) + Bytes({0x04, 0, 1, 'x'});
  const std::string header = V2(0x21, 0x11, addresses);
  size_t consumed = 0;
  ProxyHeader h = ReadLikeTheServer(header + "GET / HTTP/1.1\r\n", consumed);
  ASSERT_EQ(h.state, State::kComplete) << h.error;
  EXPECT_EQ(h.source_address, "192.0.2.7");
  EXPECT_EQ(h.size, header.size());
  EXPECT_EQ(consumed, header.size());
}

TEST(ProxyHeaderTest, Version2Tcp6NamesTheClient) {
  std::string source = Bytes({0x20, 0x01, 0x0d, 0xb8}) + std::string(11, '\0') + Bytes({7});
  std::string target = Bytes({0x20, 0x01, 0x0d, 0xb8}) + std::string(11, '\0') + Bytes({1});
  ProxyHeader h = ParseProxyHeader(V2(0x21, 0x21, source + target + Bytes({0, 1, 1, 0xbb})));
  ASSERT_EQ(h.state, State::kComplete) << h.error;
  EXPECT_EQ(h.source_address, "2001:db8::7");
}

TEST(ProxyHeaderTest, Version2LocalAndUnspecifiedKeepTheBalancersAddress) {
  for (const std::string& header : {V2(0x20, 0x00, ""), V2(0x20, 0x11, std::string(12, '\1')),
                                    V2(0x21, 0x00, "")}) {
    ProxyHeader h = ParseProxyHeader(header);
    ASSERT_EQ(h.state, State::kComplete) << h.error;
    EXPECT_EQ(h.source_address, "");
    EXPECT_EQ(h.size, header.size());
  }
}

TEST(ProxyHeaderTest, MalformedVersion2HeadersAreRefused) {
  const std::string tcp4 = std::string(12, '\1');
  const std::string bad[] = {
      V2(0x11, 0x11, tcp4),                    // version 1 in the binary form
      V2(0x22, 0x11, tcp4),                    // unknown command
      V2(0x21, 0x12, tcp4),                    // UDP over IPv4
      V2(0x21, 0x31, std::string(216, 'u')),   // a UNIX socket
      V2(0x21, 0x11, std::string(11, '\1')),   // addresses cut short
      V2(0x21, 0x21, std::string(35, '\1')),
      "\r\n\r\n\0\r\nQUIx" + V2(0x21, 0x11, tcp4).substr(12),  // signature wrong after 8 bytes
  };
  for (const std::string& header : bad) {
    EXPECT_EQ(ParseProxyHeader(header).state, State::kInvalid);
  }
}

TEST(ProxyHeaderTest, AnOversizedVersion2HeaderIsRefusedBeforeItsBody) {
  std::string head = kSignature + Bytes({0x21, 0x11, 0xff, 0xff});
  ProxyHeader h = ParseProxyHeader(head);
  EXPECT_EQ(h.state, State::kInvalid);
  EXPECT_THAT(h.error, HasSubstr("too long"));
}

TEST(ProxyHeaderTest, AnythingElseIsAMissingHeader) {
  const std::string client_hello("\x16\x03\x01\x02\x00\x01\x00\x01", 8);
  for (const std::string& start : {std::string("GET / HTTP/1.1\r\n"), client_hello,
                                   std::string("proxy TCP4 192.0.2.7 198.51.100.1 1 2\r\n")}) {
    ProxyHeader h = ParseProxyHeader(start);
    EXPECT_EQ(h.state, State::kInvalid) << start;
    EXPECT_THAT(h.error, HasSubstr("missing"));
  }
}

TEST(ProxyHeaderTest, AsksForEightBytesFirst) {
  ProxyHeader h = ParseProxyHeader("");
  EXPECT_EQ(h.state, State::kNeedMore);
  EXPECT_EQ(h.more, 8u);
  EXPECT_EQ(ParseProxyHeader("PROX").more, 4u);
}

TEST(AddressRangeTest, SingleAddressesAndCidrBlocks) {
  auto one = AddressRange::Parse("10.0.0.7");
  ASSERT_TRUE(one.has_value());
  EXPECT_TRUE(one->Contains("10.0.0.7"));
  EXPECT_FALSE(one->Contains("10.0.0.8"));

  auto block = AddressRange::Parse("10.10.1.128/25");
  ASSERT_TRUE(block.has_value());
  EXPECT_TRUE(block->Contains("10.10.1.200"));
  EXPECT_TRUE(block->Contains("10.10.1.128"));
  EXPECT_FALSE(block->Contains("10.10.1.127"));
  EXPECT_FALSE(block->Contains("10.10.2.200"));

  auto v6 = AddressRange::Parse("2001:db8::/33");
  ASSERT_TRUE(v6.has_value());
  EXPECT_TRUE(v6->Contains("2001:db8:7fff::1"));
  EXPECT_FALSE(v6->Contains("2001:db8:8000::1"));
  EXPECT_FALSE(v6->Contains("10.0.0.1")) << "families never mix";

  auto everything = AddressRange::Parse("0.0.0.0/0");
  ASSERT_TRUE(everything.has_value());
  EXPECT_TRUE(everything->Contains("203.0.113.9"));
  EXPECT_FALSE(everything->Contains("not an address"));
}

TEST(AddressRangeTest, BadRangesAreRefused) {
  for (const char* text : {"", "localhost", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1",
                           "10.0.0.0/8x", "10.0.0/8", "10.0.0.0/8/8"}) {
    auto range = AddressRange::Parse(text);
    EXPECT_FALSE(range.has_value()) << text;
    if (!range) {
      EXPECT_EQ(range.error().code(), ErrorCode::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace vigie::http
