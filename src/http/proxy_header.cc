#include "http/proxy_header.h"

#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <vector>

namespace vigie::http {
namespace {

constexpr std::string_view kV2Signature("\r\n\r\n\0\r\nQUIT\n", 12);
constexpr std::string_view kV1Prefix = "PROXY ";
constexpr size_t kV2FixedBytes = 16;
constexpr size_t kV1MaxBytes = 107;  // the specification's worst case, CRLF included
constexpr size_t kFirstRead = 8;     // shorter than any complete header of either version

constexpr uint8_t kV2Version = 0x20;
constexpr uint8_t kV2Local = 0x0;
constexpr uint8_t kV2Proxy = 0x1;
constexpr uint8_t kV2Unspecified = 0x00;
constexpr uint8_t kV2Tcp4 = 0x11;
constexpr uint8_t kV2Tcp6 = 0x21;

ProxyHeader NeedMore(size_t more) {
  ProxyHeader h;
  h.more = more;
  return h;
}

ProxyHeader Invalid(std::string error) {
  ProxyHeader h;
  h.state = ProxyHeader::State::kInvalid;
  h.error = "PROXY protocol header: " + std::move(error);
  return h;
}

ProxyHeader Complete(size_t size, std::string source_address) {
  ProxyHeader h;
  h.state = ProxyHeader::State::kComplete;
  h.size = size;
  h.source_address = std::move(source_address);
  return h;
}

// Binary address of `family` as canonical text.
std::string AddressText(int family, const void* binary) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  if (inet_ntop(family, binary, text.data(), text.size()) == nullptr) return {};
  return text.data();
}

// Numeric address text of `family` in canonical form, or "" if it is not one.
std::string CanonicalAddress(int family, std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return {};
  std::array<unsigned char, 16> binary{};
  if (inet_pton(family, std::string(text).c_str(), binary.data()) != 1) return {};
  return AddressText(family, binary.data());
}

// A port as the specification writes it: decimal, no leading zero.
bool IsPort(std::string_view text) {
  if (text.empty() || text.size() > 5 || (text.size() > 1 && text.front() == '0')) return false;
  uint32_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<uint32_t>(c - '0');
  }
  return value <= 65535;
}

std::vector<std::string_view> SplitOnSpaces(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (start <= line.size()) {
    size_t end = line.find(' ', start);
    if (end == std::string_view::npos) end = line.size();
    fields.push_back(line.substr(start, end - start));
    start = end + 1;
  }
  return fields;
}

// "PROXY TCP4 <src> <dst> <sport> <dport>\r\n", "PROXY TCP6 …" or "PROXY UNKNOWN …\r\n".
ProxyHeader ParseVersion1(std::string_view bytes) {
  const size_t end = bytes.find("\r\n");
  if (end == std::string_view::npos) {
    if (bytes.size() >= kV1MaxBytes) return Invalid("version 1 line longer than 107 bytes");
    const std::string_view so_far = bytes.ends_with('\r') ? bytes.substr(0, bytes.size() - 1) : bytes;
    for (char c : so_far) {
      if (c < 0x20 || c > 0x7e) return Invalid("control character in the version 1 line");
    }
    return NeedMore(1);  // byte by byte: the line's end is not known in advance
  }
  const std::string_view line = bytes.substr(0, end);
  for (char c : line) {
    if (c < 0x20 || c > 0x7e) return Invalid("control character in the version 1 line");
  }
  const std::vector<std::string_view> fields = SplitOnSpaces(line);
  const std::string_view protocol = fields.size() > 1 ? fields[1] : std::string_view();
  if (protocol == "UNKNOWN") return Complete(end + 2, "");
  int family = protocol == "TCP4" ? AF_INET : protocol == "TCP6" ? AF_INET6 : 0;
  if (family == 0) return Invalid("version 1 protocol must be TCP4, TCP6 or UNKNOWN");
  if (fields.size() != 6) return Invalid("version 1 line needs two addresses and two ports");
  std::string source = CanonicalAddress(family, fields[2]);
  if (source.empty() || CanonicalAddress(family, fields[3]).empty()) {
    return Invalid("version 1 address does not match " + std::string(protocol));
  }
  if (!IsPort(fields[4]) || !IsPort(fields[5])) return Invalid("version 1 port out of range");
  return Complete(end + 2, std::move(source));
}

ProxyHeader ParseVersion2(std::string_view bytes) {
  if (bytes.size() < kV2FixedBytes) return NeedMore(kV2FixedBytes - bytes.size());
  if (bytes.substr(0, kV2Signature.size()) != kV2Signature) return Invalid("bad signature");
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(bytes[i]); };
  const size_t length = (size_t{byte(14)} << 8) | byte(15);
  if (kV2FixedBytes + length > kMaxProxyHeaderBytes) return Invalid("version 2 header too long");
  const size_t size = kV2FixedBytes + length;
  if (bytes.size() < size) return NeedMore(size - bytes.size());

  if ((byte(12) & 0xf0) != kV2Version) return Invalid("version must be 2");
  const uint8_t command = byte(12) & 0x0f;
  const uint8_t family = byte(13);
  if (command == kV2Local) return Complete(size, "");
  if (command != kV2Proxy) return Invalid("unknown version 2 command");
  const char* addresses = bytes.data() + kV2FixedBytes;
  switch (family) {
    case kV2Unspecified:
      return Complete(size, "");  // the balancer's own connection (specification §2.2)
    case kV2Tcp4:
      if (length < 12) return Invalid("TCP over IPv4 needs 12 bytes of addresses");
      return Complete(size, AddressText(AF_INET, addresses));
    case kV2Tcp6:
      if (length < 36) return Invalid("TCP over IPv6 needs 36 bytes of addresses");
      return Complete(size, AddressText(AF_INET6, addresses));
    default:
      return Invalid("only TCP over IPv4 or IPv6 is accepted");
  }
}

}  // namespace

ProxyHeader ParseProxyHeader(std::string_view bytes) {
  if (bytes.size() < kFirstRead) return NeedMore(kFirstRead - bytes.size());
  if (bytes.starts_with(kV2Signature.substr(0, kFirstRead))) return ParseVersion2(bytes);
  if (bytes.starts_with(kV1Prefix)) return ParseVersion1(bytes);
  return Invalid("missing (the balancer must send it to this node)");
}

}  // namespace vigie::http
